#include "services/volumed/volume_records.h"

#include <string>

#include "absl/time/clock.h"
#include "common/proto_util.h"
#include "gtest/gtest.h"

namespace berth::volumed {
namespace {

using volume::v1::Volume;

TEST(ValidateVolumeName, AcceptsDockersNames) {
  for (const char* name : {"a", "data", "my_vol.1-x", "0abc", "A-b_c.d"}) {
    EXPECT_TRUE(ValidateVolumeName(name).ok()) << name;
  }
  EXPECT_TRUE(ValidateVolumeName(std::string(255, 'a')).ok());
}

TEST(ValidateVolumeName, RefusesOthersNamingThem) {
  for (const char* name : {"", "_a", ".a", "-a", "a b", "a:b", "a$"}) {
    absl::Status status = ValidateVolumeName(name);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << name;
  }
  absl::Status too_long = ValidateVolumeName(std::string(256, 'a'));
  EXPECT_EQ(too_long.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(too_long.message().find("too long"), std::string::npos);
}

TEST(ValidateVolumeName, SlashGetsTheHostDirectoryHint) {
  absl::Status status = ValidateVolumeName("dir/sub");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "create dir/sub: \"dir/sub\" includes invalid characters for a "
            "local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are "
            "allowed. If you intended to pass a host directory, use absolute "
            "path");
}

TEST(Users, StaySortedAndUniqueWithRefCount) {
  Volume volume;
  EXPECT_TRUE(AddUser(volume, "c"));
  EXPECT_TRUE(AddUser(volume, "a"));
  EXPECT_TRUE(AddUser(volume, "b"));
  EXPECT_FALSE(AddUser(volume, "a"));
  ASSERT_EQ(volume.used_by_size(), 3);
  EXPECT_EQ(volume.used_by(0), "a");
  EXPECT_EQ(volume.used_by(1), "b");
  EXPECT_EQ(volume.used_by(2), "c");
  EXPECT_EQ(volume.usage().ref_count(), 3);
  EXPECT_TRUE(HoldsVolume(volume, "b"));
  EXPECT_TRUE(RemoveUser(volume, "b"));
  EXPECT_FALSE(RemoveUser(volume, "b"));
  EXPECT_FALSE(HoldsVolume(volume, "b"));
  EXPECT_EQ(volume.usage().ref_count(), 2);
}

TEST(InUseError, NamesTheContainersInDockersWords) {
  Volume volume;
  volume.set_name("data");
  AddUser(volume, "bbb");
  AddUser(volume, "aaa");
  absl::Status status = InUseError(volume);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(status.message(), "remove data: volume is in use - [aaa, bbb]");
}

Volume Sample() {
  Volume volume;
  volume.set_name("web-data");
  volume.set_driver("local");
  (*volume.mutable_labels())["env"] = "prod";
  return volume;
}

TEST(MatchesVolumeFilter, AndsTermsAndOrsValues) {
  Volume volume = Sample();
  volume::v1::VolumeFilter filter;
  EXPECT_TRUE(MatchesVolumeFilter(volume, filter));
  filter.add_names("nope");
  EXPECT_FALSE(MatchesVolumeFilter(volume, filter));
  filter.add_names("data");
  EXPECT_TRUE(MatchesVolumeFilter(volume, filter));
  filter.add_drivers("other");
  EXPECT_FALSE(MatchesVolumeFilter(volume, filter));
  filter.add_drivers("local");
  EXPECT_TRUE(MatchesVolumeFilter(volume, filter));
  types::v1::LabelFilter* label = filter.add_labels();
  label->set_key("env");
  label->set_value("dev");
  EXPECT_FALSE(MatchesVolumeFilter(volume, filter));
  label->set_value("prod");
  EXPECT_TRUE(MatchesVolumeFilter(volume, filter));
}

TEST(MatchesVolumeFilter, DanglingAndAnonymous) {
  Volume volume = Sample();
  volume::v1::VolumeFilter filter;
  filter.set_dangling(true);
  EXPECT_TRUE(MatchesVolumeFilter(volume, filter));
  AddUser(volume, "c1");
  EXPECT_FALSE(MatchesVolumeFilter(volume, filter));
  filter.set_dangling(false);
  EXPECT_TRUE(MatchesVolumeFilter(volume, filter));
  filter.clear_dangling();
  filter.set_anonymous(true);
  EXPECT_FALSE(MatchesVolumeFilter(volume, filter));
  volume.set_anonymous(true);
  EXPECT_TRUE(MatchesVolumeFilter(volume, filter));
}

TEST(PrunesVolume, AnonymousUnlessAllAndNeverUsed) {
  Volume volume = Sample();
  *volume.mutable_created() = ToTimestamp(absl::Now() - absl::Hours(2));
  types::v1::PruneFilter filter;
  EXPECT_FALSE(PrunesVolume(volume, false, filter));
  EXPECT_TRUE(PrunesVolume(volume, true, filter));
  volume.set_anonymous(true);
  EXPECT_TRUE(PrunesVolume(volume, false, filter));
  AddUser(volume, "c1");
  EXPECT_FALSE(PrunesVolume(volume, true, filter));
}

TEST(PrunesVolume, UntilAndLabels) {
  Volume volume = Sample();
  volume.set_anonymous(true);
  *volume.mutable_created() = ToTimestamp(absl::Now() - absl::Hours(2));
  types::v1::PruneFilter filter;
  *filter.mutable_until() = ToTimestamp(absl::Now() - absl::Hours(3));
  EXPECT_FALSE(PrunesVolume(volume, false, filter));
  *filter.mutable_until() = ToTimestamp(absl::Now() - absl::Hours(1));
  EXPECT_TRUE(PrunesVolume(volume, false, filter));
  types::v1::LabelFilter* label = filter.add_labels();
  label->set_key("env");
  label->set_negate(true);
  EXPECT_FALSE(PrunesVolume(volume, false, filter));
}

}  // namespace
}  // namespace berth::volumed
