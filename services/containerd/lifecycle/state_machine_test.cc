#include "services/containerd/lifecycle/state_machine.h"

#include <set>
#include <utility>

#include "gtest/gtest.h"

namespace berth::containerd {
namespace {

using container::v1::CONTAINER_STATUS_CREATED;
using container::v1::CONTAINER_STATUS_DEAD;
using container::v1::CONTAINER_STATUS_EXITED;
using container::v1::CONTAINER_STATUS_PAUSED;
using container::v1::CONTAINER_STATUS_REMOVING;
using container::v1::CONTAINER_STATUS_RESTARTING;
using container::v1::CONTAINER_STATUS_RUNNING;
using container::v1::CONTAINER_STATUS_UNSPECIFIED;

constexpr ContainerStatus kAll[] = {
    CONTAINER_STATUS_CREATED, CONTAINER_STATUS_RUNNING,
    CONTAINER_STATUS_PAUSED,  CONTAINER_STATUS_RESTARTING,
    CONTAINER_STATUS_REMOVING, CONTAINER_STATUS_EXITED,
    CONTAINER_STATUS_DEAD};
constexpr LifecycleEvent kEvents[] = {
    LifecycleEvent::kLaunched,      LifecycleEvent::kLaunchFailed,
    LifecycleEvent::kExited,        LifecycleEvent::kBackoff,
    LifecycleEvent::kCancelRestart, LifecycleEvent::kPause,
    LifecycleEvent::kResume,        LifecycleEvent::kRemove,
    LifecycleEvent::kRemoved,       LifecycleEvent::kRemoveFailed};

ContainerStatus Must(ContainerStatus from, LifecycleEvent event) {
  absl::StatusOr<ContainerStatus> to = Transition(from, event);
  EXPECT_TRUE(to.ok()) << to.status();
  return to.value_or(CONTAINER_STATUS_UNSPECIFIED);
}

TEST(StateMachineTest, ALifeFromCreateToRemoval) {
  ContainerStatus s = CONTAINER_STATUS_CREATED;
  s = Must(s, LifecycleEvent::kLaunched);
  EXPECT_EQ(s, CONTAINER_STATUS_RUNNING);
  s = Must(s, LifecycleEvent::kPause);
  EXPECT_EQ(s, CONTAINER_STATUS_PAUSED);
  s = Must(s, LifecycleEvent::kResume);
  s = Must(s, LifecycleEvent::kBackoff);
  EXPECT_EQ(s, CONTAINER_STATUS_RESTARTING);
  s = Must(s, LifecycleEvent::kLaunched);
  s = Must(s, LifecycleEvent::kExited);
  EXPECT_EQ(s, CONTAINER_STATUS_EXITED);
  s = Must(s, LifecycleEvent::kRemove);
  EXPECT_EQ(s, CONTAINER_STATUS_REMOVING);
  EXPECT_EQ(Must(s, LifecycleEvent::kRemoved), CONTAINER_STATUS_UNSPECIFIED);
  EXPECT_EQ(Must(s, LifecycleEvent::kRemoveFailed), CONTAINER_STATUS_DEAD);
}

TEST(StateMachineTest, ActiveContainersCannotBeRemovedWithoutAStop) {
  for (ContainerStatus s : kAll) {
    if (!IsActive(s)) continue;
    absl::StatusOr<ContainerStatus> to = Transition(s, LifecycleEvent::kRemove);
    EXPECT_TRUE(absl::IsFailedPrecondition(to.status())) << StatusName(s);
  }
  for (ContainerStatus s : {CONTAINER_STATUS_CREATED, CONTAINER_STATUS_EXITED,
                            CONTAINER_STATUS_DEAD, CONTAINER_STATUS_REMOVING}) {
    EXPECT_EQ(Must(s, LifecycleEvent::kRemove), CONTAINER_STATUS_REMOVING);
  }
}

TEST(StateMachineTest, OnlyContainersWithAProcessExit) {
  for (ContainerStatus s : kAll) {
    for (LifecycleEvent e : {LifecycleEvent::kExited, LifecycleEvent::kBackoff}) {
      EXPECT_EQ(Transition(s, e).ok(), HasProcess(s))
          << StatusName(s) << " " << EventName(e);
    }
  }
}

TEST(StateMachineTest, AFailedLaunchKeepsACreatedContainerCreated) {
  EXPECT_EQ(Must(CONTAINER_STATUS_CREATED, LifecycleEvent::kLaunchFailed),
            CONTAINER_STATUS_CREATED);
  EXPECT_EQ(Must(CONTAINER_STATUS_RESTARTING, LifecycleEvent::kLaunchFailed),
            CONTAINER_STATUS_EXITED);
  EXPECT_EQ(Must(CONTAINER_STATUS_EXITED, LifecycleEvent::kLaunchFailed),
            CONTAINER_STATUS_EXITED);
}

TEST(StateMachineTest, RemovingAndDeadContainersCannotStart) {
  for (ContainerStatus s : {CONTAINER_STATUS_REMOVING, CONTAINER_STATUS_DEAD,
                            CONTAINER_STATUS_RUNNING, CONTAINER_STATUS_PAUSED}) {
    absl::StatusOr<ContainerStatus> to =
        Transition(s, LifecycleEvent::kLaunched);
    EXPECT_TRUE(absl::IsFailedPrecondition(to.status())) << StatusName(s);
    EXPECT_NE(to.status().message().find(StatusName(s)), absl::string_view::npos)
        << to.status();
  }
}

TEST(StateMachineTest, OnlyARestartingContainerCancelsARestart) {
  for (ContainerStatus s : kAll) {
    EXPECT_EQ(Transition(s, LifecycleEvent::kCancelRestart).ok(),
              s == CONTAINER_STATUS_RESTARTING);
  }
}

TEST(StateMachineTest, EveryStateHasAWayOut) {
  // No state is a trap: from each one some event leads elsewhere, and every
  // state is reachable from created.
  std::set<ContainerStatus> reached = {CONTAINER_STATUS_CREATED};
  for (int round = 0; round < 8; ++round) {
    for (ContainerStatus s : std::set<ContainerStatus>(reached)) {
      for (LifecycleEvent e : kEvents) {
        absl::StatusOr<ContainerStatus> to = Transition(s, e);
        if (to.ok() && *to != CONTAINER_STATUS_UNSPECIFIED) reached.insert(*to);
      }
    }
  }
  for (ContainerStatus s : kAll) EXPECT_EQ(reached.count(s), 1u) << StatusName(s);
}

TEST(StateMachineTest, SetStatusDerivesDockersFlags) {
  container::v1::ContainerState state;
  SetStatus(state, CONTAINER_STATUS_PAUSED);
  EXPECT_TRUE(state.running());
  EXPECT_TRUE(state.paused());
  SetStatus(state, CONTAINER_STATUS_RESTARTING);
  EXPECT_TRUE(state.running());
  EXPECT_TRUE(state.restarting());
  EXPECT_FALSE(state.paused());
  SetStatus(state, CONTAINER_STATUS_DEAD);
  EXPECT_FALSE(state.running());
  EXPECT_TRUE(state.dead());
  SetStatus(state, CONTAINER_STATUS_EXITED);
  EXPECT_FALSE(state.running() || state.paused() || state.restarting() ||
               state.dead());
}

}  // namespace
}  // namespace berth::containerd
