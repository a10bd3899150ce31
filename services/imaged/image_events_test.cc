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

}  // namespace
}  // namespace berth::imaged
