#include "services/containerd/runtime/secure_path.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fs_util.h"
#include "gtest/gtest.h"

namespace berth {
namespace containerd {
namespace runtime {
namespace {

class SecurePathTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* base = getenv("TEST_TMPDIR");
    temp_ = *MakeTempDir(base ? base : "/tmp", "securepath-");
    root_ = temp_ + "/root";
    ASSERT_EQ(mkdir(root_.c_str(), 0755), 0);
    ASSERT_EQ(mkdir((root_ + "/etc").c_str(), 0755), 0);
    ASSERT_EQ(mkdir((temp_ + "/outside").c_str(), 0755), 0);
  }
  void TearDown() override { (void)RemoveTree(temp_); }
  void Link(const std::string& target, const std::string& name) {
    ASSERT_EQ(symlink(target.c_str(), (root_ + "/" + name).c_str()), 0);
  }
  std::string temp_, root_;
};

TEST_F(SecurePathTest, CleansPaths) {
  EXPECT_EQ(*ResolveInRoot(root_, "/"), "");
  EXPECT_EQ(*ResolveInRoot(root_, "/etc/./hosts"), "etc/hosts");
  EXPECT_EQ(*ResolveInRoot(root_, "../../etc/../../x/y"), "x/y");
}

TEST_F(SecurePathTest, SymlinksResolveInsideTheRoot) {
  Link(temp_ + "/outside", "abs");
  Link("../../../outside", "rel");
  Link("etc", "e");
  Link("/etc/missing", "etc/m");
  EXPECT_EQ(*ResolveInRoot(root_, "/abs/file"), temp_.substr(1) + "/outside/file");
  EXPECT_EQ(*ResolveInRoot(root_, "/rel/file"), "outside/file");
  EXPECT_EQ(*ResolveInRoot(root_, "/e/hosts"), "etc/hosts");
  EXPECT_EQ(*ResolveInRoot(root_, "/e/m"), "etc/missing");
}

TEST_F(SecurePathTest, LoopsAreRefused) {
  Link("b", "a");
  Link("a", "b");
  EXPECT_FALSE(ResolveInRoot(root_, "/a").ok());
}

TEST_F(SecurePathTest, CreatesTargetsInsideTheRoot) {
  Link(temp_ + "/outside", "abs");
  absl::StatusOr<std::string> rel = ResolveInRoot(root_, "/abs/new/file");
  ASSERT_TRUE(rel.ok()) << rel.status();
  absl::StatusOr<PathFd> fd = OpenOrCreateInRoot(root_, *rel, TargetKind::kFile);
  ASSERT_TRUE(fd.ok()) << fd.status();
  struct stat st;
  EXPECT_EQ(stat((temp_ + "/outside/new").c_str(), &st), -1);
  // The link was followed as if root_ were "/": abs -> root_/<temp_>/outside.
  EXPECT_EQ(stat((root_ + temp_ + "/outside/new/file").c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));

  fd = OpenOrCreateInRoot(root_, "etc/dir/sub", TargetKind::kDirectory);
  ASSERT_TRUE(fd.ok()) << fd.status();
  ASSERT_EQ(stat((root_ + "/etc/dir/sub").c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));

  // A dangling link met on the way (swapped in after ResolveInRoot) is still
  // followed inside the root: it fails rather than create anything outside.
  Link(temp_ + "/outside/swapped", "swap");
  EXPECT_FALSE(OpenOrCreateInRoot(root_, "swap/x", TargetKind::kDirectory).ok());
  EXPECT_EQ(stat((temp_ + "/outside/swapped").c_str(), &st), -1);
}

}  // namespace
}  // namespace runtime
}  // namespace containerd
}  // namespace berth
