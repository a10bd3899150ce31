#include "ctl/volume/volume_request.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace berth::ctl {
namespace {

using volume::v1::CreateVolumeRequest;
using volume::v1::PruneVolumesRequest;
using volume::v1::VolumeFilter;

TEST(BuildCreateVolumeRequestTest, NameDriverOptionsAndLabels) {
  VolumeCreateFlags flags;
  flags.positional = {"data"};
  flags.options = {"type=tmpfs", "device=tmpfs", "o=size=100m,uid=1000",
                   "flag", "type=none"};
  flags.labels = {"env=prod", "empty", "a=b=c"};
  absl::StatusOr<CreateVolumeRequest> request = BuildCreateVolumeRequest(flags);
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->name(), "data");
  EXPECT_EQ(request->driver(), "local");
  // The last value of a key wins; "k" alone is an empty value; only the
  // first '=' splits.
  EXPECT_EQ(request->driver_options().at("type"), "none");
  EXPECT_EQ(request->driver_options().at("o"), "size=100m,uid=1000");
  EXPECT_EQ(request->driver_options().at("flag"), "");
  EXPECT_EQ(request->labels().at("env"), "prod");
  EXPECT_EQ(request->labels().at("empty"), "");
  EXPECT_EQ(request->labels().at("a"), "b=c");
  EXPECT_FALSE(request->anonymous());
}

TEST(BuildCreateVolumeRequestTest, NameFromTheHiddenFlagOrNone) {
  VolumeCreateFlags flags;
  flags.name_flag = "n";
  EXPECT_EQ(BuildCreateVolumeRequest(flags)->name(), "n");
  flags.name_flag = "";
  // No name: volumed makes one up.
  EXPECT_EQ(BuildCreateVolumeRequest(flags)->name(), "");
}

TEST(BuildCreateVolumeRequestTest, RefusesTwoNames) {
  VolumeCreateFlags flags;
  flags.name_flag = "a";
  flags.positional = {"b"};
  EXPECT_EQ(BuildCreateVolumeRequest(flags).status().message(),
            "conflicting options: cannot specify a volume-name through both "
            "--name and as a positional arg");
}

TEST(BuildVolumeFilterTest, EveryTerm) {
  absl::StatusOr<VolumeFilter> filter = BuildVolumeFilter(
      {{"dangling", "1"}, {"name", "da"}, {"name", "web"}, {"driver", "local"},
       {"label", "env=prod"}, {"label", "tier"}, {"label!", "x=y"}});
  ASSERT_TRUE(filter.ok()) << filter.status();
  EXPECT_TRUE(filter->has_dangling());
  EXPECT_TRUE(filter->dangling());
  ASSERT_EQ(filter->names_size(), 2);
  EXPECT_EQ(filter->names(1), "web");
  EXPECT_EQ(filter->drivers(0), "local");
  ASSERT_EQ(filter->labels_size(), 3);
  EXPECT_EQ(filter->labels(0).key(), "env");
  EXPECT_EQ(filter->labels(0).value(), "prod");
  EXPECT_FALSE(filter->labels(1).has_value());
  EXPECT_TRUE(filter->labels(2).negate());
  filter = BuildVolumeFilter({{"dangling", "FALSE"}});
  ASSERT_TRUE(filter.ok());
  EXPECT_FALSE(filter->dangling());
  EXPECT_FALSE(BuildVolumeFilter({})->has_dangling());
}

TEST(BuildVolumeFilterTest, DockersAnonymousLabelAsksForAnonymousVolumes) {
  absl::StatusOr<VolumeFilter> filter =
      BuildVolumeFilter({{"label", "com.docker.volume.anonymous"}});
  ASSERT_TRUE(filter.ok());
  EXPECT_TRUE(filter->has_anonymous());
  EXPECT_TRUE(filter->anonymous());
  EXPECT_EQ(filter->labels_size(), 0);
  filter = BuildVolumeFilter({{"label", "com.docker.volume.anonymous="}});
  EXPECT_TRUE(filter->anonymous());
  filter = BuildVolumeFilter({{"label!", "com.docker.volume.anonymous"}});
  EXPECT_TRUE(filter->has_anonymous());
  EXPECT_FALSE(filter->anonymous());
  // Another value matches nothing Docker makes: left to volumed as a label.
  filter = BuildVolumeFilter({{"label", "com.docker.volume.anonymous=x"}});
  EXPECT_FALSE(filter->has_anonymous());
  EXPECT_EQ(filter->labels_size(), 1);
}

TEST(BuildVolumeFilterTest, DockersErrors) {
  EXPECT_EQ(BuildVolumeFilter({{"foo", "bar"}}).status().message(),
            "invalid filter 'foo'");
  EXPECT_EQ(BuildVolumeFilter({{"dangling", "maybe"}}).status().message(),
            "invalid filter 'dangling=maybe'");
  EXPECT_EQ(BuildVolumeFilter({{"dangling", "true"}, {"dangling", "false"}})
                .status()
                .message(),
            "invalid filter 'dangling=false'");
  // The same answer twice is fine.
  EXPECT_TRUE(BuildVolumeFilter({{"dangling", "true"}, {"dangling", "1"}}).ok());
}

absl::StatusOr<PruneVolumesRequest> Prune(bool all,
                                          std::vector<FilterTerm> terms) {
  return BuildPruneVolumesRequest(all, terms, absl::FromUnixSeconds(1700000000),
                                  absl::UTCTimeZone());
}

TEST(BuildPruneVolumesRequestTest, AllLabelsAndUntil) {
  absl::StatusOr<PruneVolumesRequest> request =
      Prune(true, {{"label", "env=dev"}, {"until", "1h"}});
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_TRUE(request->all());
  ASSERT_EQ(request->filter().labels_size(), 1);
  EXPECT_EQ(request->filter().labels(0).key(), "env");
  EXPECT_EQ(request->filter().until().seconds(), 1700000000 - 3600);
  EXPECT_FALSE(Prune(false, {})->all());
  // all= is --all spelled as a filter.
  EXPECT_TRUE(Prune(false, {{"all", "true"}})->all());
  EXPECT_FALSE(Prune(false, {{"all", "0"}})->all());
}

TEST(BuildPruneVolumesRequestTest, DockersErrors) {
  EXPECT_EQ(Prune(true, {{"all", "1"}}).status().message(),
            "conflicting options: cannot specify both --all and --filter "
            "all=1");
  EXPECT_EQ(Prune(false, {{"all", "yes"}}).status().message(),
            "invalid filter 'all=yes'");
  EXPECT_EQ(Prune(false, {{"dangling", "true"}}).status().message(),
            "invalid filter 'dangling'");
  EXPECT_FALSE(Prune(false, {{"until", "soon"}}).ok());
}

}  // namespace
}  // namespace berth::ctl
