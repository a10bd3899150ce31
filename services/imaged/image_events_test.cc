// The image events the store publishes: Docker's actions and names for a
// load, a tag, a save and a removal.
#include <string>
#include <vector>

#include "common/proto_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/imaged/image_store_fixture.h"

namespace berth::imaged {
namespace {

using ::testing::ElementsAre;
using testing::MakeDockerArchive;

// "ACTION NAME" of every event so far.
std::vector<std::string> History(ImageStore& store) {
  types::v1::EventFilter filter;
  filter.mutable_since()->set_seconds(1);
  *filter.mutable_until() = ToTimestamp(absl::Now() + absl::Seconds(1));
  std::vector<std::string> seen;
  EXPECT_TRUE(store.events()
                  .Stream(filter,
                          [&](const types::v1::Event& event) {
                            EXPECT_EQ(event.type(), types::v1::OBJECT_TYPE_IMAGE);
                            seen.push_back(event.action() + " " +
                                           event.actor().attributes().at("name"));
                            return true;
                          },
                          [] { return true; })  // replay only, then end
                  .ok());
  return seen;
}

TEST_F(ImageStoreTest, LoadTagSaveAndRemoveAreEvents) {
  ASSERT_TRUE(LoadBytes(MakeDockerArchive({{{BaseLayer()}, {"r:1"}, {}, {}}})).ok());
  const std::string id = store_->Inspect("r:1")->id();
  ASSERT_TRUE(store_->Tag("r:1", "r:2").ok());
  ASSERT_TRUE(store_->Save({"r:1"}, image::v1::ARCHIVE_FORMAT_DOCKER, false,
                           [](absl::string_view) { return absl::OkStatus(); })
                  .ok());
  image::v1::RemoveImageRequest remove;
  remove.set_image("r:1");
  ASSERT_TRUE(store_->Remove(remove).ok());
  remove.set_image("r:2");
  ASSERT_TRUE(store_->Remove(remove).ok());
  EXPECT_THAT(History(*store_),
              ElementsAre("load " + id, "tag r:2", "save " + id, "untag " + id,
                          "untag " + id, "delete " + id));
}

TEST_F(ImageStoreTest, APruneIsAnImageEventWithWhatItReclaimed) {
  ASSERT_TRUE(LoadBytes(MakeDockerArchive({{{BaseLayer()}, {"keep:1"}, {"a"}, {}}})).ok());
  ASSERT_TRUE(LoadBytes(MakeDockerArchive({{{TopLayer()}, {"keep:1"}, {"b"}, {}}})).ok());
  auto pruned = store_->Prune({});
  ASSERT_TRUE(pruned.ok()) << pruned.status();
  ASSERT_GT(pruned->space_reclaimed(), 0);
  // Nothing left to prune is a prune too.
  ASSERT_TRUE(store_->Prune({}).ok());
  types::v1::EventFilter filter;
  filter.mutable_since()->set_seconds(1);
  *filter.mutable_until() = ToTimestamp(absl::Now() + absl::Seconds(1));
  filter.add_actions("prune");
  std::vector<types::v1::Event> prunes;
  ASSERT_TRUE(store_->events()
                  .Stream(filter,
                          [&](const types::v1::Event& event) {
                            prunes.push_back(event);
                            return true;
                          },
                          [] { return true; })
                  .ok());
  ASSERT_EQ(prunes.size(), 2u);
  EXPECT_EQ(prunes[0].type(), types::v1::OBJECT_TYPE_IMAGE);
  EXPECT_EQ(prunes[0].actor().id(), "");
  EXPECT_EQ(prunes[0].actor().attributes().at("reclaimed"),
            std::to_string(pruned->space_reclaimed()));
  EXPECT_EQ(prunes[1].actor().attributes().at("reclaimed"), "0");
}

}  // namespace
}  // namespace berth::imaged
