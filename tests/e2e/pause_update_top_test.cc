// End to end: `berth pause|unpause`, `update` and `top` on real containers
// through the CLI: a paused busy loop gets no CPU until it is unpaused, and
// stays paused across a restart of berthd; updated limits reach the cgroup,
// inspect and the next start; top lists the container's own processes.
#include <signal.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/container_fixture.h"

namespace berth::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// CPU time (utime + stime, in ticks) the process has used.
int64_t CpuTicks(int pid) {
  const std::string stat = ReadFile(absl::StrCat("/proc/", pid, "/stat"));
  // The fields after the command, which is in parentheses.
  const size_t close = stat.rfind(')');
  if (close == std::string::npos) return -1;
  std::vector<std::string> fields =
      absl::StrSplit(stat.substr(close + 2), ' ', absl::SkipEmpty());
  int64_t user = 0, system = 0;
  if (fields.size() < 13 || !absl::SimpleAtoi(fields[11], &user) ||
      !absl::SimpleAtoi(fields[12], &system)) {
    return -1;
  }
  return user + system;
}

class PauseUpdateTopTest : public ContainerE2eTest {
 protected:
  static std::string Trimmed(const std::string& path) {
    return std::string(absl::StripAsciiWhitespace(ReadFile(path)));
  }
  // The file of the container's cgroup for `controller` (v1), or of its
  // one cgroup (v2).
  std::string CgroupFile(const std::string& controller, const std::string& id,
                         const std::string& file) {
    if (access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0) {
      return absl::StrCat("/sys/fs/cgroup/", env_.cgroup_parent(), "/", id, "/",
                          file);
    }
    return absl::StrCat("/sys/fs/cgroup/", controller, "/",
                        env_.cgroup_parent(), "/", id, "/", file);
  }
  bool V2() { return access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0; }

  // A container that spins forever; returns its id.
  std::string RunBusyLoop(const std::string& name) {
    RunResult run = env_.Berth(
        {"run", "-d", "--name", name, "busybox", "sh", "-c", "while :; do :; done"});
    EXPECT_EQ(run.exit_code, 0) << run.err;
    return std::string(absl::StripAsciiWhitespace(run.out));
  }

  // Whether the process used CPU over half a second.
  bool Progresses(int pid) {
    const int64_t before = CpuTicks(pid);
    absl::SleepFor(absl::Milliseconds(500));
    return CpuTicks(pid) > before;
  }
};

TEST_F(PauseUpdateTopTest, PauseStopsABusyLoopAndUnpauseResumesIt) {
  const std::string id = RunBusyLoop("busy");
  const int pid = Inspect("busy")["State"]["Pid"].get<int>();
  ASSERT_GT(pid, 0);
  ASSERT_TRUE(Progresses(pid));

  RunResult paused = env_.Berth({"pause", "busy"});
  ASSERT_EQ(paused.exit_code, 0) << paused.err;
  EXPECT_EQ(paused.out, "busy\n");
  absl::SleepFor(absl::Milliseconds(100));
  EXPECT_FALSE(Progresses(pid)) << "a paused container kept running";
  nlohmann::json state = Inspect("busy")["State"];
  EXPECT_EQ(state["Status"], "paused");
  EXPECT_EQ(state["Paused"], true);
  EXPECT_EQ(state["Running"], true);
  if (V2()) {
    EXPECT_EQ(Trimmed(CgroupFile("", id, "cgroup.freeze")), "1");
  } else {
    EXPECT_EQ(Trimmed(CgroupFile("freezer", id, "freezer.state")), "FROZEN");
  }
  RunResult ps = env_.Berth({"ps", "--format", "{{.Status}}"});
  EXPECT_THAT(ps.out, HasSubstr("(Paused)"));
  RunResult info = env_.Berth({"info", "--format", "{{.ContainersPaused}}"});
  EXPECT_EQ(info.out, "1\n") << info.err;
  // stats sees it: no CPU while frozen.
  RunResult stats =
      env_.Berth({"stats", "--no-stream", "--format", "{{.CPUPerc}}", "busy"});
  EXPECT_EQ(stats.out, "0.00%\n") << stats.err;

  RunResult again = env_.Berth({"pause", "busy"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_EQ(again.err, "Error: Container " + id + " is already paused\n");

  // Several names: each answered; one failure makes the exit 1.
  RunResult unpaused = env_.Berth({"unpause", "busy", "nosuch"});
  EXPECT_EQ(unpaused.exit_code, 1);
  EXPECT_EQ(unpaused.out, "busy\n");
  EXPECT_THAT(unpaused.err, HasSubstr("No such container: nosuch"));
  EXPECT_TRUE(Progresses(pid)) << "the unpaused container did not resume";
  EXPECT_EQ(Inspect("busy")["State"]["Status"], "running");
  RunResult not_paused = env_.Berth({"container", "unpause", "busy"});
  EXPECT_EQ(not_paused.err, "Error: Container " + id + " is not paused\n");

  // stop and kill reach a paused container (it is thawed after the signal).
  ASSERT_EQ(env_.Berth({"pause", "busy"}).exit_code, 0);
  RunResult killed = env_.Berth({"kill", "busy"});
  EXPECT_EQ(killed.exit_code, 0) << killed.err;
  EXPECT_TRUE(WaitForStatus("busy", "exited", absl::Seconds(10)));
  EXPECT_EQ(Inspect("busy")["State"]["ExitCode"], 137);
  RunResult stopped_pause = env_.Berth({"pause", "busy"});
  EXPECT_EQ(stopped_pause.err, "Error: container " + id + " is not running\n");

  RunBusyLoop("busy2");
  ASSERT_EQ(env_.Berth({"pause", "busy2"}).exit_code, 0);
  RunResult stopped = env_.Berth({"stop", "-t", "1", "busy2"});
  EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
  EXPECT_EQ(Inspect("busy2")["State"]["Status"], "exited");
  EXPECT_EQ(env_.Berth({"rm", "busy", "busy2"}).exit_code, 0);
}

TEST_F(PauseUpdateTopTest, APausedContainerStaysPausedAcrossARestartOfBerthd) {
  RunBusyLoop("frozen");
  const int pid = Inspect("frozen")["State"]["Pid"].get<int>();
  ASSERT_EQ(env_.Berth({"pause", "frozen"}).exit_code, 0);
  berthd_->Signal(SIGKILL);
  berthd_->Wait(absl::Seconds(10));
  StartBerthd();
  EXPECT_EQ(Inspect("frozen")["State"]["Status"], "paused");
  EXPECT_FALSE(Progresses(pid));
  RunResult rm = env_.Berth({"rm", "frozen"});
  EXPECT_EQ(rm.exit_code, 1);
  EXPECT_THAT(rm.err, HasSubstr("container is paused and must be unpaused first"));
  ASSERT_EQ(env_.Berth({"unpause", "frozen"}).exit_code, 0);
  EXPECT_TRUE(Progresses(pid));
  EXPECT_EQ(env_.Berth({"rm", "-f", "frozen"}).exit_code, 0);
}

TEST_F(PauseUpdateTopTest, UpdateReachesTheCgroupInspectAndTheNextStart) {
  RunResult run = env_.Berth(
      {"run", "-d", "--name", "upd", "-m", "64m", "busybox", "sleep", "600"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::string id(absl::StripAsciiWhitespace(run.out));
  const std::string memory_file =
      V2() ? CgroupFile("", id, "memory.max")
           : CgroupFile("memory", id, "memory.limit_in_bytes");
  ASSERT_EQ(Trimmed(memory_file), absl::StrCat(64 << 20));

  RunResult updated = env_.Berth({"update", "-m", "96m", "--pids-limit", "20",
                                  "--cpu-period", "50000", "--cpu-quota",
                                  "25000", "--restart", "on-failure:3", "upd"});
  ASSERT_EQ(updated.exit_code, 0) << updated.err;
  EXPECT_EQ(updated.out, "upd\n");
  EXPECT_EQ(Trimmed(memory_file), absl::StrCat(96 << 20));
  EXPECT_EQ(Trimmed(CgroupFile("pids", id, "pids.max")), "20");
  if (!V2()) {
    EXPECT_EQ(Trimmed(CgroupFile("cpu", id, "cpu.cfs_quota_us")), "25000");
  }
  nlohmann::json host = Inspect("upd")["HostConfig"];
  EXPECT_EQ(host["Memory"], 96 << 20);
  EXPECT_EQ(host["MemorySwap"], 128 << 20);  // run -m's implied total, kept
  EXPECT_EQ(host["PidsLimit"], 20);
  EXPECT_EQ(host["CpuPeriod"], 50000);
  EXPECT_EQ(host["RestartPolicy"]["Name"], "on-failure");
  EXPECT_EQ(host["RestartPolicy"]["MaximumRetryCount"], 3);

  // Docker's refusals.
  RunResult small = env_.Berth({"update", "-m", "1m", "upd"});
  EXPECT_EQ(small.exit_code, 1);
  EXPECT_EQ(small.err, "Error: Minimum memory limit allowed is 6MB\n");
  RunResult above_swap = env_.Berth({"update", "-m", "512m", "upd"});
  EXPECT_EQ(above_swap.exit_code, 1);
  EXPECT_EQ(above_swap.err,
            "Error: Cannot update container " + id +
                ": Memory limit should be smaller than already set memoryswap "
                "limit, update the memoryswap at the same time\n");
  RunResult swap = env_.Berth({"update", "-m", "96m", "--memory-swap", "64m", "upd"});
  EXPECT_EQ(swap.err,
            "Error: Minimum memoryswap limit should be larger than memory "
            "limit, see usage\n");

  // The next start keeps them, those the shim does not set too.
  ASSERT_EQ(env_.Berth({"restart", "-t", "0", "upd"}).exit_code, 0);
  EXPECT_EQ(Trimmed(memory_file), absl::StrCat(96 << 20));
  EXPECT_EQ(Trimmed(CgroupFile("pids", id, "pids.max")), "20");
  if (!V2()) {
    EXPECT_EQ(Trimmed(CgroupFile("cpu", id, "cpu.cfs_period_us")), "50000");
    EXPECT_EQ(Trimmed(CgroupFile("cpu", id, "cpu.cfs_quota_us")), "25000");
  }
  EXPECT_EQ(env_.Berth({"rm", "-f", "upd"}).exit_code, 0);
}

TEST_F(PauseUpdateTopTest, TopListsTheContainersProcesses) {
  ASSERT_EQ(env_.Berth({"run", "-d", "--name", "topc", "busybox", "sleep",
                        "600"})
                .exit_code,
            0);
  const int pid = Inspect("topc")["State"]["Pid"].get<int>();
  RunResult top = env_.Berth({"top", "topc"});
  ASSERT_EQ(top.exit_code, 0) << top.err;
  std::vector<std::string> lines = Lines(top.out);
  ASSERT_EQ(lines.size(), 2u) << top.out;
  EXPECT_THAT(lines[0], StartsWith("UID"));
  EXPECT_THAT(lines[0], HasSubstr("PID"));
  EXPECT_THAT(lines[0], HasSubstr("CMD"));
  EXPECT_THAT(lines[1], HasSubstr(absl::StrCat(" ", pid, " ")));
  EXPECT_THAT(lines[1], HasSubstr("sleep 600"));

  // ps options pass through.
  RunResult custom = env_.Berth({"container", "top", "topc", "-o", "pid,comm"});
  ASSERT_EQ(custom.exit_code, 0) << custom.err;
  lines = Lines(custom.out);
  ASSERT_EQ(lines.size(), 2u) << custom.out;
  EXPECT_THAT(lines[0], StartsWith("PID"));
  EXPECT_THAT(lines[1], HasSubstr("sleep"));
  RunResult renamed = env_.Berth({"top", "topc", "-o", "user=PID"});
  EXPECT_EQ(renamed.err, "Error: specifying \"user=PID\" is not allowed\n");

  ASSERT_EQ(env_.Berth({"kill", "topc"}).exit_code, 0);
  ASSERT_TRUE(WaitForStatus("topc", "exited"));
  RunResult stopped = env_.Berth({"top", "topc"});
  EXPECT_EQ(stopped.exit_code, 1);
  EXPECT_THAT(stopped.err, HasSubstr("is not running"));
  EXPECT_EQ(env_.Berth({"rm", "topc"}).exit_code, 0);
}

}  // namespace
}  // namespace berth::testing
