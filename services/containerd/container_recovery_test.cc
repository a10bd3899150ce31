// containerd's recovery when it starts again: adopting live shims, taking
// the exits it missed, and removing what interrupted operations left.
#include <filesystem>
#include <fstream>
#include <string>

#include "common/fs_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/containerd/testing/supervisor_fixture.h"

namespace berth::containerd {
namespace {

using container::v1::Container;
using container::v1::RestartPolicy;
using ::testing::Contains;
using ::testing::HasSubstr;

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

// A create takes the snapshot, makes the state directory and writes the
// record last; containerd killed in between left a snapshot and directories
// that nothing named or removed (the fault harness found them). Recovery
// removes them, and nothing that is recorded or not a container's.
TEST_F(SupervisorTest, RecoveryRemovesWhatAnInterruptedCreateLeft) {
  Open();
  const std::string kept = Create();
  supervisor_.reset();
  const std::string orphan(64, 'a');
  {
    absl::MutexLock lock(&image_world_.mu);
    image_world_.snapshots[orphan] = RootfsLease(orphan);
    image_world_.snapshots["build-step"] = "";
    image_world_.snapshots["other"] = "builder/other";
  }
  std::filesystem::create_directories(dir_ + "/containers/" + orphan + "/rootfs");
  std::filesystem::create_directories(dir_ + "/shims");
  std::ofstream(dir_ + "/shims/" + orphan + ".sock") << "";
  Open();
  EXPECT_FALSE(images_->HasSnapshot(orphan));
  EXPECT_FALSE(ListDir(dir_ + "/containers/" + orphan).ok());
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/shims/" + orphan + ".sock"));
  EXPECT_TRUE(images_->HasSnapshot(kept));
  EXPECT_TRUE(ListDir(dir_ + "/containers/" + kept).ok());
  EXPECT_TRUE(images_->HasSnapshot("build-step"));
  EXPECT_TRUE(images_->HasSnapshot("other"));
  EXPECT_EQ(StatusOf(kept), container::v1::CONTAINER_STATUS_CREATED);
}

// A split imaged may be down when containerd starts: the sweep asks again
// later. A create made meanwhile, whose record is not written yet when the
// sweep runs, keeps its snapshot.
TEST_F(SupervisorTest, TheRootfsSweepWaitsForImagedAndSparesCreatesInFlight) {
  const std::string orphan(64, 'c');
  {
    absl::MutexLock lock(&image_world_.mu);
    image_world_.snapshots[orphan] = RootfsLease(orphan);
    image_world_.reachable = false;
  }
  Open();  // the sweep's first try fails and is posted again
  EXPECT_TRUE(images_->HasSnapshot(orphan));
  ASSERT_FALSE(scheduler_->delays().empty());
  EXPECT_EQ(scheduler_->delays().back(), absl::Milliseconds(250));
  {
    absl::MutexLock lock(&image_world_.mu);
    image_world_.reachable = true;
  }
  int sweeps = 0;
  image_world_.after_prepare = [&] { sweeps += scheduler_->RunPending(); };
  const std::string fresh = Create();
  image_world_.after_prepare = nullptr;
  EXPECT_EQ(sweeps, 1);
  EXPECT_FALSE(images_->HasSnapshot(orphan));
  EXPECT_TRUE(images_->HasSnapshot(fresh));
  EXPECT_EQ(StatusOf(fresh), container::v1::CONTAINER_STATUS_CREATED);
  ASSERT_TRUE(supervisor_->Start(fresh).ok());
}

}  // namespace
}  // namespace berth::containerd
