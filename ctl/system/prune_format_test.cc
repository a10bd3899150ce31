#include "ctl/system/prune_format.h"

#include "common/text_proto_testing.h"
#include "gtest/gtest.h"

namespace berth::ctl {
namespace {

TEST(SystemPruneWarningTest, DockersTextForWhatBerthPrunes) {
  EXPECT_EQ(SystemPruneWarning(false, false, {}),
            "WARNING! This will remove:\n"
            "  - all stopped containers\n"
            "  - all dangling images\n"
            "\n"
            "Are you sure you want to continue?");
  EXPECT_EQ(SystemPruneWarning(true, false, {{"until", "24h"}, {"label", "a=b"}}),
            "WARNING! This will remove:\n"
            "  - all stopped containers\n"
            "  - all images without at least one container associated to "
            "them\n"
            "\n"
            "  Items to be pruned will be filtered with:\n"
            "  - label=a=b\n"
            "  - until=24h\n"
            "\n"
            "Are you sure you want to continue?");
}

TEST(RenderSystemPrunedTest, SectionsThenTheSum) {
  EXPECT_EQ(RenderSystemPruned({}, {}, {}), "Total reclaimed space: 0B\n");
  const auto containers =
      testing::ParseTextProto<container::v1::PruneContainersResponse>(
          "deleted: 'c1' deleted: 'c2' space_reclaimed: 1000");
  const auto images = testing::ParseTextProto<image::v1::PruneImagesResponse>(
      "untagged: 'app:1' deleted: 'sha256:ab' space_reclaimed: 2000000");
  EXPECT_EQ(RenderSystemPruned(containers, {}, images),
            "Deleted Containers:\nc1\nc2\n\n"
            "Deleted Images:\nuntagged: app:1\ndeleted: sha256:ab\n\n"
            "Total reclaimed space: 2.001MB\n");
}

TEST(SystemPruneWarningTest, VolumesBeforeImages) {
  EXPECT_EQ(SystemPruneWarning(false, true, {}),
            "WARNING! This will remove:\n"
            "  - all stopped containers\n"
            "  - all anonymous volumes not used by at least one container\n"
            "  - all dangling images\n"
            "\n"
            "Are you sure you want to continue?");
}

TEST(RenderSystemPrunedTest, VolumesBetweenContainersAndImages) {
  const auto containers =
      testing::ParseTextProto<container::v1::PruneContainersResponse>(
          "deleted: 'c1' space_reclaimed: 1000");
  const auto volumes =
      testing::ParseTextProto<volume::v1::PruneVolumesResponse>(
          "deleted: 'v1' space_reclaimed: 5000");
  EXPECT_EQ(RenderSystemPruned(containers, volumes, {}),
            "Deleted Containers:\nc1\n\nDeleted Volumes:\nv1\n\n"
            "Total reclaimed space: 6kB\n");
}

}  // namespace
}  // namespace berth::ctl
