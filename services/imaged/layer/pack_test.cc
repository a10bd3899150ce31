#include "services/imaged/layer/pack.h"

#include <fcntl.h>
#include <ftw.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "common/sha256.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/imaged/layer/test_util.h"
#include "services/imaged/layer/unpack.h"

namespace berth {
namespace imaged {
namespace layer {
namespace {

using ::berth::imaged::layer::testing::ListNames;
using ::berth::imaged::layer::testing::Node;
using ::berth::imaged::layer::testing::ReadFileOrDie;
using ::berth::imaged::layer::testing::ReadTree;
using ::berth::imaged::layer::testing::TarListing;
using ::berth::imaged::layer::testing::TempDir;
using ::berth::imaged::layer::testing::WriteFileOrDie;
using ::testing::ElementsAre;

#define ASSERT_SYSCALL(call) \
  ASSERT_EQ((call), 0) << #call << ": " << strerror(errno)

int SetTime(const char* path, const struct stat*, int, struct FTW*) {
  struct timespec times[2] = {{1600000000, 0}, {1600000000, 0}};
  return utimensat(AT_FDCWD, path, times, AT_SYMLINK_NOFOLLOW);
}

class PackTest : public ::testing::Test {
 protected:
  // An upper dir as a container leaves it: files with owners, modes and
  // xattrs, links of both kinds, devices, whiteouts (two sharing an inode,
  // as overlayfs makes them), an opaque directory, overlay bookkeeping
  // xattrs and a socket.
  void MakeUpper() {
    const std::string& u = upper_;
    ASSERT_SYSCALL(mkdir((u + "/etc").c_str(), 0755));
    WriteFileOrDie(u + "/etc/passwd", "root:x:0:0::/root:/bin/sh\n");
    ASSERT_SYSCALL(chown((u + "/etc/passwd").c_str(), 1000, 1001));
    ASSERT_SYSCALL(
        setxattr((u + "/etc/passwd").c_str(), "user.note", "hi", 2, 0));
    ASSERT_SYSCALL(
        setxattr((u + "/etc").c_str(), "trusted.overlay.origin", "x", 1, 0));
    ASSERT_SYSCALL(mkdir((u + "/bin").c_str(), 0755));
    WriteFileOrDie(u + "/bin/su", std::string(100000, 's'));
    ASSERT_SYSCALL(chmod((u + "/bin/su").c_str(), 04755));
    ASSERT_SYSCALL(link((u + "/bin/su").c_str(), (u + "/bin/su2").c_str()));
    ASSERT_SYSCALL(symlink("/bin/busybox", (u + "/bin/sh").c_str()));
    ASSERT_SYSCALL(lchown((u + "/bin/sh").c_str(), 5, 6));
    ASSERT_SYSCALL(mkdir((u + "/dev").c_str(), 0755));
    ASSERT_SYSCALL(
        mknod((u + "/dev/null").c_str(), S_IFCHR | 0666, makedev(1, 3)));
    ASSERT_SYSCALL(
        mknod((u + "/dev/loop0").c_str(), S_IFBLK | 0660, makedev(7, 0)));
    ASSERT_SYSCALL(mkdir((u + "/run").c_str(), 01777));
    ASSERT_SYSCALL(chmod((u + "/run").c_str(), 01777));
    ASSERT_SYSCALL(mkfifo((u + "/run/fifo").c_str(), 0600));
    ASSERT_SYSCALL(mknod((u + "/gone").c_str(), S_IFCHR, makedev(0, 0)));
    ASSERT_SYSCALL(link((u + "/gone").c_str(), (u + "/etc/gone2").c_str()));
    ASSERT_SYSCALL(mkdir((u + "/opaque").c_str(), 0750));
    ASSERT_SYSCALL(
        setxattr((u + "/opaque").c_str(), "trusted.overlay.opaque", "y", 1, 0));
    WriteFileOrDie(u + "/opaque/new", "n");
    int sock = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un addr = {};
    addr.sun_family = AF_UNIX;
    std::string sock_path = u + "/run/sock";
    ASSERT_LT(sock_path.size(), sizeof(addr.sun_path));
    std::strcpy(addr.sun_path, sock_path.c_str());
    ASSERT_SYSCALL(
        bind(sock, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)));
    close(sock);
    ASSERT_SYSCALL(nftw(u.c_str(), SetTime, 16, FTW_DEPTH | FTW_PHYS));
  }

  TempDir tmp_;
  const std::string upper_ = tmp_.MakeDir("upper");
};

TEST_F(PackTest, WritesSortedEntriesInLayerForm) {
  MakeUpper();
  const std::string out = tmp_.path() + "/layer.tar";
  absl::StatusOr<PackResult> result = PackDirectory(upper_, out);
  ASSERT_TRUE(result.ok()) << result.status();
  const std::string tar = ReadFileOrDie(out);
  EXPECT_EQ(result->diff_id, Sha256Digest(tar));
  EXPECT_EQ(result->tar_size, static_cast<int64_t>(tar.size()));
  EXPECT_THAT(
      TarListing(tar),
      ElementsAre(".wh.gone", "bin/", "bin/sh -> /bin/busybox", "bin/su",
                  "bin/su2 link to bin/su", "dev/", "dev/loop0", "dev/null",
                  "etc/", "etc/.wh.gone2", "etc/passwd", "opaque/",
                  "opaque/.wh..wh..opq", "opaque/new", "run/", "run/fifo"));
  EXPECT_EQ(tar.find("trusted.overlay"), std::string::npos);
  EXPECT_NE(tar.find("SCHILY.xattr.user.note=hi"), std::string::npos);
}

TEST_F(PackTest, UnpackingThePackGivesTheSameTree) {
  MakeUpper();
  const std::string out = tmp_.path() + "/layer.tar";
  absl::StatusOr<PackResult> packed = PackDirectory(upper_, out);
  ASSERT_TRUE(packed.ok()) << packed.status();
  const std::string dest = tmp_.MakeDir("dest");
  absl::StatusOr<UnpackResult> unpacked = UnpackTar(out, dest);
  ASSERT_TRUE(unpacked.ok()) << unpacked.status();
  EXPECT_EQ(unpacked->diff_id, packed->diff_id);

  std::map<std::string, Node> expected = ReadTree(upper_);
  expected.erase("run/sock");      // Sockets are not packed.
  expected["etc"].xattrs.clear();  // trusted.overlay.origin is not packed.
  std::map<std::string, Node> actual = ReadTree(dest);
  EXPECT_EQ(actual, expected);
  for (const auto& [path, node] : expected) {
    EXPECT_EQ(actual[path], node) << path;
  }
  EXPECT_EQ(actual["bin/su2"].link_group, "bin/su");
  EXPECT_EQ(actual["opaque"].xattrs.size(), 1u);
}

TEST_F(PackTest, DiffIdIsStableAcrossPacks) {
  MakeUpper();
  absl::StatusOr<PackResult> first =
      PackDirectory(upper_, tmp_.path() + "/1.tar");
  absl::StatusOr<PackResult> second =
      PackDirectory(upper_, tmp_.path() + "/2.tar");
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(first->diff_id, second->diff_id);
  EXPECT_EQ(first->tar_size, second->tar_size);
  EXPECT_TRUE(ReadFileOrDie(tmp_.path() + "/1.tar") ==
              ReadFileOrDie(tmp_.path() + "/2.tar"));
  absl::StatusOr<std::string> digest = Sha256File(tmp_.path() + "/1.tar");
  ASSERT_TRUE(digest.ok());
  EXPECT_EQ(*digest, first->diff_id);
}

TEST_F(PackTest, EmptyDirectoryPacksToAnEmptyTar) {
  absl::StatusOr<PackResult> result =
      PackDirectory(upper_, tmp_.path() + "/empty.tar");
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->tar_size, 1024);
  EXPECT_EQ(result->diff_id, Sha256Digest(std::string(1024, '\0')));
}

TEST_F(PackTest, MissingDirectoryIsNotFoundAndLeavesNoOutput) {
  absl::StatusOr<PackResult> result =
      PackDirectory(tmp_.path() + "/missing", tmp_.path() + "/out.tar");
  EXPECT_TRUE(absl::IsNotFound(result.status())) << result.status();
  EXPECT_THAT(ListNames(tmp_.path()), ElementsAre("upper"));
}

}  // namespace
}  // namespace layer
}  // namespace imaged
}  // namespace berth
