#include "services/imaged/layer/unpack.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <functional>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/sha256.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/imaged/layer/test_util.h"

namespace berth {
namespace imaged {
namespace layer {
namespace {

using ::berth::imaged::layer::testing::Compress;
using ::berth::imaged::layer::testing::EntrySpec;
using ::berth::imaged::layer::testing::GetXattrOrNone;
using ::berth::imaged::layer::testing::ListNames;
using ::berth::imaged::layer::testing::Node;
using ::berth::imaged::layer::testing::RandomBytes;
using ::berth::imaged::layer::testing::ReadFileOrDie;
using ::berth::imaged::layer::testing::ReadTree;
using ::berth::imaged::layer::testing::TarBuilder;
using ::berth::imaged::layer::testing::WriteFileOrDie;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;

using UnpackTest = ::berth::imaged::layer::testing::UnpackFixture;

TEST_F(UnpackTest, PreservesTypesOwnershipModesTimesAndXattrs) {
  std::string tar = TarBuilder()
                        .Dir("etc/", 0755)
                        .Mtime(1500000000)
                        .File("etc/passwd", "root:x:0:0::/root:/bin/sh\n")
                        .Owner(1000, 1001)
                        .Mtime(1500000001, 250000000)
                        .Xattr("user.note", "hello")
                        .Xattr("trusted.berth", std::string("\0\1", 2))
                        .File("bin/su", "ELF-su", 04755)
                        .File("bin/sg", "ELF-sg", 02750)
                        .Owner(1000, 50)
                        .Dir("tmp/", 01777)
                        .Symlink("bin/sh", "/bin/busybox")
                        .Owner(5, 6)
                        .Mtime(1400000000)
                        .Hardlink("bin/su2", "bin/su")
                        .Device("dev/null", 'c', 1, 3)
                        .Device("dev/loop0", 'b', 7, 0)
                        .Fifo("run/fifo")
                        .Dir("opt/", 0700)
                        .Owner(33, 34)
                        .Xattr("user.dir", "d")
                        .Build();
  absl::StatusOr<UnpackResult> result = UnpackTarFromMemory(tar, dest_);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->entries, 11);
  EXPECT_EQ(result->unpacked_size, 26 + 6 + 6);
  EXPECT_EQ(result->diff_id, Sha256Digest(tar));
  EXPECT_EQ(result->tar_size, static_cast<int64_t>(tar.size()));

  std::map<std::string, Node> tree = ReadTree(dest_);
  const Node& passwd = tree["etc/passwd"];
  EXPECT_EQ(passwd.type, 'f');
  EXPECT_EQ(passwd.content, "root:x:0:0::/root:/bin/sh\n");
  EXPECT_EQ(passwd.mode, 0644u);
  EXPECT_EQ(passwd.uid, 1000u);
  EXPECT_EQ(passwd.gid, 1001u);
  EXPECT_EQ(passwd.mtime, 1500000001);
  EXPECT_THAT(passwd.xattrs,
              ElementsAre(Pair("trusted.berth", std::string("\0\1", 2)),
                          Pair("user.note", "hello")));
  // The directory's time survives the file created in it afterwards.
  EXPECT_EQ(tree["etc"].type, 'd');
  EXPECT_EQ(tree["etc"].mtime, 1500000000);
  EXPECT_EQ(tree["etc"].mode, 0755u);
  EXPECT_EQ(tree["bin"].mode, 0755u);  // Implied parent.
  EXPECT_EQ(tree["bin/su"].mode, 04755u);
  EXPECT_EQ(tree["bin/sg"].mode, 02750u);  // setgid survives the chown.
  EXPECT_EQ(tree["bin/sg"].uid, 1000u);
  EXPECT_EQ(tree["bin/sg"].gid, 50u);
  EXPECT_EQ(tree["tmp"].mode, 01777u);
  EXPECT_EQ(tree["bin/sh"].type, 'l');
  EXPECT_EQ(tree["bin/sh"].link, "/bin/busybox");
  EXPECT_EQ(tree["bin/sh"].uid, 5u);
  EXPECT_EQ(tree["bin/sh"].gid, 6u);
  EXPECT_EQ(tree["bin/sh"].mtime, 1400000000);
  EXPECT_EQ(tree["bin/su2"].link_group, "bin/su");
  EXPECT_EQ(tree["bin/su"].link_group, "bin/su");
  EXPECT_EQ(tree["dev/null"].type, 'c');
  EXPECT_EQ(tree["dev/null"].rdev_major, 1u);
  EXPECT_EQ(tree["dev/null"].rdev_minor, 3u);
  EXPECT_EQ(tree["dev/null"].mode, 0660u);
  EXPECT_EQ(tree["dev/loop0"].type, 'b');
  EXPECT_EQ(tree["dev/loop0"].rdev_major, 7u);
  EXPECT_EQ(tree["run/fifo"].type, 'p');
  EXPECT_EQ(tree["opt"].mode, 0700u);
  EXPECT_EQ(tree["opt"].uid, 33u);
  EXPECT_EQ(tree["opt"].gid, 34u);
  EXPECT_THAT(tree["opt"].xattrs, ElementsAre(Pair("user.dir", "d")));
}

TEST_F(UnpackTest, SubsecondMtimeFromPaxHeader) {
  EntrySpec spec;
  spec.path = "f";
  spec.data = "x";
  spec.mtime = 1500000000;
  spec.mtime_nsec = 123456789;
  spec.xattrs = {{"user.x", "y"}};  // Forces a PAX header, which has time.
  std::string tar = TarBuilder().Add(spec).Build();
  ASSERT_TRUE(UnpackTarFromMemory(tar, dest_).ok());
  std::map<std::string, Node> tree = ReadTree(dest_);
  EXPECT_EQ(tree["f"].mtime, 1500000000);
  EXPECT_EQ(tree["f"].mtime_nsec, 123456789);
}

TEST_F(UnpackTest, RootEntryAppliesToTheDestination) {
  std::string tar =
      TarBuilder().Dir("./", 0750).Owner(7, 8).File("./a", "x").Build();
  ASSERT_TRUE(UnpackTarFromMemory(tar, dest_).ok());
  struct stat st;
  ASSERT_EQ(stat(dest_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0750u);
  EXPECT_EQ(st.st_uid, 7u);
  EXPECT_THAT(ListNames(dest_), ElementsAre("a"));
}

TEST_F(UnpackTest, NormalizesAbsoluteAndDotPaths) {
  std::string tar = TarBuilder()
                        .File("/etc/hosts", "h")
                        .File("./a/./b//c", "c")
                        .Symlink("up", "../../../..")
                        .Build();
  ASSERT_TRUE(UnpackTarFromMemory(tar, dest_).ok());
  EXPECT_EQ(ReadFileOrDie(dest_ + "/etc/hosts"), "h");
  EXPECT_EQ(ReadFileOrDie(dest_ + "/a/b/c"), "c");
  // Symlinks may point anywhere; they are never followed.
  EXPECT_EQ(ReadTree(dest_)["up"].link, "../../../..");
}

TEST_F(UnpackTest, NonAsciiNamesKeepTheirBytes) {
  std::string tar =
      TarBuilder().File("caf\xc3\xa9", "utf8").File("raw\xff", "latin").Build();
  ASSERT_TRUE(UnpackTarFromMemory(tar, dest_).ok());
  EXPECT_THAT(ListNames(dest_), ElementsAre("caf\xc3\xa9", "raw\xff"));
}

TEST_F(UnpackTest, LargeFileContentIsExact) {
  const std::string data = RandomBytes((8 << 20) + 777);
  std::string tar = TarBuilder().File("big", data).Build();
  absl::StatusOr<UnpackResult> result = UnpackTarFromMemory(tar, dest_);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->unpacked_size, static_cast<int64_t>(data.size()));
  EXPECT_TRUE(ReadFileOrDie(dest_ + "/big") == data);
}

TEST_F(UnpackTest, ReplacedEntriesAreUnlinkedNotWrittenThrough) {
  std::string tar = TarBuilder()
                        .File("a", "old")
                        .Hardlink("b", "a")
                        .File("a", "new")  // b keeps the old inode.
                        .File("x", "1")
                        .Dir("x/")
                        .File("x/y", "y")
                        .File("x", "2")  // Replaces the whole directory.
                        .Dir("d/", 0700)
                        .Dir("d/", 0755)  // Merges; the last mode wins.
                        .Build();
  ASSERT_TRUE(UnpackTarFromMemory(tar, dest_).ok());
  std::map<std::string, Node> tree = ReadTree(dest_);
  EXPECT_EQ(tree["a"].content, "new");
  EXPECT_EQ(tree["b"].content, "old");
  EXPECT_EQ(tree["x"].type, 'f');
  EXPECT_EQ(tree["x"].content, "2");
  EXPECT_EQ(tree.count("x/y"), 0u);
  EXPECT_EQ(tree["d"].mode, 0755u);
}

TEST_F(UnpackTest, SymlinkReplacedByFileIsNotFollowed) {
  std::string tar = TarBuilder()
                        .Symlink("a", sentinel_ + "/victim")
                        .File("a", "data")
                        .Symlink("d", sentinel_)
                        .Dir("d/")
                        .File("d/f", "inside")
                        .Symlink("l", sentinel_)
                        .Symlink("l", "elsewhere")
                        .Build();
  absl::StatusOr<UnpackResult> result = UnpackTarFromMemory(tar, dest_);
  ASSERT_TRUE(result.ok()) << result.status();
  std::map<std::string, Node> tree = ReadTree(dest_);
  EXPECT_EQ(tree["a"].type, 'f');
  EXPECT_EQ(tree["a"].content, "data");
  EXPECT_EQ(tree["d"].type, 'd');
  EXPECT_EQ(tree["d/f"].content, "inside");
  EXPECT_EQ(tree["l"].link, "elsewhere");
  EXPECT_THAT(ListNames(sentinel_), IsEmpty());
}

TEST_F(UnpackTest, HardlinkToSymlinkLinksTheSymlinkItself) {
  std::string tar =
      TarBuilder().Symlink("s", "/etc/passwd").Hardlink("h", "s").Build();
  ASSERT_TRUE(UnpackTarFromMemory(tar, dest_).ok());
  std::map<std::string, Node> tree = ReadTree(dest_);
  EXPECT_EQ(tree["h"].type, 'l');
  EXPECT_EQ(tree["h"].link_group, "h");
}

// ---- Whiteouts ----

TEST_F(UnpackTest, WhiteoutsBecomeOverlayWhiteouts) {
  std::string tar = TarBuilder()
                        .Dir("a/")
                        .File("a/.wh.gone", "")
                        .File(".wh.top", "")
                        .Owner(7, 8)
                        .File("b/.wh..wh..opq", "")  // b is implied.
                        .Dir("c/")
                        .File("c/.wh..wh..opq", "")
                        .File("c/keep", "k")
                        .File("e/.wh..wh.plnk", "")
                        .File(".wh..wh.plnk/123.456", "aufs")
                        .File("f", "replaced by a whiteout")
                        .File(".wh.f", "")
                        .Build();
  absl::StatusOr<UnpackResult> result = UnpackTarFromMemory(tar, dest_);
  ASSERT_TRUE(result.ok()) << result.status();
  std::map<std::string, Node> tree = ReadTree(dest_);
  for (const char* whiteout : {"a/gone", "top", "f"}) {
    EXPECT_EQ(tree[whiteout].type, 'c') << whiteout;
    EXPECT_EQ(tree[whiteout].rdev_major, 0u) << whiteout;
    EXPECT_EQ(tree[whiteout].rdev_minor, 0u) << whiteout;
  }
  EXPECT_EQ(tree["top"].uid, 7u);
  EXPECT_EQ(tree["top"].gid, 8u);
  EXPECT_EQ(GetXattrOrNone(dest_ + "/b", "trusted.overlay.opaque"), "y");
  EXPECT_EQ(GetXattrOrNone(dest_ + "/c", "trusted.overlay.opaque"), "y");
  EXPECT_EQ(GetXattrOrNone(dest_ + "/a", "trusted.overlay.opaque"), "<none>");
  EXPECT_EQ(tree["c/keep"].content, "k");
  for (const auto& [path, node] : tree) {
    EXPECT_THAT(path, ::testing::Not(HasSubstr(".wh."))) << path;
  }
}

TEST_F(UnpackTest, OverlayXattrsFromTheTarAreDropped) {
  std::string tar = TarBuilder()
                        .Dir("d/")
                        .Xattr("trusted.overlay.redirect", "/etc")
                        .Xattr("trusted.overlay.opaque", "y")
                        .Xattr("user.kept", "1")
                        .Build();
  ASSERT_TRUE(UnpackTarFromMemory(tar, dest_).ok());
  EXPECT_THAT(ReadTree(dest_)["d"].xattrs, ElementsAre(Pair("user.kept", "1")));
}
// ---- Archive mode ----

TEST_F(UnpackTest, ArchiveModeAllowsOnlyFilesAndDirectories) {
  UnpackOptions options;
  options.mode = UnpackMode::kArchive;
  ExpectRejected(TarBuilder().File("a", "x").Symlink("link", "a").Build(),
                 "link", options);
  ExpectRejected(TarBuilder().Device("dev/null", 'c', 1, 3).Build(), "dev/null",
                 options);
  ExpectRejected(TarBuilder().Fifo("fifo").Build(), "fifo", options);
  ExpectRejected(TarBuilder().File("a", "x").Hardlink("b", "a").Build(), "b",
                 options);

  std::string tar = TarBuilder()
                        .Dir("blobs/sha256/")
                        .File("blobs/sha256/abc", "blob", 04755)
                        .Owner(1000, 1000)
                        .File("manifest.json", "[]")
                        .File(".wh.kept", "")
                        .Build();
  absl::StatusOr<UnpackResult> result =
      UnpackTarFromMemory(tar, dest_, options);
  ASSERT_TRUE(result.ok()) << result.status();
  std::map<std::string, Node> tree = ReadTree(dest_);
  EXPECT_EQ(tree["blobs/sha256/abc"].content, "blob");
  EXPECT_EQ(tree["blobs/sha256/abc"].mode, 0755u);  // No setuid.
  EXPECT_EQ(tree["blobs/sha256/abc"].uid, 0u);      // No chown.
  EXPECT_EQ(tree[".wh.kept"].type, 'f');
}

// ---- Digests, compression, tee ----

class CompressionTest : public UnpackTest,
                        public ::testing::WithParamInterface<const char*> {};

TEST_P(CompressionTest, DiffIdIsTheDigestOfTheUncompressedTar) {
  std::string tar = TarBuilder()
                        .Dir("d/")
                        .File("d/data", RandomBytes(3 << 20))
                        .File("d/small", "s")
                        .Build();
  std::string filter = GetParam();
  std::string input = filter == "none" ? tar : Compress(tar, filter);
  absl::StatusOr<UnpackResult> result = UnpackTarFromMemory(input, dest_);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->diff_id, Sha256Digest(tar));
  EXPECT_EQ(result->tar_size, static_cast<int64_t>(tar.size()));
  EXPECT_EQ(result->entries, 3);
  EXPECT_EQ(ReadFileOrDie(dest_ + "/d/small"), "s");
}

TEST_P(CompressionTest, FileInputAndTeeGiveThePlainTar) {
  std::string tar = TarBuilder().File("a", RandomBytes(1 << 20)).Build();
  // Bytes after the end-of-archive blocks are part of the stream too.
  tar += std::string(4096, '\0') + "trailing";
  std::string filter = GetParam();
  std::string input = filter == "none" ? tar : Compress(tar, filter);
  const std::string source = tmp_.path() + "/input";
  WriteFileOrDie(source, input);
  UnpackOptions options;
  options.tee_path = tmp_.path() + "/tee.tar";
  absl::StatusOr<UnpackResult> result = UnpackTar(source, dest_, options);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->diff_id, Sha256Digest(tar));
  EXPECT_TRUE(ReadFileOrDie(options.tee_path) == tar);
  absl::StatusOr<std::string> tee_digest = Sha256File(options.tee_path);
  ASSERT_TRUE(tee_digest.ok());
  EXPECT_EQ(*tee_digest, result->diff_id);
  struct stat st;
  ASSERT_EQ(stat(options.tee_path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_P(CompressionTest, IsCompressedFileTellsPlainTarsApart) {
  std::string tar = TarBuilder().File("a", "x").Build();
  std::string filter = GetParam();
  const std::string source = tmp_.path() + "/input";
  WriteFileOrDie(source, filter == "none" ? tar : Compress(tar, filter));
  absl::StatusOr<bool> compressed = IsCompressedFile(source);
  ASSERT_TRUE(compressed.ok()) << compressed.status();
  EXPECT_EQ(*compressed, filter != "none");
}

TEST_F(UnpackTest, DigestCanBeSkipped) {
  UnpackOptions options;
  options.compute_digest = false;
  absl::StatusOr<UnpackResult> result = UnpackTarFromMemory(
      TarBuilder().File("a", "x").Build(), dest_, options);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->diff_id, "");
  EXPECT_EQ(ReadFileOrDie(dest_ + "/a"), "x");
}

TEST_F(UnpackTest, ReadsFromAPipe) {
  const std::string tar = TarBuilder().File("a", RandomBytes(3 << 20)).Build();
  const std::string gz = Compress(tar, "gzip");
  const std::string fifo = tmp_.path() + "/fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  std::thread writer([&] {
    int fd = open(fifo.c_str(), O_WRONLY | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    EXPECT_EQ(write(fd, gz.data(), gz.size()), static_cast<ssize_t>(gz.size()));
    close(fd);
  });
  absl::StatusOr<UnpackResult> result = UnpackTar(fifo, dest_);
  writer.join();
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->diff_id, Sha256Digest(tar));
  EXPECT_EQ(result->unpacked_size, 3 << 20);
}

INSTANTIATE_TEST_SUITE_P(Filters, CompressionTest,
                         ::testing::Values("none", "gzip", "bzip2", "xz",
                                           "zstd"));

}  // namespace
}  // namespace layer
}  // namespace imaged
}  // namespace berth
