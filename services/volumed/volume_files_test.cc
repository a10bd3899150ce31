#include "services/volumed/volume_files.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <string>

#include "gtest/gtest.h"

namespace berth::volumed {
namespace {

class VolumeFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/volumed-files-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    src_ = dir_ + "/src";
    dst_ = dir_ + "/dst";
    ASSERT_EQ(mkdir(src_.c_str(), 0750), 0);
    ASSERT_EQ(mkdir(dst_.c_str(), 0755), 0);
    files_ = NewHostVolumeFiles();
  }
  void TearDown() override { std::system(("rm -rf " + dir_).c_str()); }

  static void Write(const std::string& path, const std::string& data) {
    std::ofstream(path) << data;
  }
  static std::string Read(const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  static struct stat Lstat(const std::string& path) {
    struct stat st = {};
    EXPECT_EQ(lstat(path.c_str(), &st), 0) << path;
    return st;
  }

  std::string dir_, src_, dst_;
  std::unique_ptr<VolumeFiles> files_;
};

TEST_F(VolumeFilesTest, CopyTreeKeepsWhatAContainerWouldNotice) {
  ASSERT_EQ(mkdir((src_ + "/etc").c_str(), 0711), 0);
  Write(src_ + "/etc/conf", "hello");
  ASSERT_EQ(chmod((src_ + "/etc/conf").c_str(), 04751), 0);
  ASSERT_EQ(chown((src_ + "/etc/conf").c_str(), 1234, 5678), 0);
  ASSERT_EQ(chmod((src_ + "/etc/conf").c_str(), 04751), 0);  // chown cleared suid
  ASSERT_EQ(chown((src_ + "/etc").c_str(), 42, 43), 0);
  ASSERT_EQ(symlink("etc/conf", (src_ + "/link").c_str()), 0);
  ASSERT_EQ(lchown((src_ + "/link").c_str(), 7, 8), 0);
  ASSERT_EQ(link((src_ + "/etc/conf").c_str(), (src_ + "/hard").c_str()), 0);
  ASSERT_EQ(mkfifo((src_ + "/fifo").c_str(), 0640), 0);
  ASSERT_EQ(mknod((src_ + "/null").c_str(), S_IFCHR | 0666, makedev(1, 3)), 0);
  const struct timespec times[2] = {{1000000, 0}, {2000000, 0}};
  ASSERT_EQ(utimensat(AT_FDCWD, (src_ + "/etc/conf").c_str(), times, 0), 0);
  const bool xattrs =
      setxattr((src_ + "/etc/conf").c_str(), "user.origin", "image", 5, 0) == 0;
  ASSERT_EQ(chown(src_.c_str(), 99, 98), 0);

  absl::StatusOr<bool> copied = files_->CopyTree(src_, dst_);
  ASSERT_TRUE(copied.ok()) << copied.status();
  EXPECT_TRUE(*copied);

  EXPECT_EQ(Read(dst_ + "/etc/conf"), "hello");
  struct stat conf = Lstat(dst_ + "/etc/conf");
  EXPECT_EQ(conf.st_mode & 07777, 04751u);
  EXPECT_EQ(conf.st_uid, 1234u);
  EXPECT_EQ(conf.st_gid, 5678u);
  EXPECT_EQ(conf.st_mtim.tv_sec, 2000000);
  struct stat etc = Lstat(dst_ + "/etc");
  EXPECT_EQ(etc.st_mode & 07777, 0711u);
  EXPECT_EQ(etc.st_uid, 42u);
  struct stat link_st = Lstat(dst_ + "/link");
  ASSERT_TRUE(S_ISLNK(link_st.st_mode));
  EXPECT_EQ(link_st.st_uid, 7u);
  char target[64] = {};
  ASSERT_GT(readlink((dst_ + "/link").c_str(), target, sizeof(target) - 1), 0);
  EXPECT_STREQ(target, "etc/conf");
  EXPECT_EQ(Lstat(dst_ + "/hard").st_ino, conf.st_ino);
  EXPECT_TRUE(S_ISFIFO(Lstat(dst_ + "/fifo").st_mode));
  EXPECT_EQ(Lstat(dst_ + "/fifo").st_mode & 07777, 0640u);
  struct stat null_st = Lstat(dst_ + "/null");
  EXPECT_TRUE(S_ISCHR(null_st.st_mode));
  EXPECT_EQ(null_st.st_rdev, makedev(1, 3));
  if (xattrs) {
    char value[16] = {};
    EXPECT_EQ(getxattr((dst_ + "/etc/conf").c_str(), "user.origin", value,
                       sizeof(value)),
              5);
    EXPECT_STREQ(value, "image");
  }
  // The volume's root takes the source directory's owner and mode.
  struct stat root = Lstat(dst_);
  EXPECT_EQ(root.st_uid, 99u);
  EXPECT_EQ(root.st_gid, 98u);
  EXPECT_EQ(root.st_mode & 07777, 0750u);
}

TEST_F(VolumeFilesTest, CopyTreeOfAMissingOrNonDirectorySourceCopiesNothing) {
  absl::StatusOr<bool> copied = files_->CopyTree(dir_ + "/missing", dst_);
  ASSERT_TRUE(copied.ok()) << copied.status();
  EXPECT_FALSE(*copied);
  Write(dir_ + "/file", "x");
  copied = files_->CopyTree(dir_ + "/file", dst_);
  ASSERT_TRUE(copied.ok()) << copied.status();
  EXPECT_FALSE(*copied);
  EXPECT_TRUE(*files_->IsEmptyDir(dst_));
}

// Docker's volume size: the files' apparent sizes (a 3-byte file is 3B,
// not a 4 KiB block), directories not counted, hard links once.
TEST_F(VolumeFilesTest, DiskUsageCountsHardLinksOnce) {
  EXPECT_EQ(*files_->DiskUsage(dst_), 0);
  Write(dst_ + "/big", std::string(64 * 1024, 'x'));
  ASSERT_EQ(mkdir((dst_ + "/sub").c_str(), 0755), 0);
  Write(dst_ + "/sub/small", "abc");
  absl::StatusOr<int64_t> one = files_->DiskUsage(dst_);
  ASSERT_TRUE(one.ok()) << one.status();
  EXPECT_EQ(*one, 64 * 1024 + 3);
  ASSERT_EQ(link((dst_ + "/big").c_str(), (dst_ + "/again").c_str()), 0);
  EXPECT_EQ(*files_->DiskUsage(dst_), *one);
  EXPECT_EQ(*files_->DiskUsage(dir_ + "/missing"), 0);
}

TEST_F(VolumeFilesTest, ResolveBeneathStaysInside) {
  ASSERT_EQ(mkdir((dst_ + "/sub").c_str(), 0755), 0);
  ASSERT_EQ(symlink("sub", (dst_ + "/inside").c_str()), 0);
  ASSERT_EQ(symlink("/etc", (dst_ + "/outside").c_str()), 0);
  ASSERT_EQ(symlink("../../", (dst_ + "/up").c_str()), 0);
  absl::StatusOr<std::string> sub = files_->ResolveBeneath(dst_, "sub");
  ASSERT_TRUE(sub.ok()) << sub.status();
  EXPECT_EQ(*sub, dst_ + "/sub");
  absl::StatusOr<std::string> inside = files_->ResolveBeneath(dst_, "inside");
  ASSERT_TRUE(inside.ok()) << inside.status();
  EXPECT_EQ(*inside, dst_ + "/sub");
  EXPECT_EQ(files_->ResolveBeneath(dst_, "outside").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(files_->ResolveBeneath(dst_, "up").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(files_->ResolveBeneath(dst_, "nope").status().code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace berth::volumed
