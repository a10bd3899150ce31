#include "services/containerd/runtime/exec.h"

#include <sys/stat.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "common/fs_util.h"
#include "gtest/gtest.h"

namespace berth {
namespace containerd {
namespace runtime {
namespace {

TEST(BuildEnvTest, AddsDockerDefaults) {
  EXPECT_EQ(BuildEnv({}, "box", "/root"),
            (std::vector<std::string>{absl::StrCat("PATH=", kDefaultPath), "HOSTNAME=box",
                                      "HOME=/root"}));
  EXPECT_EQ(BuildEnv({"PATH=/x", "HOSTNAME=h", "HOME=/y", "A=1"}, "box", "/root"),
            (std::vector<std::string>{"PATH=/x", "HOSTNAME=h", "HOME=/y", "A=1"}));
  EXPECT_EQ(BuildEnv({}, "box", "/root", /*tty=*/true),
            (std::vector<std::string>{absl::StrCat("PATH=", kDefaultPath), "HOSTNAME=box",
                                      "TERM=xterm", "HOME=/root"}));
  EXPECT_EQ(BuildEnv({"TERM=vt100"}, "", "/", /*tty=*/true),
            (std::vector<std::string>{absl::StrCat("PATH=", kDefaultPath), "TERM=vt100",
                                      "HOME=/"}));
  EXPECT_EQ(BuildEnv({"PATHX=1"}, "", "/"),
            (std::vector<std::string>{absl::StrCat("PATH=", kDefaultPath), "PATHX=1",
                                      "HOME=/"}));
}

class LookPathTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* base = getenv("TEST_TMPDIR");
    dir_ = *MakeTempDir(base ? base : "/tmp", "lookpath-");
    mkdir((dir_ + "/a").c_str(), 0755);
    mkdir((dir_ + "/b").c_str(), 0755);
    Write(dir_ + "/a/tool", 0644);  // not executable: skipped
    Write(dir_ + "/b/tool", 0755);
    mkdir((dir_ + "/b/dir").c_str(), 0755);
  }
  void TearDown() override { (void)RemoveTree(dir_); }
  void Write(const std::string& path, mode_t mode) {
    ASSERT_TRUE(WriteFileAtomic(path, "#!/bin/sh\n", mode).ok());
    chmod(path.c_str(), mode);
  }
  std::vector<std::string> Env() const {
    return {absl::StrCat("PATH=", dir_, "/a:", dir_, "/b")};
  }
  std::string dir_;
};

TEST_F(LookPathTest, SearchesPathForExecutables) {
  EXPECT_EQ(*LookPath("tool", Env()), dir_ + "/b/tool");
  EXPECT_EQ(LookPath("nosuchcmd", Env()).status(),
            absl::NotFoundError("exec: \"nosuchcmd\": executable file not found in $PATH"));
  EXPECT_TRUE(absl::IsNotFound(LookPath("dir", Env()).status()));
}

TEST_F(LookPathTest, NamedFiles) {
  EXPECT_EQ(*LookPath(dir_ + "/b/tool", {}), dir_ + "/b/tool");
  EXPECT_TRUE(absl::IsPermissionDenied(LookPath(dir_ + "/a/tool", {}).status()));
  EXPECT_TRUE(absl::IsPermissionDenied(LookPath(dir_ + "/b/dir", {}).status()));
  EXPECT_TRUE(absl::IsNotFound(LookPath(dir_ + "/none", {}).status()));
}

}  // namespace
}  // namespace runtime
}  // namespace containerd
}  // namespace berth
