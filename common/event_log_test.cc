#include "common/event_log.h"

#include <atomic>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "common/proto_util.h"
#include "gtest/gtest.h"

namespace berth {
namespace {

using types::v1::Event;
using types::v1::EventFilter;
using types::v1::OBJECT_TYPE_CONTAINER;
using types::v1::OBJECT_TYPE_IMAGE;

Event Make(types::v1::ObjectType type, const std::string& action,
           const std::string& id, std::map<std::string, std::string> attrs) {
  Event event;
  event.set_type(type);
  event.set_action(action);
  event.mutable_actor()->set_id(id);
  for (const auto& [k, v] : attrs) (*event.mutable_actor()->mutable_attributes())[k] = v;
  return event;
}

TEST(EventMatchesTest, KindsAreAndedValuesOred) {
  const Event start = Make(OBJECT_TYPE_CONTAINER, "start", "abc123",
                           {{"name", "web"}, {"image", "busybox"}});
  EventFilter filter;
  EXPECT_TRUE(EventMatches(start, filter));
  filter.add_actions("die");
  EXPECT_FALSE(EventMatches(start, filter));
  filter.add_actions("start");
  EXPECT_TRUE(EventMatches(start, filter));
  filter.add_types(OBJECT_TYPE_IMAGE);
  EXPECT_FALSE(EventMatches(start, filter));
  filter.add_types(OBJECT_TYPE_CONTAINER);
  EXPECT_TRUE(EventMatches(start, filter));
}

TEST(EventMatchesTest, ActionPrefixBeforeColon) {
  const Event health = Make(OBJECT_TYPE_CONTAINER, "health_status: healthy", "a", {});
  EventFilter filter;
  filter.add_actions("health_status");
  EXPECT_TRUE(EventMatches(health, filter));
  filter.set_actions(0, "health");
  EXPECT_FALSE(EventMatches(health, filter));
  filter.set_actions(0, "health_status: healthy");
  EXPECT_TRUE(EventMatches(health, filter));
}

TEST(EventMatchesTest, ActorsByIdPrefixOrName) {
  const Event event = Make(OBJECT_TYPE_CONTAINER, "start", "abc123", {{"name", "web"}});
  EventFilter filter;
  filter.add_actors("abc");
  EXPECT_TRUE(EventMatches(event, filter));
  filter.set_actors(0, "we");
  EXPECT_FALSE(EventMatches(event, filter));
  filter.set_actors(0, "web");
  EXPECT_TRUE(EventMatches(event, filter));
  const Event tag = Make(OBJECT_TYPE_IMAGE, "tag", "sha256:feed", {{"name", "busybox:1"}});
  filter.set_actors(0, "busybox");
  EXPECT_TRUE(EventMatches(tag, filter));
  filter.set_actors(0, "fee");
  EXPECT_TRUE(EventMatches(tag, filter));
}

TEST(EventMatchesTest, LabelsAreAllRequired) {
  const Event event = Make(OBJECT_TYPE_CONTAINER, "start", "a", {{"tier", "web"}, {"x", ""}});
  EventFilter filter;
  auto* tier = filter.add_labels();
  tier->set_key("tier");
  EXPECT_TRUE(EventMatches(event, filter));
  tier->set_value("db");
  EXPECT_FALSE(EventMatches(event, filter));
  tier->set_value("web");
  auto* other = filter.add_labels();
  other->set_key("missing");
  EXPECT_FALSE(EventMatches(event, filter));
  other->set_negate(true);
  EXPECT_TRUE(EventMatches(event, filter));
}

struct FakeClock {
  absl::Time now = absl::FromUnixSeconds(1000000);
};

TEST(EventLogTest, ReplaysSinceUntilInOrderAndEnds) {
  FakeClock clock;
  EventLogOptions options;
  options.now = [&clock] { return clock.now; };
  EventLog log(options);
  for (int i = 0; i < 5; ++i) {
    log.Emit(OBJECT_TYPE_CONTAINER, "start", "c" + std::to_string(i), {});
    clock.now += absl::Seconds(1);
  }
  EventFilter filter;
  *filter.mutable_since() = ToTimestamp(absl::FromUnixSeconds(1000001));
  *filter.mutable_until() = ToTimestamp(absl::FromUnixSeconds(1000003));
  std::vector<std::string> seen;
  ASSERT_TRUE(log.Stream(filter,
                         [&](const Event& e) {
                           seen.push_back(e.actor().id());
                           return true;
                         },
                         nullptr)
                  .ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"c1", "c2", "c3"}));
}

TEST(EventLogTest, UntilBeforeSinceIsInvalid) {
  EventLog log;
  EventFilter filter;
  *filter.mutable_since() = ToTimestamp(absl::FromUnixSeconds(20));
  *filter.mutable_until() = ToTimestamp(absl::FromUnixSeconds(10));
  EXPECT_TRUE(absl::IsInvalidArgument(
      log.Stream(filter, [](const Event&) { return true; }, nullptr)));
}

TEST(EventLogTest, HistoryKeepsLastNOrYoungerThanAge) {
  FakeClock clock;
  EventLogOptions options;
  options.now = [&clock] { return clock.now; };
  options.min_events = 3;
  options.min_age = absl::Minutes(1);
  options.max_events = 10;
  EventLog log(options);
  for (int i = 0; i < 8; ++i) log.Emit(OBJECT_TYPE_CONTAINER, "start", "c", {});
  EXPECT_EQ(log.HistorySize(), 8u);  // all young
  for (int i = 0; i < 8; ++i) log.Emit(OBJECT_TYPE_CONTAINER, "start", "c", {});
  EXPECT_EQ(log.HistorySize(), 10u);  // hard cap
  clock.now += absl::Minutes(2);
  log.Emit(OBJECT_TYPE_CONTAINER, "start", "c", {});
  EXPECT_EQ(log.HistorySize(), 3u);  // old ones beyond the last 3 go
}

TEST(EventLogTest, LiveSubscriberSeesNewMatchingEvents) {
  EventLog log;
  EventFilter filter;
  filter.add_actions("die");
  std::vector<std::string> seen;
  std::atomic<bool> done{false};
  std::thread reader([&] {
    log.Stream(filter,
               [&](const Event& e) {
                 seen.push_back(e.action() + " " + e.actor().id());
                 return seen.size() < 2;
               },
               nullptr)
        .IgnoreError();
    done = true;
  });
  // Emits until the reader has had two: it may subscribe after the first.
  while (true) {
    log.Emit(OBJECT_TYPE_CONTAINER, "start", "a", {});
    log.Emit(OBJECT_TYPE_CONTAINER, "die", "a", {});
    absl::SleepFor(absl::Milliseconds(20));
    if (done) break;
  }
  reader.join();
  EXPECT_EQ(seen[0], "die a");
  EXPECT_EQ(seen[1], "die a");
}

TEST(EventLogTest, SlowSubscriberIsEndedNotWaitedFor) {
  EventLogOptions options;
  options.subscriber_queue = 4;
  EventLog log(options);
  absl::Notification first;
  absl::Notification release;
  absl::Status status;
  std::thread reader([&] {
    status = log.Stream(EventFilter(),
                        [&](const Event&) {
                          if (!first.HasBeenNotified()) first.Notify();
                          release.WaitForNotification();
                          return true;
                        },
                        nullptr);
  });
  while (!first.HasBeenNotified()) {
    log.Emit(OBJECT_TYPE_CONTAINER, "start", "a", {});
    absl::SleepFor(absl::Milliseconds(5));
  }
  // The reader is stuck in send: these must not block.
  for (int i = 0; i < 100; ++i) log.Emit(OBJECT_TYPE_CONTAINER, "start", "a", {});
  release.Notify();
  reader.join();
  EXPECT_TRUE(absl::IsResourceExhausted(status)) << status;
}

TEST(EventLogTest, CancelledEndsAWaitingStream) {
  EventLogOptions options;
  options.poll = absl::Milliseconds(10);
  EventLog log(options);
  std::atomic<bool> cancel{false};
  std::thread reader([&] {
    EXPECT_TRUE(log.Stream(EventFilter(), [](const Event&) { return true; },
                           [&] { return cancel.load(); })
                    .ok());
  });
  absl::SleepFor(absl::Milliseconds(30));
  cancel = true;
  reader.join();
}

}  // namespace
}  // namespace berth
