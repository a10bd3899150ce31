// The container events the supervisor publishes, over the fake shims: the
// actions of a lifecycle in order, with Docker's attributes.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "common/proto_util.h"
#include "gtest/gtest.h"
#include "services/containerd/container_supervisor.h"
#include "services/containerd/testing/supervisor_fixture.h"

namespace berth::containerd {
namespace {

using ::testing::ElementsAre;

// Every event so far about `id` (the whole history, then the stream ends).
std::vector<types::v1::Event> EventsOf(ContainerSupervisor& supervisor,
                                       const std::string& id) {
  types::v1::EventFilter filter;
  filter.add_actors(id);
  filter.mutable_since()->set_seconds(1);
  *filter.mutable_until() = ToTimestamp(absl::Now() + absl::Seconds(1));
  std::vector<types::v1::Event> seen;
  EXPECT_TRUE(supervisor.events()
                  .Stream(filter,
                          [&](const types::v1::Event& event) {
                            seen.push_back(event);
                            return true;
                          },
                          [] { return true; })  // replay only, then end
                  .ok());
  return seen;
}

std::vector<std::string> Actions(const std::vector<types::v1::Event>& events) {
  std::vector<std::string> actions;
  for (const auto& event : events) actions.push_back(event.action());
  return actions;
}

TEST_F(SupervisorTest, ALifecyclePublishesDockersEvents) {
  Open();
  const std::string id = Create();
  ASSERT_TRUE(supervisor_->Rename(id, "web").ok());
  ASSERT_TRUE(supervisor_->Start(id).ok());
  ASSERT_TRUE(supervisor_->Kill(id, "SIGTERM").ok());
  shims_->Exit(id, 143);
  ASSERT_TRUE(supervisor_
                  ->Wait(id, container::v1::WAIT_CONDITION_NOT_RUNNING, nullptr)
                  .ok());
  ASSERT_TRUE(supervisor_->Remove(id, false).ok());

  const std::vector<types::v1::Event> events = EventsOf(*supervisor_, id);
  EXPECT_THAT(Actions(events), ElementsAre("create", "rename", "start", "kill",
                                           "die", "destroy"));
  for (const auto& event : events) {
    EXPECT_EQ(event.type(), types::v1::OBJECT_TYPE_CONTAINER);
    EXPECT_EQ(event.actor().attributes().at("image"), "busybox");
  }
  EXPECT_EQ(events[1].actor().attributes().at("oldName").front(), '/');
  EXPECT_EQ(events[2].actor().attributes().at("name"), "web");
  EXPECT_EQ(events[3].actor().attributes().at("signal"), "15");
  EXPECT_EQ(events[4].actor().attributes().at("exitCode"), "143");
}

TEST(HealthWordTest, DockersWords) {
  EXPECT_EQ(HealthWord(container::v1::Health::STATUS_HEALTHY), "healthy");
  EXPECT_EQ(HealthWord(container::v1::Health::STATUS_UNHEALTHY), "unhealthy");
  EXPECT_EQ(HealthWord(container::v1::Health::STATUS_STARTING), "starting");
}

}  // namespace
}  // namespace berth::containerd
