#include "ctl/system/events_format.h"

#include "gtest/gtest.h"

namespace berth::ctl {
namespace {

using types::v1::Event;

Event Start() {
  Event event;
  event.set_type(types::v1::OBJECT_TYPE_CONTAINER);
  event.set_action("start");
  event.set_scope("local");
  event.mutable_actor()->set_id("abc123");
  (*event.mutable_actor()->mutable_attributes())["name"] = "web";
  (*event.mutable_actor()->mutable_attributes())["image"] = "busybox";
  event.mutable_time()->set_seconds(1796455200);  // 2026-12-05T07:20:00Z
  event.mutable_time()->set_nanos(123456789);
  return event;
}

TEST(EventLineTest, DockersDefaultLine) {
  EXPECT_EQ(EventLine(Start(), absl::UTCTimeZone()),
            "2026-12-05T07:20:00.123456789Z container start abc123 "
            "(image=busybox, name=web)");
  Event bare = Start();
  bare.mutable_actor()->clear_attributes();
  bare.mutable_time()->set_nanos(0);
  EXPECT_EQ(EventLine(bare, absl::FixedTimeZone(3600)),
            "2026-12-05T08:20:00.000000000+01:00 container start abc123");
}

TEST(EventJsonTest, DockersMessage) {
  EXPECT_EQ(EventJson(Start()).dump(),
            R"({"status":"start","id":"abc123","from":"busybox",)"
            R"("Type":"container","Action":"start","Actor":{"ID":"abc123",)"
            R"("Attributes":{"image":"busybox","name":"web"}},)"
            R"("scope":"local","time":1796455200,"timeNano":1796455200123456789})");
}

TEST(EventTemplateDataTest, GoFieldNamesAllPresent) {
  const nlohmann::ordered_json empty = EventTemplateData(Event());
  EXPECT_EQ(empty["Status"], "");
  EXPECT_EQ(empty["From"], "");
  EXPECT_EQ(EventTemplateData(Start())["Scope"], "local");
  EXPECT_EQ(EventTemplateData(Start())["From"], "busybox");
}

TEST(BuildEventQueryTest, SplitsTermsPerService) {
  absl::StatusOr<EventQuery> query = BuildEventQuery(
      {{"type", "container"}, {"event", "start"}, {"label", "a=b"}});
  ASSERT_TRUE(query.ok());
  EXPECT_TRUE(query->containers);
  EXPECT_FALSE(query->images);
  EXPECT_FALSE(query->networks);
  EXPECT_EQ(query->container_filter.actions(0), "start");
  EXPECT_EQ(query->container_filter.labels(0).key(), "a");

  query = BuildEventQuery({{"container", "web"}});
  ASSERT_TRUE(query.ok());
  EXPECT_TRUE(query->containers);
  EXPECT_FALSE(query->images);  // container= excludes image events
  EXPECT_FALSE(query->networks);
  EXPECT_EQ(query->container_filter.actors(0), "web");

  query = BuildEventQuery({{"network", "n"}});
  ASSERT_TRUE(query.ok());
  EXPECT_FALSE(query->containers || query->images);
  EXPECT_TRUE(query->networks);
  EXPECT_EQ(query->network_filter.actors(0), "n");

  query = BuildEventQuery({{"type", "network"}, {"event", "create"}});
  ASSERT_TRUE(query.ok());
  EXPECT_FALSE(query->containers || query->images);
  EXPECT_TRUE(query->networks);
  EXPECT_EQ(query->network_filter.actions(0), "create");

  query = BuildEventQuery({{"volume", "v"}});
  ASSERT_TRUE(query.ok());
  EXPECT_FALSE(query->containers || query->images || query->networks);

  EXPECT_EQ(BuildEventQuery({{"bogus", "1"}}).status().message(),
            "invalid filter 'bogus'");
}

TEST(BuildEventQueryTest, ImageTermMatchesContainersByTheirImage) {
  absl::StatusOr<EventQuery> query = BuildEventQuery({{"image", "busybox"}});
  ASSERT_TRUE(query.ok());
  EXPECT_TRUE(query->containers && query->images);
  EXPECT_TRUE(ClientSideMatch(Start(), *query));
  Event other = Start();
  (*other.mutable_actor()->mutable_attributes())["image"] = "alpine:3";
  EXPECT_FALSE(ClientSideMatch(other, *query));
  (*other.mutable_actor()->mutable_attributes())["image"] = "busybox:1";
  EXPECT_TRUE(ClientSideMatch(other, *query));
}

TEST(EventMergerTest, HoldsForTheWindowThenOrdersByTime) {
  EventMerger merger(absl::Milliseconds(100));
  const absl::Time t0 = absl::FromUnixSeconds(1000);
  Event late = Start();
  late.mutable_time()->set_seconds(20);
  Event early = Start();
  early.mutable_time()->set_seconds(10);
  merger.Add(late, t0);
  EXPECT_TRUE(merger.TakeDue(t0 + absl::Milliseconds(50), false).empty());
  merger.Add(early, t0 + absl::Milliseconds(60));
  std::vector<Event> due = merger.TakeDue(t0 + absl::Milliseconds(100), false);
  ASSERT_EQ(due.size(), 2u);  // the earlier one is not left behind
  EXPECT_EQ(due[0].time().seconds(), 10);
  EXPECT_EQ(due[1].time().seconds(), 20);
  merger.Add(early, t0);
  EXPECT_EQ(merger.TakeDue(t0, true).size(), 1u);
  EXPECT_TRUE(merger.empty());
}

}  // namespace
}  // namespace berth::ctl
