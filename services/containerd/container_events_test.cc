// The container events the supervisor publishes, over the fake shims: the
// actions of a lifecycle in order, with Docker's attributes.
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "common/fs_util.h"
#include "common/proto_util.h"
#include "gtest/gtest.h"
#include "services/containerd/attach/scripted_client.h"
#include "services/containerd/container_supervisor.h"
#include "services/containerd/testing/supervisor_fixture.h"

namespace berth::containerd {
namespace {

using ::testing::ElementsAre;

// Every event so far about `id` (the whole history, then the stream ends);
// every event when `id` is empty.
std::vector<types::v1::Event> EventsOf(ContainerSupervisor& supervisor,
                                       const std::string& id) {
  types::v1::EventFilter filter;
  if (!id.empty()) filter.add_actors(id);
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

TEST_F(SupervisorTest, ACommitIsAnEventWithTheImageItMade) {
  Open();
  const std::string id = Create();
  container::v1::CommitContainerRequest request = CommitOf(id, "mine");
  request.set_comment("first cut");
  absl::StatusOr<std::string> image = supervisor_->Commit(request);
  ASSERT_TRUE(image.ok()) << image.status();
  const std::vector<types::v1::Event> events = EventsOf(*supervisor_, id);
  ASSERT_THAT(Actions(events), ElementsAre("create", "commit"));
  const auto& attributes = events[1].actor().attributes();
  EXPECT_EQ(attributes.at("imageID"), *image);
  // Docker names it as it tagged it: with the default tag.
  EXPECT_EQ(attributes.at("imageRef"), "mine:latest");
  EXPECT_EQ(attributes.at("comment"), "first cut");
  EXPECT_EQ(attributes.at("image"), "busybox");

  request.clear_reference();
  ASSERT_TRUE(supervisor_->Commit(request).ok());
  const std::vector<types::v1::Event> again = EventsOf(*supervisor_, id);
  ASSERT_EQ(again.size(), 3u);
  EXPECT_EQ(again[2].actor().attributes().at("imageRef"), "");
}

TEST_F(SupervisorTest, CopiesAndExportsAreEventsButAStatIsNot) {
  rootfs_dir_ = dir_ + "/rootfs";
  ASSERT_EQ(mkdir(rootfs_dir_.c_str(), 0755), 0);
  ASSERT_EQ(mkdir((rootfs_dir_ + "/into").c_str(), 0755), 0);
  ASSERT_TRUE(WriteFileAtomic(rootfs_dir_ + "/f", "data", 0644, false).ok());
  Open();
  const std::string id = Create();
  ASSERT_TRUE(supervisor_->StatPath(id, "/f").ok());
  EXPECT_THAT(Actions(EventsOf(*supervisor_, id)), ElementsAre("create"));

  std::string tar;
  ASSERT_TRUE(supervisor_
                  ->CopyFrom(id, "/f",
                             [](const container::v1::PathStat&) { return true; },
                             [&tar](absl::string_view bytes) {
                               tar.append(bytes.data(), bytes.size());
                               return absl::OkStatus();
                             })
                  .ok());
  // A path that is not there is no copy.
  EXPECT_FALSE(supervisor_
                   ->CopyFrom(id, "/nope",
                              [](const container::v1::PathStat&) { return true; },
                              [](absl::string_view) { return absl::OkStatus(); })
                   .ok());
  container::v1::CopyToOptions to;
  to.set_id(id);
  to.set_path("/into");
  bool sent = false;
  ASSERT_TRUE(supervisor_
                  ->CopyTo(to,
                           [&]() -> absl::StatusOr<std::string> {
                             if (sent) return std::string();
                             sent = true;
                             return tar;
                           })
                  .ok());
  EXPECT_TRUE(ReadFileToString(rootfs_dir_ + "/into/f").ok());
  ASSERT_TRUE(supervisor_
                  ->Export(id, [](absl::string_view) { return absl::OkStatus(); })
                  .ok());
  // An export the client left is not one.
  EXPECT_FALSE(supervisor_
                   ->Export(id,
                            [](absl::string_view) {
                              return absl::CancelledError("gone");
                            })
                   .ok());
  EXPECT_THAT(Actions(EventsOf(*supervisor_, id)),
              ElementsAre("create", "archive-path", "extract-to-dir", "export"));
}

TEST_F(SupervisorTest, DetachingByTheKeysIsAnEvent) {
  Open();
  container::v1::CreateContainerRequest create;
  create.mutable_config()->set_image("busybox");
  create.mutable_config()->set_open_stdin(true);
  auto made = supervisor_->Create(create);
  ASSERT_TRUE(made.ok()) << made.status();
  const std::string id = made->id();
  ASSERT_TRUE(supervisor_->Start(id).ok());
  container::v1::AttachStart start;
  start.set_id(id);
  start.set_attach_stdin(true);
  start.set_attach_stdout(true);
  testing::ScriptedClient client;
  container::v1::AttachContainerRequest keys;
  keys.set_input("\x10\x11");  // ctrl-p,ctrl-q: the default
  client.Push(keys);
  ASSERT_TRUE(supervisor_->Attach(start, client.Stream()).ok());
  ASSERT_FALSE(client.received().empty());
  EXPECT_TRUE(client.received().back().has_detached());
  EXPECT_THAT(Actions(EventsOf(*supervisor_, id)),
              ElementsAre("create", "start", "attach", "detach"));
}

TEST_F(SupervisorTest, APruneIsAContainerEventWithWhatItReclaimed) {
  Open();
  const std::string id = Create();
  {
    absl::MutexLock lock(&image_world_.mu);
    image_world_.upper_sizes[Inspect(id).rootfs_key()] = 4096;
  }
  absl::StatusOr<container::v1::PruneContainersResponse> pruned =
      supervisor_->Prune({});
  ASSERT_TRUE(pruned.ok()) << pruned.status();
  ASSERT_EQ(pruned->deleted_size(), 1);
  // Nothing to prune is a prune too.
  ASSERT_TRUE(supervisor_->Prune({}).ok());
  std::vector<types::v1::Event> prunes;
  for (const types::v1::Event& event : EventsOf(*supervisor_, "")) {
    if (event.action() == "prune") prunes.push_back(event);
  }
  ASSERT_EQ(prunes.size(), 2u);
  EXPECT_EQ(prunes[0].type(), types::v1::OBJECT_TYPE_CONTAINER);
  EXPECT_EQ(prunes[0].actor().id(), "");
  EXPECT_EQ(prunes[0].actor().attributes().at("reclaimed"),
            std::to_string(pruned->space_reclaimed()));
  EXPECT_EQ(prunes[0].actor().attributes().at("reclaimed"), "4096");
  EXPECT_EQ(prunes[1].actor().attributes().at("reclaimed"), "0");
}

TEST(HealthWordTest, DockersWords) {
  EXPECT_EQ(HealthWord(container::v1::Health::STATUS_HEALTHY), "healthy");
  EXPECT_EQ(HealthWord(container::v1::Health::STATUS_UNHEALTHY), "unhealthy");
  EXPECT_EQ(HealthWord(container::v1::Health::STATUS_STARTING), "starting");
}

}  // namespace
}  // namespace berth::containerd
