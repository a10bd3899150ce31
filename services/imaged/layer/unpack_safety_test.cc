// Unpacking hostile input: every way out of the destination, damaged or
// oversized input, and limits. Each must fail with a clear error, leaving
// nothing written anywhere.
#include <functional>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/sha256.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/imaged/layer/test_util.h"
#include "services/imaged/layer/unpack.h"

namespace berth {
namespace imaged {
namespace layer {
namespace {

using ::berth::imaged::layer::testing::Compress;
using ::berth::imaged::layer::testing::ListNames;
using ::berth::imaged::layer::testing::Pad512;
using ::berth::imaged::layer::testing::RandomBytes;
using ::berth::imaged::layer::testing::TarBuilder;
using ::berth::imaged::layer::testing::TarEnd;
using ::berth::imaged::layer::testing::UstarHeader;
using ::berth::imaged::layer::testing::WriteFileOrDie;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

using UnpackSafetyTest = ::berth::imaged::layer::testing::UnpackFixture;

// ---- Escapes: each is refused naming the entry, leaving nothing ----

struct EscapeCase {
  std::string name;
  // The tar, given the absolute path of a sentinel directory beside dest.
  std::function<std::string(const std::string& sentinel)> tar;
  std::string entry;  // The entry the error must name.
  // Whether kArchive mode refuses it too (it has no whiteouts).
  bool archive_too = true;
};

class EscapeTest : public UnpackSafetyTest,
                   public ::testing::WithParamInterface<EscapeCase> {};

TEST_P(EscapeTest, RefusedNamingTheEntryWithNothingWritten) {
  ExpectRejected(GetParam().tar(sentinel_), GetParam().entry);
}

TEST_P(EscapeTest, RefusedInArchiveModeToo) {
  if (!GetParam().archive_too) GTEST_SKIP() << "a plain name in an archive";
  UnpackOptions options;
  options.mode = UnpackMode::kArchive;
  absl::StatusOr<UnpackResult> result =
      UnpackTarFromMemory(GetParam().tar(sentinel_), dest_, options);
  EXPECT_TRUE(absl::IsInvalidArgument(result.status())) << result.status();
  ExpectNothingLeft();
}

std::vector<EscapeCase> EscapeCases() {
  return {
      {"DotDot",
       [](const std::string&) {
         return TarBuilder().File("ok", "x").File("../evil", "x").Build();
       },
       "../evil"},
      {"AbsoluteDotDot",
       [](const std::string&) {
         return TarBuilder().File("/abs/../../evil", "x").Build();
       },
       "/abs/../../evil"},
      {"InnerDotDot",
       [](const std::string&) {
         return TarBuilder().Dir("a/").File("a/../../evil", "x").Build();
       },
       "a/../../evil"},
      {"DotDotDirectory",
       [](const std::string&) { return TarBuilder().Dir("../evil/").Build(); },
       "../evil/"},
      {"WriteThroughAbsoluteSymlink",
       [](const std::string& sentinel) {
         return TarBuilder()
             .Symlink("link", sentinel)
             .File("link/evil", "x")
             .Build();
       },
       "link/evil"},
      {"WriteThroughRelativeSymlink",
       [](const std::string&) {
         return TarBuilder()
             .Symlink("link", "../sentinel")
             .File("link/evil", "x")
             .Build();
       },
       "link/evil"},
      {"DirectoryThroughSymlink",
       [](const std::string& sentinel) {
         return TarBuilder()
             .Dir("real/")
             .Symlink("real/link", sentinel)
             .Dir("real/link/sub/")
             .Build();
       },
       "real/link/sub/"},
      {"HardlinkCreatedThroughSymlink",
       [](const std::string& sentinel) {
         return TarBuilder()
             .File("file", "x")
             .Symlink("link", sentinel)
             .Hardlink("link/evil", "file")
             .Build();
       },
       "link/evil"},
      {"HardlinkTargetThroughSymlink",
       [](const std::string&) {
         return TarBuilder()
             .Symlink("etc", "/etc")
             .Hardlink("passwd", "etc/passwd")
             .Build();
       },
       "passwd"},
      {"HardlinkTargetDotDot",
       [](const std::string&) {
         return TarBuilder().Hardlink("x", "../../etc/passwd").Build();
       },
       "x"},
      {"HardlinkTargetAbsoluteDotDot",
       [](const std::string&) {
         return TarBuilder().Hardlink("x", "/../etc/passwd").Build();
       },
       "x"},
      {"HardlinkTargetMissing",
       [](const std::string&) {
         return TarBuilder().File("a", "x").Hardlink("x", "missing").Build();
       },
       "x"},
      {"HardlinkTargetIsDirectory",
       [](const std::string&) {
         return TarBuilder().Dir("d/").Hardlink("x", "d").Build();
       },
       "x"},
      {"WhiteoutThroughSymlink",
       [](const std::string& sentinel) {
         return TarBuilder()
             .Symlink("link", sentinel)
             .File("link/.wh.foo", "")
             .Build();
       },
       "link/.wh.foo"},
      {"OpaqueMarkerThroughSymlink",
       [](const std::string& sentinel) {
         return TarBuilder()
             .Symlink("link", sentinel)
             .File("link/.wh..wh..opq", "")
             .Build();
       },
       "link/.wh..wh..opq"},
      {"WhiteoutOfDotDot",
       [](const std::string&) {
         return TarBuilder().Dir("a/").File("a/.wh...", "").Build();
       },
       "a/.wh...",
       /*archive_too=*/false},
      {"FileBelowFile",
       [](const std::string&) {
         return TarBuilder().File("f", "x").File("f/g", "y").Build();
       },
       "f/g"},
      {"HandMadeDotDotHeader",
       [](const std::string&) {
         return UstarHeader("../../hand", '0', "00000000004") + Pad512("evil") +
                TarEnd();
       },
       "../../hand"},
  };
}

INSTANTIATE_TEST_SUITE_P(Escapes, EscapeTest,
                         ::testing::ValuesIn(EscapeCases()),
                         [](const ::testing::TestParamInfo<EscapeCase>& info) {
                           return info.param.name;
                         });

TEST_F(UnpackSafetyTest, TooDeepOrTooLongPathsAreRefused) {
  std::string deep;
  for (int i = 0; i < 600; ++i) deep += "d/";
  ExpectRejected(TarBuilder().File(deep + "f", "x").Build(), deep + "f");
  std::string longname = std::string(200, 'n') + "/";
  std::string path;
  while (path.size() <= 4096) path += longname;
  ExpectRejected(TarBuilder().File(path, "x").Build(), path);
}

// ---- Damaged input ----

TEST_F(UnpackSafetyTest, TruncatedGzipIsRefusedAndTeeRemoved) {
  std::string gz =
      Compress(TarBuilder().File("a", RandomBytes(300000)).Build(), "gzip");
  UnpackOptions options;
  options.tee_path = tmp_.path() + "/tee.tar";
  absl::StatusOr<UnpackResult> result =
      UnpackTarFromMemory(gz.substr(0, gz.size() / 2), dest_, options);
  EXPECT_TRUE(absl::IsInvalidArgument(result.status())) << result.status();
  ExpectNothingLeft();
}

TEST_F(UnpackSafetyTest, TruncatedTarIsRefused) {
  std::string tar =
      TarBuilder().File("a", "x").File("big", RandomBytes(100000)).Build();
  // Cut inside big's data, then inside big's header (after a's 2 blocks).
  ExpectRejected(tar.substr(0, 3 * 512 + 5000), "big");
  absl::StatusOr<UnpackResult> result =
      UnpackTarFromMemory(tar.substr(0, 2 * 512 + 100), dest_);
  EXPECT_TRUE(absl::IsInvalidArgument(result.status())) << result.status();
  EXPECT_THAT(std::string(result.status().message()), HasSubstr("runcated"));
  ExpectNothingLeft();
}

TEST_F(UnpackSafetyTest, HugeClaimedSizeWithLittleDataIsRefused) {
  // 077777777777 bytes (8 GiB) claimed, 512 given.
  std::string tar =
      UstarHeader("huge", '0', "77777777777") + Pad512("only a little data");
  ExpectRejected(tar, "huge");
  ExpectRejected(Compress(tar, "gzip"), "huge");
  absl::StatusOr<UnpackResult> result = UnpackTarFromMemory(tar, dest_);
  EXPECT_THAT(std::string(result.status().message()),
              HasSubstr("(512 of 8589934591 bytes)"));
}

TEST_F(UnpackSafetyTest, GarbageIsRefused) {
  for (const std::string& garbage :
       {RandomBytes(4096), std::string("\x1f\x8b\x08\x00garbage", 12),
        std::string("not a tar at all"), std::string(100, '\0')}) {
    absl::StatusOr<UnpackResult> result = UnpackTarFromMemory(garbage, dest_);
    EXPECT_TRUE(absl::IsInvalidArgument(result.status())) << result.status();
    ExpectNothingLeft();
  }
}

TEST_F(UnpackSafetyTest, BadChecksumIsRefused) {
  std::string header = UstarHeader("a", '0', "00000000001");
  header[0] = 'b';
  absl::StatusOr<UnpackResult> result =
      UnpackTarFromMemory(header + Pad512("x") + TarEnd(), dest_);
  EXPECT_TRUE(absl::IsInvalidArgument(result.status())) << result.status();
  ExpectNothingLeft();
}

TEST_F(UnpackSafetyTest, EmptyInputIsAnEmptyLayer) {
  absl::StatusOr<UnpackResult> result = UnpackTarFromMemory("", dest_);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->diff_id, Sha256Digest(""));
  EXPECT_EQ(result->entries, 0);
  result = UnpackTarFromMemory(TarEnd(), dest_);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->diff_id, Sha256Digest(TarEnd()));
  EXPECT_EQ(result->tar_size, 1024);
}

TEST_F(UnpackSafetyTest, MaxUnpackedBytesIsEnforced) {
  UnpackOptions options;
  options.max_unpacked_bytes = 100;
  std::string tar = TarBuilder()
                        .File("a", std::string(60, 'a'))
                        .File("b", std::string(60, 'b'))
                        .Build();
  ExpectRejected(tar, "b", options);
  options.max_unpacked_bytes = 120;
  absl::StatusOr<UnpackResult> result =
      UnpackTarFromMemory(tar, dest_, options);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->unpacked_size, 120);
}

TEST_F(UnpackSafetyTest, HugeClaimedSizeOverTheLimitIsRefusedUpFront) {
  UnpackOptions options;
  options.max_unpacked_bytes = 1 << 30;
  ExpectRejected(UstarHeader("huge", '0', "77777777777") + Pad512("x"), "huge",
                 options);
}

TEST_F(UnpackSafetyTest, DestinationMustBeEmpty) {
  WriteFileOrDie(dest_ + "/already", "x");
  absl::StatusOr<UnpackResult> result =
      UnpackTarFromMemory(TarBuilder().File("a", "x").Build(), dest_);
  EXPECT_TRUE(absl::IsFailedPrecondition(result.status())) << result.status();
  EXPECT_THAT(ListNames(dest_), ElementsAre("already"));
}

TEST_F(UnpackSafetyTest, MissingSourceIsNotFound) {
  absl::StatusOr<UnpackResult> result =
      UnpackTar(tmp_.path() + "/missing.tar", dest_);
  EXPECT_TRUE(absl::IsNotFound(result.status())) << result.status();
}

}  // namespace
}  // namespace layer
}  // namespace imaged
}  // namespace berth
