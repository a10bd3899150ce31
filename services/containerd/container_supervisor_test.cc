// containerd's lifecycle logic without root, shims or imaged: the
// supervisor over fake shims, images, cgroups and time, with a real store.
#include "services/containerd/container_supervisor.h"

#include <signal.h>

#include <algorithm>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "common/fs_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/containerd/cgroups/fake_cgroup_driver.h"
#include "services/containerd/testing/fake_images.h"
#include "services/containerd/testing/fake_shims.h"
#include "services/containerd/testing/fake_time.h"
#include "spdlog/sinks/null_sink.h"

namespace berth::containerd {
namespace {

using container::v1::Container;
using container::v1::CreateContainerRequest;
using container::v1::RestartPolicy;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

// Forwards to a driver the test keeps (the supervisor owns what the factory
// returns).
class SharedCgroups final : public cgroups::CgroupDriver {
 public:
  explicit SharedCgroups(cgroups::FakeCgroupDriver& fake) : fake_(fake) {}
  std::string Version() const override { return fake_.Version(); }
  absl::Status Create(const std::string& id, const cgroups::Limits& l) override {
    return fake_.Create(id, l);
  }
  absl::Status AddProcess(const std::string& id, pid_t pid) override {
    return fake_.AddProcess(id, pid);
  }
  absl::Status Update(const std::string& id, const cgroups::Limits& l) override {
    return fake_.Update(id, l);
  }
  absl::StatusOr<bool> OomKilled(const std::string& id) override {
    return fake_.OomKilled(id);
  }
  absl::StatusOr<cgroups::CgroupStats> Stats(const std::string& id) override {
    return fake_.Stats(id);
  }
  absl::StatusOr<std::vector<pid_t>> Pids(const std::string& id) override {
    return fake_.Pids(id);
  }
  absl::Status Freeze(const std::string& id) override { return fake_.Freeze(id); }
  absl::Status Thaw(const std::string& id) override { return fake_.Thaw(id); }
  absl::Status Remove(const std::string& id) override { return fake_.Remove(id); }
  absl::StatusOr<bool> Exists(const std::string& id) override {
    return fake_.Exists(id);
  }

 private:
  cgroups::FakeCgroupDriver& fake_;
};

class SupervisorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::string> dir = MakeTempDir("/tmp", "supervisor-test-");
    ASSERT_TRUE(dir.ok()) << dir.status();
    dir_ = *dir;
    auto store = Store::Open(dir_ + "/db", ContainerdSchema());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    absl::MutexLock lock(&world_.mu);
    world_.clock = &clock_;
  }
  void TearDown() override {
    supervisor_.reset();
    store_.reset();
    EXPECT_TRUE(RemoveTree(dir_).ok());
  }

  // Opens a supervisor (again) over the same store and shim world.
  void Open(std::unique_ptr<Scheduler> scheduler = nullptr) {
    supervisor_.reset();
    SupervisorDeps deps;
    auto images = std::make_unique<testing::FakeImages>();
    images_ = images.get();
    deps.images = std::move(images);
    auto shims = std::make_unique<testing::FakeShims>(world_);
    shims_ = shims.get();
    deps.shims = std::move(shims);
    deps.cgroups = [this](const std::string& parent)
        -> absl::StatusOr<std::unique_ptr<cgroups::CgroupDriver>> {
      return std::make_unique<SharedCgroups>(cgroups_[parent]);
    };
    if (scheduler == nullptr) {
      auto manual = std::make_unique<testing::ManualScheduler>();
      scheduler_ = manual.get();
      deps.scheduler = std::move(manual);
    } else {
      scheduler_ = nullptr;
      deps.scheduler = std::move(scheduler);
    }
    deps.clock = &clock_;
    SupervisorOptions options;
    options.containers_dir = dir_ + "/containers";
    options.shims_dir = dir_ + "/shims";
    options.shim_path = "/nonexistent/berth-shim";
    auto supervisor = ContainerSupervisor::Open(*store_, log_, std::move(deps),
                                                options);
    ASSERT_TRUE(supervisor.ok()) << supervisor.status();
    supervisor_ = *std::move(supervisor);
  }

  std::string Create(RestartPolicy::Name policy = RestartPolicy::NAME_NO,
                     int retries = 0, const std::string& cgroup_parent = "") {
    CreateContainerRequest request;
    request.mutable_config()->set_image("busybox");
    request.mutable_host_config()->mutable_restart_policy()->set_name(policy);
    request.mutable_host_config()->mutable_restart_policy()
        ->set_maximum_retry_count(retries);
    request.mutable_host_config()->set_cgroup_parent(cgroup_parent);
    auto created = supervisor_->Create(request);
    EXPECT_TRUE(created.ok()) << created.status();
    return created.ok() ? created->id() : "";
  }

  Container Inspect(const std::string& id) {
    auto container = supervisor_->Inspect(id);
    EXPECT_TRUE(container.ok()) << container.status();
    return container.value_or(Container());
  }
  container::v1::ContainerStatus StatusOf(const std::string& id) {
    return Inspect(id).state().status();
  }
  // Waits (briefly) until the exit reported by the fake shim is recorded.
  void AwaitStatus(const std::string& id, container::v1::ContainerStatus want) {
    for (int i = 0; i < 500 && StatusOf(id) != want; ++i) {
      absl::SleepFor(absl::Milliseconds(2));
    }
    ASSERT_EQ(StatusOf(id), want);
  }
  // The container's record as stored (not the copy in memory).
  Container Stored(const std::string& id) {
    auto records = ContainerRecords::Load(*store_);
    EXPECT_TRUE(records.ok()) << records.status();
    auto container = (*records)->Get(id);
    EXPECT_TRUE(container.ok()) << container.status();
    return container.value_or(Container());
  }

  // A stop that waits out a long timeout in its own thread (SIGUSR1 does
  // not end a fake container); returned once the shim got the signal.
  struct LongStop {
    absl::Notification done;
    absl::Status status;
    std::thread thread;
  };
  std::unique_ptr<LongStop> StartLongStop(const std::string& id) {
    auto stop = std::make_unique<LongStop>();
    LongStop* raw = stop.get();
    stop->thread = std::thread([this, raw, id] {
      raw->status = supervisor_->Stop(id, 100000, "SIGUSR1");
      raw->done.Notify();
    });
    for (int i = 0; i < 500; ++i) {
      const std::vector<std::string> calls = shims_->calls();
      if (std::find(calls.begin(), calls.end(), "Signal " + id + " 10") !=
          calls.end()) {
        break;
      }
      absl::SleepFor(absl::Milliseconds(2));
    }
    return stop;
  }

  // A live shim with a running init for `id`, as Launch leaves one.
  void ShimWorldShim(const std::string& id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(world_.mu) {
    testing::ShimWorld::Shim& shim = world_.shims[id];
    shim.shim_pid = world_.next_pid++;
    shim.init_pid = world_.next_pid++;
    shim.alive = true;
    shim.exit.reset();
  }

  std::string dir_;
  std::unique_ptr<Store> store_;
  spdlog::logger log_{"test", std::make_shared<spdlog::sinks::null_sink_mt>()};
  testing::ShimWorld world_;
  std::map<std::string, cgroups::FakeCgroupDriver> cgroups_;
  testing::FakeClock clock_;
  testing::FakeImages* images_ = nullptr;
  testing::FakeShims* shims_ = nullptr;
  testing::ManualScheduler* scheduler_ = nullptr;
  std::unique_ptr<ContainerSupervisor> supervisor_;
};

TEST_F(SupervisorTest, StartAndExitFollowTheStateMachine) {
  Open();
  const std::string id = Create();
  EXPECT_EQ(StatusOf(id), container::v1::CONTAINER_STATUS_CREATED);
  ASSERT_TRUE(supervisor_->Start(id).ok());
  Container running = Inspect(id);
  EXPECT_EQ(running.state().status(), container::v1::CONTAINER_STATUS_RUNNING);
  EXPECT_TRUE(running.state().running());
  EXPECT_GT(running.state().pid(), 0);
  EXPECT_THAT(shims_->calls(), Contains("Watch " + id));

  shims_->Exit(id, 3);
  auto waited = supervisor_->Wait(id, container::v1::WAIT_CONDITION_NOT_RUNNING,
                                  nullptr);
  ASSERT_TRUE(waited.ok()) << waited.status();
  EXPECT_EQ(waited->exit_code(), 3);
  Container exited = Inspect(id);
  EXPECT_EQ(exited.state().status(), container::v1::CONTAINER_STATUS_EXITED);
  EXPECT_FALSE(exited.state().running());
  EXPECT_EQ(exited.state().pid(), 0);
  EXPECT_EQ(Stored(id).state().status(), container::v1::CONTAINER_STATUS_EXITED);
}

TEST_F(SupervisorTest, RemovingARunningContainerNeedsForce) {
  Open();
  const std::string id = Create();
  ASSERT_TRUE(supervisor_->Start(id).ok());
  absl::Status refused = supervisor_->Remove(id, /*force=*/false);
  EXPECT_TRUE(absl::IsFailedPrecondition(refused)) << refused;
  EXPECT_THAT(refused.message(), HasSubstr("container is running"));
  ASSERT_TRUE(supervisor_->Remove(id, /*force=*/true).ok());
  EXPECT_TRUE(absl::IsNotFound(supervisor_->Inspect(id).status()));
  EXPECT_FALSE(images_->HasSnapshot(id));
}

TEST_F(SupervisorTest, OnFailureRestartsWithDoublingBackoffUpToItsLimit) {
  Open();
  const std::string id = Create(RestartPolicy::NAME_ON_FAILURE, 3);
  ASSERT_TRUE(supervisor_->Start(id).ok());
  for (int restart = 1; restart <= 3; ++restart) {
    clock_.Advance(absl::Seconds(1));
    shims_->Exit(id, 1);
    AwaitStatus(id, container::v1::CONTAINER_STATUS_RESTARTING);
    EXPECT_TRUE(Inspect(id).state().restarting());
    EXPECT_EQ(Inspect(id).restart_count(), restart);
    ASSERT_EQ(scheduler_->RunPending(), 1);
    EXPECT_EQ(StatusOf(id), container::v1::CONTAINER_STATUS_RUNNING);
  }
  EXPECT_THAT(scheduler_->delays(),
              ElementsAre(absl::Milliseconds(100), absl::Milliseconds(200),
                          absl::Milliseconds(400)));
  clock_.Advance(absl::Seconds(1));
  shims_->Exit(id, 1);
  AwaitStatus(id, container::v1::CONTAINER_STATUS_EXITED);
  EXPECT_EQ(scheduler_->RunPending(), 0);
  EXPECT_EQ(shims_->launches(), 4);
}

TEST_F(SupervisorTest, ARunOfTenSecondsResetsTheBackoff) {
  Open();
  const std::string id = Create(RestartPolicy::NAME_ALWAYS);
  ASSERT_TRUE(supervisor_->Start(id).ok());
  for (int i = 0; i < 3; ++i) {
    shims_->Exit(id, 0);
    AwaitStatus(id, container::v1::CONTAINER_STATUS_RESTARTING);
    ASSERT_EQ(scheduler_->RunPending(), 1);
  }
  clock_.Advance(absl::Seconds(10));
  shims_->Exit(id, 0);
  AwaitStatus(id, container::v1::CONTAINER_STATUS_RESTARTING);
  EXPECT_THAT(scheduler_->delays(),
              ElementsAre(absl::Milliseconds(100), absl::Milliseconds(200),
                          absl::Milliseconds(400), absl::Milliseconds(100)));
}

TEST_F(SupervisorTest, AStopCancelsAPendingRestart) {
  Open();
  const std::string id = Create(RestartPolicy::NAME_ALWAYS);
  ASSERT_TRUE(supervisor_->Start(id).ok());
  shims_->Exit(id, 1);
  AwaitStatus(id, container::v1::CONTAINER_STATUS_RESTARTING);
  ASSERT_TRUE(supervisor_->Stop(id, 1, "").ok());
  EXPECT_EQ(StatusOf(id), container::v1::CONTAINER_STATUS_EXITED);
  EXPECT_EQ(scheduler_->RunPending(), 1);  // the restart finds nothing to do
  EXPECT_EQ(StatusOf(id), container::v1::CONTAINER_STATUS_EXITED);
  EXPECT_EQ(shims_->launches(), 1);
}

TEST_F(SupervisorTest, StopAndForcedRemoveOfAWedgedShimReturnWithinDeadlines) {
  Open();
  const std::string stopped = Create();
  const std::string removed = Create();
  ASSERT_TRUE(supervisor_->Start(stopped).ok());
  ASSERT_TRUE(supervisor_->Start(removed).ok());
  const pid_t shim_pid = Inspect(stopped).state().shim_pid();
  shims_->Wedge(absl::Milliseconds(300));

  const absl::Time before = absl::Now();
  ASSERT_TRUE(supervisor_->Stop(stopped, /*timeout=*/30, "").ok());
  EXPECT_LT(absl::Now() - before, absl::Seconds(3));
  EXPECT_THAT(shims_->calls(), Contains(absl::StrCat("KillShim ", shim_pid)));
  EXPECT_THAT(cgroups_["berth"].calls(), Contains("Remove " + stopped));
  Container container = Inspect(stopped);
  EXPECT_EQ(container.state().status(), container::v1::CONTAINER_STATUS_EXITED);
  EXPECT_EQ(container.state().exit_code(), 137);
  EXPECT_THAT(container.state().error(), HasSubstr("did not answer"));

  const absl::Time again = absl::Now();
  ASSERT_TRUE(supervisor_->Remove(removed, /*force=*/true).ok());
  EXPECT_LT(absl::Now() - again, absl::Seconds(3));
  EXPECT_TRUE(absl::IsNotFound(supervisor_->Inspect(removed).status()));
}

// A stop with a huge timeout held the container's lock, and rm -f waited
// behind it; now rm -f kills first and the stop ends with the container.
TEST_F(SupervisorTest, ForcedRemoveDoesNotWaitBehindALongStop) {
  Open();
  const std::string id = Create();
  ASSERT_TRUE(supervisor_->Start(id).ok());
  std::unique_ptr<LongStop> stop = StartLongStop(id);
  absl::Notification removed;
  absl::Status remove_status;
  std::thread remover([&] {
    remove_status = supervisor_->Remove(id, /*force=*/true);
    removed.Notify();
  });
  // Bounds far above the work, far below the stop's timeout.
  const bool remove_returned =
      removed.WaitForNotificationWithTimeout(absl::Seconds(30));
  EXPECT_TRUE(remove_returned) << "rm -f waited behind the stop";
  if (!remove_returned) {
    shims_->Exit(id, 137);  // let both threads end
  }
  remover.join();
  stop->thread.join();
  EXPECT_TRUE(remove_status.ok()) << remove_status;
  EXPECT_TRUE(stop->status.ok()) << stop->status;
  EXPECT_FALSE(supervisor_->Inspect(id).ok());
}

// A call whose client went away (its deadline passed while it waited for
// the container, say) is dropped before it changes anything: a start whose
// client timed out once ran minutes later.
TEST_F(SupervisorTest, AbandonedCallsChangeNothing) {
  Open();
  const auto gone = [] { return true; };
  CreateContainerRequest request;
  request.mutable_config()->set_image("busybox");
  auto created = supervisor_->Create(request, gone);
  EXPECT_TRUE(absl::IsCancelled(created.status())) << created.status();
  EXPECT_EQ(images_->snapshots(), 0);

  const std::string id = Create();
  absl::Status started = supervisor_->Start(id, gone);
  EXPECT_TRUE(absl::IsCancelled(started)) << started;
  EXPECT_EQ(shims_->launches(), 0);
  EXPECT_EQ(StatusOf(id), container::v1::CONTAINER_STATUS_CREATED);

  ASSERT_TRUE(supervisor_->Start(id).ok());
  EXPECT_TRUE(absl::IsCancelled(supervisor_->Stop(id, 1, "", gone)));
  EXPECT_TRUE(absl::IsCancelled(supervisor_->Restart(id, 1, "", gone)));
  EXPECT_TRUE(absl::IsCancelled(supervisor_->Remove(id, true, gone)));
  EXPECT_EQ(StatusOf(id), container::v1::CONTAINER_STATUS_RUNNING);
  EXPECT_EQ(shims_->launches(), 1);
  EXPECT_TRUE(supervisor_->Remove(id, true, [] { return false; }).ok());
}

// SIGTERM of berthd hung behind a stop with a long timeout: the daemon's
// BeginShutdown ends the wait (the container runs on, the stop says so).
TEST_F(SupervisorTest, BeginShutdownEndsALongStop) {
  Open();
  const std::string id = Create();
  ASSERT_TRUE(supervisor_->Start(id).ok());
  std::unique_ptr<LongStop> stop = StartLongStop(id);
  supervisor_->BeginShutdown();
  const bool returned =
      stop->done.WaitForNotificationWithTimeout(absl::Seconds(30));
  EXPECT_TRUE(returned) << "the stop held the shutdown";
  if (!returned) shims_->Exit(id, 137);
  stop->thread.join();
  EXPECT_TRUE(absl::IsUnavailable(stop->status)) << stop->status;
  EXPECT_THAT(std::string(stop->status.message()), HasSubstr("shutting down"));
  EXPECT_EQ(StatusOf(id), container::v1::CONTAINER_STATUS_RUNNING);
}

TEST_F(SupervisorTest, KillOfAWedgedShimSaysSo) {
  Open();
  const std::string id = Create();
  ASSERT_TRUE(supervisor_->Start(id).ok());
  shims_->Wedge(absl::Milliseconds(50));
  absl::Status killed = supervisor_->Kill(id, "SIGHUP");
  EXPECT_TRUE(absl::IsDeadlineExceeded(killed)) << killed;
  EXPECT_THAT(killed.message(), HasSubstr("it was killed"));
  AwaitStatus(id, container::v1::CONTAINER_STATUS_EXITED);
}

TEST_F(SupervisorTest, ShutdownStopsTasksBeforeExits) {
  // A crash-looping "always" container whose restart is in the middle of
  // launching when the supervisor is destroyed: the restart must finish
  // with the shim client still there, and nothing may reach the shim
  // client after its shutdown.
  Open(std::make_unique<DelayedTasks>());
  const std::string id = Create(RestartPolicy::NAME_ALWAYS);
  absl::Notification restarting;
  absl::Notification go;
  shims_->OnLaunch(1, [&] {
    if (!restarting.HasBeenNotified()) restarting.Notify();
    go.WaitForNotificationWithTimeout(absl::Seconds(5));
  });
  shims_->ExitAtLaunch(1);
  ASSERT_TRUE(supervisor_->Start(id).ok());
  ASSERT_TRUE(restarting.WaitForNotificationWithTimeout(absl::Seconds(5)));
  std::thread destroy([&] { supervisor_.reset(); });
  absl::SleepFor(absl::Milliseconds(100));
  go.Notify();
  destroy.join();
  absl::MutexLock lock(&world_.mu);
  EXPECT_THAT(world_.late_calls, IsEmpty());
}

TEST_F(SupervisorTest, AnExitWhoseRecordCannotBeWrittenStillEndsTheWait) {
  Open();
  const std::string id = Create();
  ASSERT_TRUE(supervisor_->Start(id).ok());
  supervisor_->SetRecordWriteFaultForTesting([](const Container&) {
    return absl::ResourceExhaustedError("No space left on device");
  });
  shims_->Exit(id, 5);
  auto waited = supervisor_->Wait(id, container::v1::WAIT_CONDITION_NOT_RUNNING,
                                  nullptr);
  ASSERT_TRUE(waited.ok()) << waited.status();
  EXPECT_EQ(waited->exit_code(), 5);
  EXPECT_EQ(StatusOf(id), container::v1::CONTAINER_STATUS_EXITED);
  EXPECT_EQ(Stored(id).state().status(), container::v1::CONTAINER_STATUS_RUNNING);
  // Retried until the write sticks.
  EXPECT_EQ(scheduler_->RunPending(), 1);
  EXPECT_EQ(Stored(id).state().status(), container::v1::CONTAINER_STATUS_RUNNING);
  supervisor_->SetRecordWriteFaultForTesting(nullptr);
  EXPECT_EQ(scheduler_->RunPending(), 1);
  EXPECT_EQ(Stored(id).state().status(), container::v1::CONTAINER_STATUS_EXITED);
  EXPECT_EQ(Stored(id).state().exit_code(), 5);
  EXPECT_GE(scheduler_->delays().size(), 2u);
  EXPECT_EQ(scheduler_->delays()[1], 2 * scheduler_->delays()[0]);
}

TEST_F(SupervisorTest, AStartThatCannotBeRecordedEndsTheLaunchedContainer) {
  Open();
  const std::string id = Create();
  supervisor_->SetRecordWriteFaultForTesting([](const Container& c) {
    return c.state().status() == container::v1::CONTAINER_STATUS_RUNNING
               ? absl::ResourceExhaustedError("No space left on device")
               : absl::OkStatus();
  });
  absl::Status started = supervisor_->Start(id);
  EXPECT_FALSE(started.ok());
  EXPECT_THAT(started.message(), HasSubstr("No space left on device"));
  // Nothing runs untracked: the shim and the cgroup's processes are killed.
  EXPECT_THAT(shims_->calls(), Contains(HasSubstr("KillShim ")));
  EXPECT_THAT(cgroups_["berth"].calls(), Contains("Remove " + id));
  Container container = Inspect(id);
  EXPECT_EQ(container.state().status(), container::v1::CONTAINER_STATUS_CREATED);
  EXPECT_THAT(container.state().error(), HasSubstr("recording the start"));
}

TEST_F(SupervisorTest, AShimThatDidNotStartInTimeLeavesNothingRunning) {
  Open();
  const std::string id = Create();
  shims_->FailNextLaunch(absl::DeadlineExceededError(
      "berth-shim did not start the container within 60s"));
  absl::Status started = supervisor_->Start(id);
  EXPECT_FALSE(started.ok());
  EXPECT_THAT(cgroups_["berth"].calls(), Contains("Remove " + id));
  Container container = Inspect(id);
  EXPECT_EQ(container.state().status(), container::v1::CONTAINER_STATUS_CREATED);
  EXPECT_EQ(container.state().exit_code(), 125);
  EXPECT_THAT(container.state().error(), HasSubstr("within 60s"));
  // A later start launches afresh.
  ASSERT_TRUE(supervisor_->Start(id).ok());
  EXPECT_EQ(StatusOf(id), container::v1::CONTAINER_STATUS_RUNNING);
}

TEST_F(SupervisorTest, ACustomCgroupParentIsCheckedAtCreateAndCleanedAfterAShimCrash) {
  Open();
  CreateContainerRequest bad;
  bad.mutable_config()->set_image("busybox");
  bad.mutable_host_config()->set_cgroup_parent("../escape");
  auto refused = supervisor_->Create(bad);
  EXPECT_TRUE(absl::IsInvalidArgument(refused.status())) << refused.status();
  EXPECT_THAT(refused.status().message(), HasSubstr("cgroup parent"));
  EXPECT_EQ(images_->snapshots(), 0);

  const std::string id = Create(RestartPolicy::NAME_NO, 0, "custom/parent");
  ASSERT_TRUE(supervisor_->Start(id).ok());
  shims_->Vanish(id);
  AwaitStatus(id, container::v1::CONTAINER_STATUS_EXITED);
  EXPECT_THAT(Inspect(id).state().error(), HasSubstr("shim exited unexpectedly"));
  ASSERT_TRUE(supervisor_->Remove(id, false).ok());
  EXPECT_THAT(cgroups_["custom/parent"].calls(), Contains("Remove " + id));
  EXPECT_THAT(cgroups_["berth"].calls(), Not(Contains("Remove " + id)));
}

TEST_F(SupervisorTest, ARestartedSupervisorAdoptsLiveShimsAndRecordsGoneOnes) {
  Open();
  const std::string live = Create();
  const std::string gone = Create();
  ASSERT_TRUE(supervisor_->Start(live).ok());
  ASSERT_TRUE(supervisor_->Start(gone).ok());
  supervisor_.reset();  // containerd stops; the shims run on
  {
    absl::MutexLock lock(&world_.mu);
    shim::ExitRecord record;
    record.exit_code = 7;
    record.finished_at = absl::Now();
    world_.shims[gone].alive = false;
    world_.shims[gone].exit = record;
  }
  Open();
  EXPECT_THAT(shims_->calls(), Contains("Watch " + live));
  EXPECT_EQ(StatusOf(live), container::v1::CONTAINER_STATUS_RUNNING);
  EXPECT_EQ(StatusOf(gone), container::v1::CONTAINER_STATUS_EXITED);
  EXPECT_EQ(Inspect(gone).state().exit_code(), 7);
  // The adopted shim still reports its exit.
  shims_->Exit(live, 4);
  AwaitStatus(live, container::v1::CONTAINER_STATUS_EXITED);
  EXPECT_EQ(Inspect(live).state().exit_code(), 4);
}

// containerd died between launching a start's shim and recording the start:
// the record says created while a container runs. Recovery must not leave
// it so (a later start deleted the socket, stop and kill did nothing): the
// untracked container is killed and the record is true; starting works.
TEST_F(SupervisorTest, RecoveryEndsTheShimOfAStartItNeverRecorded) {
  Open();
  const std::string id = Create();
  const std::string idle = Create();
  supervisor_.reset();
  {
    // The interrupted start's shim, alive with its container.
    absl::MutexLock lock(&world_.mu);
    ShimWorldShim(id);
  }
  Open();
  EXPECT_THAT(shims_->calls(), Contains("Signal " + id + " 9"));
  {
    absl::MutexLock lock(&world_.mu);
    EXPECT_FALSE(world_.shims[id].alive);
  }
  EXPECT_EQ(StatusOf(id), container::v1::CONTAINER_STATUS_CREATED);
  EXPECT_EQ(StatusOf(idle), container::v1::CONTAINER_STATUS_CREATED);
  EXPECT_THAT(cgroups_["berth"].calls(), Contains("Remove " + id));
  ASSERT_TRUE(supervisor_->Start(id).ok());
  EXPECT_EQ(StatusOf(id), container::v1::CONTAINER_STATUS_RUNNING);
}

TEST_F(SupervisorTest, AShimOfAnotherProtocolIsRefusedAndMarkedNotLost) {
  Open();
  const std::string id = Create();
  ASSERT_TRUE(supervisor_->Start(id).ok());
  const pid_t shim_pid = Inspect(id).state().shim_pid();
  supervisor_.reset();
  {
    absl::MutexLock lock(&world_.mu);
    world_.foreign.insert(id);
  }
  Open();
  Container marked = Inspect(id);
  EXPECT_EQ(marked.state().status(), container::v1::CONTAINER_STATUS_DEAD);
  EXPECT_THAT(marked.state().error(), HasSubstr("speaks protocol 2"));
  EXPECT_THAT(marked.state().error(), HasSubstr("rm -f"));
  EXPECT_EQ(Stored(id).state().status(), container::v1::CONTAINER_STATUS_DEAD);
  EXPECT_FALSE(supervisor_->Start(id).ok());
  // rm -f ends it: the shim and the container's processes are killed first.
  ASSERT_TRUE(supervisor_->Remove(id, /*force=*/true).ok());
  EXPECT_THAT(shims_->calls(), Contains(absl::StrCat("KillShim ", shim_pid)));
  EXPECT_THAT(cgroups_["berth"].calls(), Contains("Remove " + id));
  EXPECT_FALSE(images_->HasSnapshot(id));
}

TEST_F(SupervisorTest, APendingRestartSurvivesADaemonRestart) {
  Open();
  const std::string id = Create(RestartPolicy::NAME_ALWAYS);
  ASSERT_TRUE(supervisor_->Start(id).ok());
  shims_->Exit(id, 1);
  AwaitStatus(id, container::v1::CONTAINER_STATUS_RESTARTING);
  supervisor_.reset();
  Open();
  EXPECT_EQ(scheduler_->RunPending(), 1);
  EXPECT_EQ(StatusOf(id), container::v1::CONTAINER_STATUS_RUNNING);
}

}  // namespace
}  // namespace berth::containerd
