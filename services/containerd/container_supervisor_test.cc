// containerd's lifecycle logic without root, shims or imaged: the
// supervisor over fake shims, images, cgroups and time, with a real store.
#include "services/containerd/container_supervisor.h"

#include <signal.h>

#include <algorithm>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/containerd/testing/supervisor_fixture.h"

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

}  // namespace
}  // namespace berth::containerd
