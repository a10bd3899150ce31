#include "common/root_lock.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include "common/unix_socket.h"
#include "gtest/gtest.h"

namespace berth {
namespace {

class TempDir : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-lock-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    EXPECT_EQ(std::system(("rm -rf " + dir_).c_str()), 0);
  }
  std::string dir_;
};

using RootLockTest = TempDir;
using ClaimSocketPathTest = TempDir;

TEST_F(RootLockTest, SecondAcquireFailsNamingHolder) {
  auto first = RootLock::Acquire(dir_ + "/imaged");
  ASSERT_TRUE(first.ok()) << first.status();
  auto second = RootLock::Acquire(dir_ + "/imaged");
  ASSERT_TRUE(absl::IsFailedPrecondition(second.status())) << second.status();
  EXPECT_NE(second.status().message().find("pid " + std::to_string(getpid())),
            std::string::npos)
      << second.status();
}

TEST_F(RootLockTest, ReleasedLockCanBeTakenAgain) {
  { ASSERT_TRUE(RootLock::Acquire(dir_ + "/netd").ok()); }
  EXPECT_TRUE(RootLock::Acquire(dir_ + "/netd").ok());
}

TEST_F(RootLockTest, FileInPlaceOfDirectoryIsAnError) {
  std::ofstream(dir_ + "/file") << "x";
  auto lock = RootLock::Acquire(dir_ + "/file");
  EXPECT_FALSE(lock.ok());
}

int BindSocket(const std::string& path) {
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  return fd;
}

TEST_F(ClaimSocketPathTest, MissingPathIsFreeAndParentIsCreated) {
  EXPECT_TRUE(ClaimSocketPath(dir_ + "/run/x.sock").ok());
  EXPECT_EQ(access((dir_ + "/run").c_str(), F_OK), 0);
}

TEST_F(ClaimSocketPathTest, StaleSocketIsRemoved) {
  const std::string path = dir_ + "/stale.sock";
  close(BindSocket(path));  // bound, never listening: nobody answers
  ASSERT_TRUE(ClaimSocketPath(path).ok());
  EXPECT_NE(access(path.c_str(), F_OK), 0);
}

TEST_F(ClaimSocketPathTest, LiveSocketIsRefused) {
  const std::string path = dir_ + "/live.sock";
  int fd = BindSocket(path);
  ASSERT_EQ(listen(fd, 1), 0);
  absl::Status status = ClaimSocketPath(path);
  close(fd);
  EXPECT_TRUE(absl::IsFailedPrecondition(status)) << status;
  EXPECT_EQ(access(path.c_str(), F_OK), 0);
}

TEST_F(ClaimSocketPathTest, RegularFileIsRefused) {
  const std::string path = dir_ + "/plain";
  std::ofstream(path) << "data";
  EXPECT_TRUE(absl::IsFailedPrecondition(ClaimSocketPath(path)));
}

TEST_F(ClaimSocketPathTest, OverlongPathIsRefused) {
  EXPECT_TRUE(absl::IsInvalidArgument(
      ClaimSocketPath(dir_ + "/" + std::string(120, 'x') + ".sock")));
}

}  // namespace
}  // namespace berth
