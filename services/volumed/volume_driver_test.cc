#include "services/volumed/volume_driver.h"

#include <sys/mount.h>

#include <string>

#include "gtest/gtest.h"

namespace berth::volumed {
namespace {

using Options = google::protobuf::Map<std::string, std::string>;

Options Opts(std::initializer_list<std::pair<const char*, const char*>> pairs) {
  Options options;
  for (const auto& [key, value] : pairs) options[key] = value;
  return options;
}

TEST(NormalizeDriver, LocalOnly) {
  EXPECT_EQ(*NormalizeDriver(""), "local");
  EXPECT_EQ(*NormalizeDriver("local"), "local");
  absl::StatusOr<std::string> other = NormalizeDriver("nfs");
  EXPECT_EQ(other.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(other.status().message().find("nfs"), std::string::npos);
}

TEST(ParseDriverOptions, NoOptionsIsAPlainDirectory) {
  absl::StatusOr<std::optional<DriverMount>> mount = ParseDriverOptions({});
  ASSERT_TRUE(mount.ok()) << mount.status();
  EXPECT_FALSE(mount->has_value());
}

TEST(ParseDriverOptions, UnknownKeyIsNamed) {
  absl::StatusOr<std::optional<DriverMount>> mount =
      ParseDriverOptions(Opts({{"type", "tmpfs"}, {"size", "1m"}}));
  EXPECT_EQ(mount.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(mount.status().message().find("\"size\""), std::string::npos);
}

TEST(ParseDriverOptions, TmpfsWithSize) {
  absl::StatusOr<std::optional<DriverMount>> mount =
      ParseDriverOptions(Opts({{"type", "tmpfs"}, {"o", "size=1m,uid=1000,noexec"}}));
  ASSERT_TRUE(mount.ok()) << mount.status();
  ASSERT_TRUE(mount->has_value());
  EXPECT_EQ((*mount)->type, "tmpfs");
  EXPECT_EQ((*mount)->source, "tmpfs");
  EXPECT_EQ((*mount)->data, "size=1048576,uid=1000");
  EXPECT_EQ((*mount)->flags, static_cast<unsigned long>(MS_NOEXEC));
  EXPECT_FALSE((*mount)->bind());
  EXPECT_TRUE(ParseDriverOptions(Opts({{"type", "tmpfs"}, {"o", "size=50%"}})).ok());
}

TEST(ParseDriverOptions, BadTmpfsSizeIsNamed) {
  absl::StatusOr<std::optional<DriverMount>> mount =
      ParseDriverOptions(Opts({{"type", "tmpfs"}, {"o", "size=lots"}}));
  EXPECT_EQ(mount.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(mount.status().message().find("lots"), std::string::npos);
}

TEST(ParseDriverOptions, RequiredOptions) {
  for (const Options& options :
       {Opts({{"device", "/dev/sdb1"}}), Opts({{"o", "size=1m"}}),
        Opts({{"type", "ext4"}})}) {
    EXPECT_EQ(ParseDriverOptions(options).status().code(),
              absl::StatusCode::kInvalidArgument);
  }
  absl::StatusOr<std::optional<DriverMount>> ext4 =
      ParseDriverOptions(Opts({{"type", "ext4"}, {"device", "/dev/sdb1"}}));
  ASSERT_TRUE(ext4.ok()) << ext4.status();
  EXPECT_EQ((*ext4)->source, "/dev/sdb1");
}

TEST(ParseDriverOptions, BindNeedsBindAndAnAbsoluteDevice) {
  EXPECT_EQ(ParseDriverOptions(Opts({{"type", "none"}, {"device", "/srv"}}))
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseDriverOptions(
                Opts({{"type", "none"}, {"device", "srv"}, {"o", "bind"}}))
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  absl::StatusOr<std::optional<DriverMount>> bind = ParseDriverOptions(
      Opts({{"type", "none"}, {"device", "/srv"}, {"o", "bind,ro"}}));
  ASSERT_TRUE(bind.ok()) << bind.status();
  EXPECT_TRUE((*bind)->bind());
  EXPECT_EQ((*bind)->flags, static_cast<unsigned long>(MS_BIND | MS_RDONLY));
}

}  // namespace
}  // namespace berth::volumed
