// ImageStore's removals: untag before delete, Docker's conflicts, prune.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/imaged/image_store_fixture.h"

namespace berth::imaged {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::MakeDockerArchive;

TEST_F(ImageStoreTest, RemoveUntagsBeforeDeleting) {
  ASSERT_TRUE(LoadBytes(MakeDockerArchive({{{BaseLayer()}, {"r:1"}, {}, {}}})).ok());
  ASSERT_TRUE(store_->Tag("r:1", "r:2").ok());
  const std::string id = store_->Inspect("r:1")->id();

  image::v1::RemoveImageRequest by_id;
  by_id.set_image(id);
  auto refused = store_->Remove(by_id);
  EXPECT_TRUE(absl::IsFailedPrecondition(refused.status()));
  EXPECT_THAT(std::string(refused.status().message()),
              HasSubstr("referenced in multiple repositories"));

  image::v1::RemoveImageRequest by_tag;
  by_tag.set_image("r:1");
  auto untagged = store_->Remove(by_tag);
  ASSERT_TRUE(untagged.ok());
  EXPECT_THAT(untagged->untagged(), ElementsAre("r:1"));
  EXPECT_TRUE(untagged->deleted().empty());

  by_tag.set_image("r:2");
  auto deleted = store_->Remove(by_tag);
  ASSERT_TRUE(deleted.ok());
  EXPECT_THAT(deleted->untagged(), ElementsAre("r:2"));
  ASSERT_GE(deleted->deleted_size(), 1);
  EXPECT_EQ(deleted->deleted(0), id);
  EXPECT_TRUE(absl::IsNotFound(store_->Inspect(id).status()));
}

// `rmi -f` as Docker: an image a running container uses is never deleted
// (by id: refused; by its last tag: only untagged); one only stopped
// containers use is untagged and deleted (their snapshots keep the layers).
TEST_F(ImageStoreTest, ForcedRemovalSparesImagesOfRunningContainers) {
  ASSERT_TRUE(LoadBytes(MakeDockerArchive({{{BaseLayer()}, {"f:1"}, {}, {}}})).ok());
  const std::string id = store_->Inspect("f:1")->id();
  image::v1::PrepareRootfsRequest prepare;
  prepare.set_image("f:1");
  prepare.set_key("ctr1");
  prepare.set_lease("container/ctr1");
  ASSERT_TRUE(store_->PrepareRootfs(prepare).ok());

  image::v1::RemoveImageRequest by_id;
  by_id.set_image(id.substr(7, 12));
  by_id.set_force(true);
  by_id.add_running_users("c0ffee0123456789");
  auto refused = store_->Remove(by_id);
  EXPECT_TRUE(absl::IsFailedPrecondition(refused.status())) << refused.status();
  EXPECT_THAT(std::string(refused.status().message()),
              HasSubstr("(cannot be forced) - image is being used by running "
                        "container c0ffee012345"));

  image::v1::RemoveImageRequest by_tag = by_id;
  by_tag.set_image("f:1");
  auto untagged = store_->Remove(by_tag);
  ASSERT_TRUE(untagged.ok()) << untagged.status();
  EXPECT_THAT(untagged->untagged(), ElementsAre("f:1"));
  EXPECT_TRUE(untagged->deleted().empty());
  EXPECT_TRUE(store_->Inspect(id).ok());

  // The container stopped: a forced removal deletes the image.
  ASSERT_TRUE(store_->Tag(id, "f:2").ok());
  by_tag.set_image("f:2");
  by_tag.clear_running_users();
  auto deleted = store_->Remove(by_tag);
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  EXPECT_THAT(deleted->untagged(), ElementsAre("f:2"));
  ASSERT_GE(deleted->deleted_size(), 1);
  EXPECT_EQ(deleted->deleted(0), id);
  EXPECT_TRUE(absl::IsNotFound(store_->Inspect(id).status()));
  // The snapshot still has its layers.
  EXPECT_TRUE(store_->InspectRootfs("ctr1", false).ok());
}

TEST_F(ImageStoreTest, PruneRemovesOnlyDanglingUnusedImages) {
  ASSERT_TRUE(LoadBytes(MakeDockerArchive({{{BaseLayer()}, {"keep:1"}, {"a"}, {}}})).ok());
  ASSERT_TRUE(LoadBytes(MakeDockerArchive({{{TopLayer()}, {"keep:1"}, {"b"}, {}}})).ok());
  EXPECT_EQ(ImageCount(), 2);
  auto pruned = store_->Prune({});
  ASSERT_TRUE(pruned.ok()) << pruned.status();
  EXPECT_EQ(ImageCount(), 1);
  EXPECT_GT(pruned->space_reclaimed(), 0);
  EXPECT_THAT(store_->Inspect("keep:1")->config().cmd(), ElementsAre("b"));
}

}  // namespace
}  // namespace berth::imaged
