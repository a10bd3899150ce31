#include "common/fs_util.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace berth {
namespace {

class FsUtilTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = MakeTempDir("/tmp", "berth-fs-test-");
    ASSERT_TRUE(dir.ok()) << dir.status();
    dir_ = *dir;
  }
  void TearDown() override { ASSERT_TRUE(RemoveTree(dir_).ok()); }
  std::string dir_;
};

TEST_F(FsUtilTest, RemoveTreeDoesNotFollowSymlinks) {
  auto outside = MakeTempDir("/tmp", "berth-fs-outside-");
  ASSERT_TRUE(outside.ok());
  std::ofstream(*outside + "/keep") << "x";
  ASSERT_EQ(mkdir((dir_ + "/tree").c_str(), 0755), 0);
  ASSERT_EQ(mkdir((dir_ + "/tree/sub").c_str(), 0755), 0);
  std::ofstream(dir_ + "/tree/sub/file") << "data";
  ASSERT_EQ(symlink(outside->c_str(), (dir_ + "/tree/link").c_str()), 0);

  ASSERT_TRUE(RemoveTree(dir_ + "/tree").ok());
  EXPECT_NE(access((dir_ + "/tree").c_str(), F_OK), 0);
  EXPECT_EQ(access((*outside + "/keep").c_str(), F_OK), 0);
  ASSERT_TRUE(RemoveTree(*outside).ok());
}

TEST_F(FsUtilTest, RemoveTreeOfMissingPathIsOk) {
  EXPECT_TRUE(RemoveTree(dir_ + "/missing").ok());
}

TEST_F(FsUtilTest, TreeSizeCountsRegularFilesOnly) {
  ASSERT_EQ(mkdir((dir_ + "/t").c_str(), 0755), 0);
  ASSERT_EQ(mkdir((dir_ + "/t/sub").c_str(), 0755), 0);
  std::ofstream(dir_ + "/t/a") << "12345";
  std::ofstream(dir_ + "/t/sub/b") << "123";
  ASSERT_EQ(symlink("/etc/passwd", (dir_ + "/t/link").c_str()), 0);
  absl::StatusOr<int64_t> size = TreeSize(dir_ + "/t");
  ASSERT_TRUE(size.ok()) << size.status();
  EXPECT_EQ(*size, 8);
  EXPECT_EQ(*TreeSize(dir_ + "/missing"), 0);
}

TEST_F(FsUtilTest, WriteAtomicThenRead) {
  const std::string path = dir_ + "/f";
  ASSERT_TRUE(WriteFileAtomic(path, "one").ok());
  ASSERT_TRUE(WriteFileAtomic(path, "two").ok());
  EXPECT_EQ(*ReadFileToString(path), "two");
  auto names = ListDir(dir_);
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, std::vector<std::string>{"f"});
}

// A temp file an earlier process with this pid left (mode 0666) kept its
// mode through O_CREAT: a 0600 file came out world-readable.
TEST_F(FsUtilTest, WriteAtomicSetsTheModeEvenOverAStaleTempFile) {
  const std::string path = dir_ + "/secret";
  const std::string stale = absl::StrCat(path, ".tmp-", getpid());
  ASSERT_TRUE(WriteFileAtomic(stale, "old", 0666).ok());
  ASSERT_EQ(chmod(stale.c_str(), 0666), 0);
  ASSERT_TRUE(WriteFileAtomic(path, "s3cret", 0600).ok());
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
}

TEST_F(FsUtilTest, RewriteInPlaceKeepsTheInode) {
  const std::string path = dir_ + "/hosts";
  ASSERT_TRUE(WriteFileAtomic(path, "a long first content\n").ok());
  struct stat before {};
  ASSERT_EQ(stat(path.c_str(), &before), 0);
  ASSERT_TRUE(RewriteFileInPlace(path, "short\n").ok());
  struct stat after {};
  ASSERT_EQ(stat(path.c_str(), &after), 0);
  EXPECT_EQ(before.st_ino, after.st_ino);
  EXPECT_EQ(*ReadFileToString(path), "short\n");
  EXPECT_TRUE(absl::IsNotFound(RewriteFileInPlace(dir_ + "/none", "x")));
}

TEST_F(FsUtilTest, ReadRefusesOversizedFile) {
  const std::string path = dir_ + "/big";
  ASSERT_TRUE(WriteFileAtomic(path, std::string(100, 'x')).ok());
  EXPECT_TRUE(absl::IsInvalidArgument(ReadFileToString(path, 10).status()));
  EXPECT_TRUE(absl::IsNotFound(ReadFileToString(dir_ + "/none").status()));
}

}  // namespace
}  // namespace berth
