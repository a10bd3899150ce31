#include "common/storage_opts.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace berth {
namespace {

using ::testing::HasSubstr;

TEST(ParseRamBytesTest, ReadsGoUnitsSizes) {
  EXPECT_EQ(*ParseRamBytes("512"), 512);
  EXPECT_EQ(*ParseRamBytes("512b"), 512);
  EXPECT_EQ(*ParseRamBytes("32k"), 32 * 1024);
  EXPECT_EQ(*ParseRamBytes("32m"), 32 * 1024 * 1024);
  EXPECT_EQ(*ParseRamBytes("32MB"), 32 * 1024 * 1024);
  EXPECT_EQ(*ParseRamBytes("1g"), int64_t{1} << 30);
  EXPECT_EQ(*ParseRamBytes("1.5g"), int64_t{3} << 29);
  EXPECT_EQ(*ParseRamBytes("2 GiB"), int64_t{2} << 30);
  EXPECT_EQ(*ParseRamBytes("1t"), int64_t{1} << 40);
  for (const char* bad : {"x", "", "-1", "1x", "1.2.3", "1gg", "m", " 1"}) {
    EXPECT_EQ(ParseRamBytes(bad).status().message(),
              std::string("invalid size: '") + bad + "'")
        << bad;
  }
}

TEST(ApplyStorageOptTest, SizeInDockerUnitsAnyCase) {
  StorageLimits limits;
  ASSERT_TRUE(ApplyStorageOpt("size", "20m", &limits).ok());
  EXPECT_EQ(limits.size_bytes, uint64_t{20} << 20);
  ASSERT_TRUE(ApplyStorageOpt("SIZE", "1G", &limits).ok());
  EXPECT_EQ(limits.size_bytes, uint64_t{1} << 30);
  ASSERT_TRUE(ApplyStorageOpt("Size", "4096", &limits).ok());
  EXPECT_EQ(limits.size_bytes, 4096u);
}

TEST(ApplyStorageOptTest, UnknownKeyIsNamed) {
  StorageLimits limits;
  absl::Status status = ApplyStorageOpt("dm.basesize", "10G", &limits);
  EXPECT_TRUE(absl::IsInvalidArgument(status));
  EXPECT_THAT(std::string(status.message()),
              HasSubstr("unknown storage option \"dm.basesize\""));
  EXPECT_EQ(limits.size_bytes, 0u);
}

TEST(ApplyStorageOptTest, BadOrZeroSizeIsRefusedNamingTheValue) {
  StorageLimits limits;
  for (const char* bad : {"", "ten", "10x", "-5m", "0", "0m"}) {
    absl::Status status = ApplyStorageOpt("size", bad, &limits);
    EXPECT_TRUE(absl::IsInvalidArgument(status)) << bad;
    EXPECT_THAT(std::string(status.message()),
                HasSubstr(std::string("size \"") + bad + "\""))
        << bad;
  }
  EXPECT_EQ(limits.size_bytes, 0u);
}

}  // namespace
}  // namespace berth

namespace berth {
namespace {

TEST(ParseTmpfsSpecTest, SizesModesAndTheRest) {
  absl::StatusOr<types::v1::Mount> mount =
      ParseTmpfsSpec("/run:size=64m,mode=1770,noexec,uid=1000");
  ASSERT_TRUE(mount.ok()) << mount.status();
  EXPECT_EQ(mount->target(), "/run");
  EXPECT_EQ(mount->tmpfs_options().size_bytes(), int64_t{64} << 20);
  EXPECT_EQ(mount->tmpfs_options().mode(), 01770u);
  EXPECT_EQ(mount->tmpfs_options().options_size(), 2);
  // A share of RAM goes to the kernel as given, as Docker passes it.
  mount = ParseTmpfsSpec("/run:size=10%");
  ASSERT_TRUE(mount.ok()) << mount.status();
  EXPECT_EQ(mount->tmpfs_options().size_bytes(), 0);
  EXPECT_EQ(mount->tmpfs_options().options(0), "size=10%");
  EXPECT_FALSE(ParseTmpfsSpec("/run:size=lots").ok());
  EXPECT_FALSE(ParseTmpfsSpec("/run:size=x%").ok());
  EXPECT_FALSE(ParseTmpfsSpec("/run:mode=999").ok());
  EXPECT_FALSE(ParseTmpfsSpec("run").ok());
}

}  // namespace
}  // namespace berth
