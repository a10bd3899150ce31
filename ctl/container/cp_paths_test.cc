#include "ctl/container/cp_paths.h"

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "common/fs_util.h"
#include "gtest/gtest.h"

namespace berth::ctl::container_cli {
namespace {

using Pair = std::pair<std::string, std::string>;

TEST(SplitCpArgTest, ContainerOnlyWithoutLocalMarkers) {
  EXPECT_EQ(SplitCpArg("web:/etc/hosts"), Pair("web", "/etc/hosts"));
  EXPECT_EQ(SplitCpArg("web:"), Pair("web", ""));
  EXPECT_EQ(SplitCpArg("/abs/a:b"), Pair("", "/abs/a:b"));
  EXPECT_EQ(SplitCpArg("./file:name"), Pair("", "./file:name"));
  EXPECT_EQ(SplitCpArg("plain"), Pair("", "plain"));
  EXPECT_EQ(SplitCpArg("-"), Pair("", "-"));
}

TEST(GetRebaseNameTest, KeepsTheAskedName) {
  EXPECT_EQ(GetRebaseName("/a/link", "/a/target"), Pair("/a/target", "link"));
  EXPECT_EQ(GetRebaseName("/a/link/", "/b"), Pair("/b/", "link"));
  EXPECT_EQ(GetRebaseName("/a/link/.", "/b"), Pair("/b/.", ""));
  EXPECT_EQ(GetRebaseName("/a/same", "/b/same"), Pair("/b/same", ""));
}

CopyInfo Info(const std::string& path, bool exists, bool is_dir) {
  CopyInfo info;
  info.path = path;
  info.exists = exists;
  info.is_dir = is_dir;
  return info;
}

TEST(PrepareArchiveCopyTest, DockersCases) {
  // Into an existing directory: as it is.
  auto plan = PrepareArchiveCopy(Info("/src/f", true, false), Info("/d", true, true));
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->dst_dir, "/d");
  EXPECT_FALSE(plan->rebase);
  // A file over a file, or to a new name: the parent, renamed.
  plan = PrepareArchiveCopy(Info("/src/f", true, false), Info("/d/g", false, false));
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->dst_dir, "/d");
  EXPECT_EQ(plan->old_base, "f");
  EXPECT_EQ(plan->new_base, "g");
  // A directory's contents ("src/.") to a new directory.
  plan = PrepareArchiveCopy(Info("/src/.", true, true), Info("/new", false, false));
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->old_base, ".");
  EXPECT_EQ(RebaseEntryName("./a", plan->old_base, plan->new_base), "new/a");
  // Errors.
  EXPECT_EQ(PrepareArchiveCopy(Info("/src", true, true), Info("/f", true, false))
                .status()
                .message(),
            "cannot copy directory");
  EXPECT_EQ(PrepareArchiveCopy(Info("/src/f", true, false), Info("/nodir/", false, false))
                .status()
                .message(),
            "no such directory");
}

TEST(RebaseEntryNameTest, FirstOccurrenceOnly) {
  EXPECT_EQ(RebaseEntryName("f/f", "f", "g"), "g/f");
  EXPECT_EQ(RebaseEntryName("x", "f", "g"), "x");
  EXPECT_EQ(RebaseEntryName("/a", "/", "g"), "g/a");
}

class LocalPathsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = getenv("TEST_TMPDIR");
    dir_ = *MakeTempDir(tmp != nullptr ? tmp : "/tmp", "cp-paths-");
    dir_ = ResolveLocalPath(dir_);
    mkdir((dir_ + "/d").c_str(), 0755);
    std::ofstream(dir_ + "/f") << "x";
    symlink("d", (dir_ + "/to-d").c_str());
    symlink("f", (dir_ + "/to-f").c_str());
  }
  void TearDown() override { (void)RemoveTree(dir_); }
  std::string dir_;
};

TEST_F(LocalPathsTest, SourceFollowsOnlyWhenAsked) {
  auto link = CopyInfoSourcePath(dir_ + "/to-f", false);
  ASSERT_TRUE(link.ok());
  EXPECT_EQ(link->path, dir_ + "/to-f");
  EXPECT_FALSE(link->is_dir);
  auto followed = CopyInfoSourcePath(dir_ + "/to-d", true);
  ASSERT_TRUE(followed.ok());
  EXPECT_EQ(followed->path, dir_ + "/d");
  EXPECT_TRUE(followed->is_dir);
  EXPECT_EQ(followed->rebase_name, "to-d");
  EXPECT_EQ(CopyInfoSourcePath(dir_ + "/none", false).status().message(),
            "lstat " + dir_ + "/none: no such file or directory");
}

TEST_F(LocalPathsTest, DestinationFollowsLinksAndNeedsAParent) {
  auto dest = CopyInfoDestinationPath(dir_ + "/to-d");
  ASSERT_TRUE(dest.ok());
  EXPECT_EQ(dest->path, dir_ + "/d");
  EXPECT_TRUE(dest->is_dir);
  auto fresh = CopyInfoDestinationPath(dir_ + "/new");
  ASSERT_TRUE(fresh.ok());
  EXPECT_FALSE(fresh->exists);
  EXPECT_FALSE(CopyInfoDestinationPath(dir_ + "/no/new").ok());
  EXPECT_EQ(CopyInfoDestinationPath(dir_ + "/f/new").status().message(),
            "lstat " + dir_ + "/f/new: not a directory");
}

TEST_F(LocalPathsTest, OutputPathNeedsItsDirectory) {
  EXPECT_TRUE(ValidateOutputPath(dir_ + "/new").ok());
  EXPECT_EQ(ValidateOutputPath(dir_ + "/no/new").message(),
            "invalid output path: directory \"" + dir_ + "/no\" does not exist");
  EXPECT_FALSE(ValidateOutputPath("/dev/null").ok());
}

}  // namespace
}  // namespace berth::ctl::container_cli
