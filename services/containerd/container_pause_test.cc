// pause/unpause, top and update in the supervisor, over fake shims, cgroups
// and a fake ps: the state machine's paused state, Docker's refusals, the
// thaw after a stop or kill, recovery from the freezer, ps's table and the
// merge of updated limits into the record and the live cgroup.
#include <signal.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/containerd/testing/supervisor_fixture.h"

namespace berth::containerd {
namespace {

using container::v1::Container;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// A ps that answers from a script and keeps the command lines it got.
class ScriptedPs final : public CommandRunner {
 public:
  struct Shared {
    std::vector<absl::StatusOr<CommandResult>> answers;  // in order
    std::vector<std::vector<std::string>> argvs;
  };
  explicit ScriptedPs(std::shared_ptr<Shared> shared) : shared_(shared) {}
  absl::StatusOr<CommandResult> Run(const std::vector<std::string>& argv,
                                    absl::Duration, size_t) override {
    shared_->argvs.push_back(argv);
    if (shared_->answers.empty()) return absl::InternalError("no answer left");
    absl::StatusOr<CommandResult> answer = shared_->answers.front();
    shared_->answers.erase(shared_->answers.begin());
    return answer;
  }

 private:
  std::shared_ptr<Shared> shared_;
};

class PauseTest : public SupervisorTest {
 protected:
  // A started container with its cgroup (the real shim makes it).
  std::string Running(const std::string& stop_signal = "") {
    container::v1::CreateContainerRequest request;
    request.mutable_config()->set_image("busybox");
    request.mutable_config()->set_stop_signal(stop_signal);
    auto created = supervisor_->Create(request);
    EXPECT_TRUE(created.ok()) << created.status();
    const std::string id = created.value_or(container::v1::CreateContainerResponse()).id();
    EXPECT_TRUE(Cgroups().Create(id, cgroups::Limits()).ok());
    EXPECT_TRUE(supervisor_->Start(id).ok());
    return id;
  }
  cgroups::FakeCgroupDriver& Cgroups() { return cgroups_["berth"]; }
  bool Frozen(const std::string& id) {
    cgroups::FakeCgroupDriver::Cgroup cgroup;
    return Cgroups().Get(id, &cgroup) && cgroup.frozen;
  }
  std::vector<std::string> CgroupCalls(const std::string& id) {
    std::vector<std::string> calls;
    for (const std::string& call : Cgroups().calls()) {
      if (absl::EndsWith(call, " " + id)) calls.push_back(call.substr(0, call.find(' ')));
    }
    return calls;
  }
};

TEST_F(PauseTest, PauseAndUnpauseFreezeTheCgroupAndFollowTheStateMachine) {
  Open();
  const std::string id = Running();
  ASSERT_TRUE(supervisor_->Pause(id).ok());
  Container paused = Inspect(id);
  EXPECT_EQ(paused.state().status(), container::v1::CONTAINER_STATUS_PAUSED);
  EXPECT_TRUE(paused.state().paused());
  EXPECT_TRUE(paused.state().running());
  EXPECT_TRUE(Frozen(id));
  EXPECT_EQ(Stored(id).state().status(), container::v1::CONTAINER_STATUS_PAUSED);
  EXPECT_EQ(supervisor_->CountInStatus(container::v1::CONTAINER_STATUS_PAUSED),
            1);
  EXPECT_EQ(*supervisor_->RunningCount(), 0);

  absl::Status again = supervisor_->Pause(id);
  EXPECT_TRUE(absl::IsFailedPrecondition(again));
  EXPECT_EQ(again.message(), "Container " + id + " is already paused");

  ASSERT_TRUE(supervisor_->Unpause(id).ok());
  EXPECT_EQ(StatusOf(id), container::v1::CONTAINER_STATUS_RUNNING);
  EXPECT_FALSE(Frozen(id));
  absl::Status not_paused = supervisor_->Unpause(id);
  EXPECT_TRUE(absl::IsFailedPrecondition(not_paused));
  EXPECT_EQ(not_paused.message(), "Container " + id + " is not paused");
}

TEST_F(PauseTest, RefusalsInDockersWords) {
  Open();
  const std::string created = Create();
  absl::Status refused = supervisor_->Pause(created);
  EXPECT_TRUE(absl::IsFailedPrecondition(refused));
  EXPECT_EQ(refused.message(), "container " + created + " is not running");
  EXPECT_TRUE(absl::IsNotFound(supervisor_->Pause("nothing")));

  const std::string id = Running();
  ASSERT_TRUE(supervisor_->Pause(id).ok());
  EXPECT_EQ(supervisor_->Start(id).message(),
            "cannot start a paused container, try unpause instead");
  absl::Status rm = supervisor_->Remove(id, /*force=*/false);
  EXPECT_THAT(rm.message(),
              HasSubstr("container is paused and must be unpaused first"));
}

TEST_F(PauseTest, AFreezeThatFailsLeavesItRunning) {
  Open();
  const std::string id = Running();
  Cgroups().FailNext("Freeze", absl::DeadlineExceededError("did not freeze"));
  absl::Status failed = supervisor_->Pause(id);
  EXPECT_TRUE(absl::IsDeadlineExceeded(failed));
  EXPECT_EQ(failed.message(),
            "cannot pause container " + id + ": did not freeze");
  EXPECT_EQ(StatusOf(id), container::v1::CONTAINER_STATUS_RUNNING);
}

TEST_F(PauseTest, AKillThawsAfterSignallingAsDockerDoes) {
  Open();
  const std::string id = Running();
  ASSERT_TRUE(supervisor_->Pause(id).ok());
  // No stop signal configured: any signal thaws (daemon/kill.go).
  ASSERT_TRUE(supervisor_->Kill(id, "SIGUSR1").ok());
  EXPECT_THAT(CgroupCalls(id), ElementsAre("Create", "Freeze", "Thaw"));
  EXPECT_THAT(shims_->calls(), Contains("Signal " + id + " 10"));
  EXPECT_EQ(StatusOf(id), container::v1::CONTAINER_STATUS_RUNNING);
  EXPECT_FALSE(Frozen(id));

  // With one configured, only it and SIGKILL thaw.
  const std::string quiet = Running("SIGUSR2");
  ASSERT_TRUE(supervisor_->Pause(quiet).ok());
  ASSERT_TRUE(supervisor_->Kill(quiet, "SIGUSR1").ok());
  EXPECT_EQ(StatusOf(quiet), container::v1::CONTAINER_STATUS_PAUSED);
  EXPECT_TRUE(Frozen(quiet));
  ASSERT_TRUE(supervisor_->Kill(quiet, "SIGUSR2").ok());
  EXPECT_FALSE(Frozen(quiet));
}

TEST_F(PauseTest, StopAndForcedRemoveOfAPausedContainerEndIt) {
  Open();
  const std::string stopped = Running();
  ASSERT_TRUE(supervisor_->Pause(stopped).ok());
  ASSERT_TRUE(supervisor_->Stop(stopped, 5, "").ok());
  EXPECT_EQ(StatusOf(stopped), container::v1::CONTAINER_STATUS_EXITED);
  EXPECT_EQ(Inspect(stopped).state().exit_code(), 128 + SIGTERM);

  const std::string removed = Running();
  ASSERT_TRUE(supervisor_->Pause(removed).ok());
  ASSERT_TRUE(supervisor_->Remove(removed, /*force=*/true).ok());
  EXPECT_TRUE(absl::IsNotFound(supervisor_->Inspect(removed).status()));
}

TEST_F(PauseTest, RecoveryTakesThePauseStateFromTheFreezer) {
  Open();
  const std::string paused = Running();
  const std::string thawed = Running();
  const std::string frozen = Running();
  ASSERT_TRUE(supervisor_->Pause(paused).ok());
  ASSERT_TRUE(supervisor_->Pause(thawed).ok());
  // While containerd is down, one is thawed and one frozen by others.
  ASSERT_TRUE(Cgroups().Thaw(thawed).ok());
  ASSERT_TRUE(Cgroups().Freeze(frozen).ok());
  Open();
  EXPECT_EQ(StatusOf(paused), container::v1::CONTAINER_STATUS_PAUSED);
  EXPECT_EQ(StatusOf(thawed), container::v1::CONTAINER_STATUS_RUNNING);
  EXPECT_EQ(StatusOf(frozen), container::v1::CONTAINER_STATUS_PAUSED);
  EXPECT_EQ(Stored(frozen).state().status(),
            container::v1::CONTAINER_STATUS_PAUSED);
  ASSERT_TRUE(supervisor_->Unpause(paused).ok());
}

// ---- top ------------------------------------------------------------------

class TopTest : public PauseTest {
 protected:
  void OpenWithPs() {
    ps_ = std::make_shared<ScriptedPs::Shared>();
    commands_ = std::make_unique<ScriptedPs>(ps_);
    Open();
  }
  static CommandResult Exited(int code, std::string out, std::string err = "") {
    return CommandResult{code, std::move(out), std::move(err)};
  }
  std::shared_ptr<ScriptedPs::Shared> ps_;
};

TEST_F(TopTest, RunsPsOnTheCgroupsPidsAndKeepsTheirRows) {
  OpenWithPs();
  const std::string id = Running();
  ASSERT_TRUE(Cgroups().AddProcess(id, 4242).ok());
  ASSERT_TRUE(Cgroups().AddProcess(id, 4243).ok());
  ps_->answers.push_back(Exited(
      0,
      "UID PID PPID C STIME TTY TIME CMD\n"
      "root 4242 4241 0 06:14 ? 00:00:00 sleep 600\n"
      "root 77 1 0 06:14 ? 00:00:00 not ours\n"));
  auto table = supervisor_->Top(id, "");
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_THAT(ps_->argvs, ElementsAre(ElementsAre("ps", "-ef", "-q4242,4243")));
  ASSERT_EQ(table->processes_size(), 1);
  EXPECT_EQ(table->processes(0).values(7), "sleep 600");
}

TEST_F(TopTest, RetriesWithoutPidSelectionThenReportsPsError) {
  OpenWithPs();
  const std::string id = Running();
  ASSERT_TRUE(Cgroups().AddProcess(id, 9).ok());
  ps_->answers.push_back(Exited(1, "", "error: forest and -q do not mix\n"));
  ps_->answers.push_back(Exited(0, "PID CMD\n9 init\n"));
  auto table = supervisor_->Top(id, "-ef f");
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_THAT(ps_->argvs.back(), ElementsAre("ps", "-ef", "f"));

  ps_->answers.push_back(Exited(1, "", "error: unknown gnu long option\nUsage\n"));
  ps_->answers.push_back(Exited(1, "", "error: unknown gnu long option\nUsage\n"));
  auto failed = supervisor_->Top(id, "--bogus");
  EXPECT_TRUE(absl::IsInvalidArgument(failed.status()));
  EXPECT_EQ(failed.status().message(), "ps: error: unknown gnu long option");

  ps_->answers.push_back(absl::DeadlineExceededError("ps took too long"));
  ps_->answers.push_back(absl::DeadlineExceededError("ps took too long"));
  EXPECT_TRUE(absl::IsDeadlineExceeded(supervisor_->Top(id, "").status()));
}

TEST_F(TopTest, RefusalsInDockersWords) {
  OpenWithPs();
  const std::string created = Create();
  EXPECT_EQ(supervisor_->Top(created, "").status().message(),
            "container " + created + " is not running");
  EXPECT_EQ(supervisor_->Top(created, "-o user=PID").status().message(),
            "specifying \"user=PID\" is not allowed");
  EXPECT_TRUE(ps_->argvs.empty());
}

}  // namespace
}  // namespace berth::containerd
