// End to end: containers through the real berth CLI against berthd in a
// temporary root, on a busybox image made from Debian's busybox-static.
// Every test ends with no shim, container process, cgroup or state
// directory of its environment left (BerthEnv kills leftovers either way).
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <set>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/e2e/container_fixture.h"

namespace berth::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

TEST_F(ContainerE2eTest, RunPrintsOutputAndReturnsTheExitCode) {
  RunResult run = RunScript("echo out; echo err >&2; exit 3");
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_EQ(run.out, "out\n");
  EXPECT_THAT(run.err, HasSubstr("err\n"));
  // --rm removed it.
  EXPECT_THAT(env_.Berth({"ps", "-aq"}).out, IsEmpty());

  // -t: the command's stdio is a terminal; its output (stderr included)
  // comes back with the terminal's line endings, as from Docker.
  RunResult tty = RunScript(
      "test -t 0 && test -t 1 && echo tty; echo err >&2; exit 4", {"-t"});
  EXPECT_EQ(tty.exit_code, 4);
  EXPECT_EQ(tty.out, "tty\r\nerr\r\n");
  EXPECT_EQ(RunScript("test -t 1 || echo no-tty").out, "no-tty\n");
}

TEST_F(ContainerE2eTest, ContainerIsIsolated) {
  RunResult run = RunScript(
      "echo pid=$$; echo host=$(hostname); ps -o pid | wc -l;"
      " cat /proc/self/mountinfo | cut -d' ' -f5",
      {"--hostname", "boxy"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("pid=1\n"));
  EXPECT_THAT(run.out, HasSubstr("host=boxy\n"));
  // ps sees the header, sh, ps and wc: nothing of the host.
  std::vector<std::string> lines = Lines(run.out);
  ASSERT_GE(lines.size(), 3u);
  int processes = 0;
  ASSERT_TRUE(absl::SimpleAtoi(lines[2], &processes)) << run.out;
  EXPECT_LE(processes, 6);
  // No host mount point (the test's own directory) is visible.
  EXPECT_THAT(run.out, Not(HasSubstr(env_.dir())));
  EXPECT_THAT(run.out, Not(HasSubstr("/work")));

  // The default hostname is the short id.
  RunResult named = RunScript("hostname");
  EXPECT_EQ(named.out.size(), 13u) << named.out;
}

TEST_F(ContainerE2eTest, SecurityDefaultsApply) {
  RunResult run = RunScript(
      "[ -s /proc/kcore ] && echo kcore-readable;"
      " echo timer_list=$(wc -c < /proc/timer_list);"
      " echo h > /proc/sysrq-trigger && echo sysrq-written;"
      " echo 1 > /proc/sys/kernel/printk && echo printk-written;"
      " unshare -m true || echo unshare-failed;"
      " mount -t tmpfs none /mnt || echo mount-failed;"
      // mknod is allowed (CAP_MKNOD) but the device cgroup only lets the
      // standard nodes be opened: not the kernel log, and so no disk.
      " mknod /tmp/kmsg c 1 11 && echo berth > /tmp/kmsg && echo kmsg-opened;"
      " mknod /tmp/null c 1 3 && echo x > /tmp/null && echo null-ok;"
      " grep CapEff /proc/self/status");
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, Not(HasSubstr("kcore-readable")));
  EXPECT_THAT(run.out, HasSubstr("timer_list=0\n"));
  EXPECT_THAT(run.out, Not(HasSubstr("sysrq-written")));
  EXPECT_THAT(run.out, Not(HasSubstr("printk-written")));
  EXPECT_THAT(run.out, HasSubstr("unshare-failed"));
  EXPECT_THAT(run.out, HasSubstr("mount-failed"));
  EXPECT_THAT(run.out, Not(HasSubstr("kmsg-opened")));
  EXPECT_THAT(run.out, HasSubstr("null-ok"));
  EXPECT_THAT(run.err, HasSubstr("Operation not permitted"));
  // Docker's default capability set.
  EXPECT_THAT(run.out, HasSubstr("CapEff:\t00000000a80425fb"));

  // --privileged lifts it: mount works.
  RunResult privileged =
      RunScript("mount -t tmpfs none /mnt && echo mounted", {"--privileged"});
  EXPECT_THAT(privileged.out, HasSubstr("mounted")) << privileged.err;
  // --cap-drop takes a capability away.
  RunResult dropped = RunScript("grep CapEff /proc/self/status",
                                {"--cap-drop", "CHOWN"});
  EXPECT_THAT(dropped.out, HasSubstr("CapEff:\t00000000a80425fa"));
}

TEST_F(ContainerE2eTest, ReadOnlyNoNewPrivilegesAndSeccompOptions) {
  RunResult ro = RunScript(
      "touch /x || echo ro-refused; touch /tmp/../dev/shm/y && echo shm-ok; "
      "for f in /etc/hosts /etc/hostname /etc/resolv.conf; do "
      "echo x >> $f || echo $f-refused; done",
      {"--read-only"});
  EXPECT_THAT(ro.out, HasSubstr("ro-refused"));
  EXPECT_THAT(ro.out, HasSubstr("shm-ok"));
  // Docker mounts them read-only too: they live in containerd's state dir.
  EXPECT_THAT(ro.out, HasSubstr("/etc/hosts-refused"));
  EXPECT_THAT(ro.out, HasSubstr("/etc/hostname-refused"));
  EXPECT_THAT(ro.out, HasSubstr("/etc/resolv.conf-refused"));
  RunResult rw = RunScript("echo 10.0.0.9 extra >> /etc/hosts && echo rw-ok");
  EXPECT_THAT(rw.out, HasSubstr("rw-ok")) << rw.err;
  RunResult nnp = RunScript("grep NoNewPrivs /proc/self/status",
                            {"--security-opt", "no-new-privileges"});
  EXPECT_THAT(nnp.out, HasSubstr("NoNewPrivs:\t1"));
  RunResult default_nnp = RunScript("grep NoNewPrivs /proc/self/status");
  EXPECT_THAT(default_nnp.out, HasSubstr("NoNewPrivs:\t0"));

  // Without a filter the container still lacks CAP_SYS_ADMIN, but the
  // seccomp field says it is unconfined.
  RunResult unconfined = RunScript("grep Seccomp: /proc/self/status",
                                   {"--security-opt", "seccomp=unconfined"});
  EXPECT_THAT(unconfined.out, HasSubstr("Seccomp:\t0"));
  RunResult confined = RunScript("grep Seccomp: /proc/self/status");
  EXPECT_THAT(confined.out, HasSubstr("Seccomp:\t2"));

  const std::string profile = env_.dir() + "/no-mkdir.json";
  std::ofstream(profile) << R"({"defaultAction": "SCMP_ACT_ALLOW",
      "syscalls": [{"names": ["mkdir", "mkdirat"],
                    "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]})";
  RunResult custom = RunScript("mkdir /tmp/d || echo mkdir-denied",
                               {"--security-opt", "seccomp=" + profile});
  EXPECT_THAT(custom.out, HasSubstr("mkdir-denied"));
  EXPECT_THAT(custom.err, HasSubstr("Permission denied"));

  std::ofstream(env_.dir() + "/bad.json") << "{\"defaultAction\": \"NOPE\"}";
  RunResult bad = RunScript("true", {"--security-opt",
                                     "seccomp=" + env_.dir() + "/bad.json"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_THAT(bad.err, HasSubstr("NOPE"));
}

TEST_F(ContainerE2eTest, LogRotationKeepsMaxFiles) {
  RunResult run = env_.Berth(
      {"run", "--name", "chatty", "--log-opt", "max-size=2k", "--log-opt",
       "max-file=2", "busybox", "sh", "-c",
       "for i in $(seq 400); do echo line-$i; done"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::string log = Inspect("chatty")["LogPath"];
  EXPECT_EQ(access((log + ".1").c_str(), F_OK), 0);
  EXPECT_NE(access((log + ".2").c_str(), F_OK), 0);
  // What is kept reads back in order and ends with the last line.
  std::vector<std::string> lines = Lines(env_.Berth({"logs", "chatty"}).out);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.back(), "line-400");
  EXPECT_LT(lines.size(), 400u);
  EXPECT_EQ(env_.Berth({"rm", "chatty"}).exit_code, 0);
}

TEST_F(ContainerE2eTest, KillSendsTheSignalAndInitForwardsIt) {
  ASSERT_EQ(env_.Berth({"run", "-d", "--name", "trapper", "--init", "busybox",
                        "sh", "-c",
                        "trap 'echo got-usr1' USR1; while true; do sleep 0.1; "
                        "done"})
                .exit_code,
            0);
  absl::SleepFor(absl::Milliseconds(300));
  EXPECT_EQ(env_.Berth({"kill", "-s", "USR1", "trapper"}).exit_code, 0);
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (absl::Now() < deadline &&
         env_.Berth({"logs", "trapper"}).out.find("got-usr1") ==
             std::string::npos) {
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_THAT(env_.Berth({"logs", "trapper"}).out, HasSubstr("got-usr1"));
  EXPECT_EQ(env_.Berth({"kill", "trapper"}).exit_code, 0);
  EXPECT_TRUE(WaitForStatus("trapper", "exited"));
  EXPECT_EQ(Inspect("trapper")["State"]["ExitCode"], 137);
  RunResult again = env_.Berth({"kill", "trapper"});
  EXPECT_NE(again.exit_code, 0);
  EXPECT_THAT(again.err, HasSubstr("is not running"));
  EXPECT_EQ(env_.Berth({"rm", "trapper"}).exit_code, 0);
}

TEST_F(ContainerE2eTest, UserAndWorkdirAndEnv) {
  RunResult run = RunScript("id -u; id -g; pwd; echo $GREETING $HOME",
                            {"-u", "app", "-w", "/work/dir", "-e",
                             "GREETING=hello"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "1000\n1000\n/work/dir\nhello /home/app\n");
}

TEST_F(ContainerE2eTest, MemoryLimitOomKillsAndInspectSaysSo) {
  RunResult run = env_.Berth({"run", "--name", "hog", "--memory", "32m",
                              "busybox", "dd", "if=/dev/zero", "of=/dev/null",
                              "bs=200M", "count=1"});
  EXPECT_EQ(run.exit_code, 137) << run.out << run.err;
  nlohmann::json state = Inspect("hog")["State"];
  EXPECT_EQ(state["OOMKilled"], true) << state.dump();
  EXPECT_EQ(state["ExitCode"], 137);
  EXPECT_EQ(Inspect("hog")["HostConfig"]["Memory"], 32 << 20);
  EXPECT_EQ(env_.Berth({"rm", "hog"}).exit_code, 0);
}

TEST_F(ContainerE2eTest, PidsLimitStopsAForkBomb) {
  const std::string bomb =
      "for i in $(seq 60); do sleep 2 & done; echo all-started; wait";
  // The shell gives up at the first fork the pids cgroup refuses.
  RunResult limited = RunScript(bomb, {"--pids-limit", "20"});
  EXPECT_NE(limited.exit_code, 0);
  EXPECT_THAT(limited.err, HasSubstr("fork"));
  EXPECT_THAT(limited.out, Not(HasSubstr("all-started")));
  // Without the limit the same script runs through.
  RunResult unlimited = RunScript(bomb);
  EXPECT_EQ(unlimited.exit_code, 0) << unlimited.err;
  EXPECT_THAT(unlimited.out, HasSubstr("all-started"));
}

TEST_F(ContainerE2eTest, CommandNotFoundOrNotExecutable) {
  RunResult missing = env_.Berth({"run", "--rm", "busybox", "nosuchcmd"});
  EXPECT_EQ(missing.exit_code, 127);
  EXPECT_THAT(missing.err, HasSubstr("executable file not found"));
  RunResult not_exec = env_.Berth({"run", "--rm", "busybox", "/etc/passwd"});
  EXPECT_EQ(not_exec.exit_code, 126);
  EXPECT_THAT(not_exec.err, HasSubstr("permission denied"));
  // Detached too, --rm removes a container that never ran (Docker's rule).
  RunResult detached = env_.Berth({"run", "-d", "--rm", "busybox", "nosuchcmd"});
  EXPECT_EQ(detached.exit_code, 127);
  EXPECT_THAT(env_.Berth({"ps", "-aq"}).out, IsEmpty());
}

TEST_F(ContainerE2eTest, BadInputIsRejectedWithExit125) {
  RunResult unknown = env_.Berth({"run", "--rm", "nosuchimage", "true"});
  EXPECT_EQ(unknown.exit_code, 125);
  EXPECT_THAT(unknown.err, HasSubstr("nosuchimage"));
  RunResult memory = env_.Berth({"run", "--memory", "lots", "busybox", "true"});
  EXPECT_EQ(memory.exit_code, 125);
  EXPECT_THAT(memory.err, HasSubstr("lots"));
  RunResult flag = env_.Berth({"run", "--no-such-flag", "busybox", "true"});
  EXPECT_EQ(flag.exit_code, 125);
  EXPECT_THAT(flag.err, HasSubstr("no-such-flag"));

  ASSERT_EQ(env_.Berth({"run", "-d", "--name", "one", "busybox", "sleep", "30"})
                .exit_code,
            0);
  RunResult duplicate =
      env_.Berth({"run", "-d", "--name", "one", "busybox", "true"});
  EXPECT_EQ(duplicate.exit_code, 125);
  EXPECT_THAT(duplicate.err, HasSubstr("already in use"));
  RunResult busy = env_.Berth({"rm", "one"});
  EXPECT_EQ(busy.exit_code, 1);  // Docker's rm exits 1 for any failure
  EXPECT_THAT(busy.err, HasSubstr("container is running"));
  EXPECT_EQ(env_.Berth({"rm", "-f", "one"}).exit_code, 0);
  EXPECT_THAT(env_.Berth({"ps", "-aq"}).out, IsEmpty());
}

// --ulimit is applied as asked: a limit the kernel refuses fails the start
// with the limit named (it used to be lowered quietly to the daemon's own);
// `--memory ""` is an error, as in Docker.
TEST_F(ContainerE2eTest, UlimitsApplyAsAskedOrFailTheStart) {
  RunResult fits = RunScript("ulimit -n; ulimit -Hn",
                             {"--ulimit", "nofile=4096:8192"});
  EXPECT_EQ(fits.exit_code, 0) << fits.err;
  EXPECT_EQ(fits.out, "4096\n8192\n");

  std::ifstream nr_open_file("/proc/sys/fs/nr_open");
  uint64_t nr_open = 0;
  nr_open_file >> nr_open;
  ASSERT_GT(nr_open, 0u);
  const std::string over = std::to_string(nr_open + 1);
  RunResult refused =
      RunScript("true", {"--ulimit", "nofile=" + over + ":" + over});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_THAT(refused.err, HasSubstr("nofile=" + over + ":" + over));

  RunResult empty = env_.Berth({"run", "--rm", "--memory", "", "busybox", "true"});
  EXPECT_EQ(empty.exit_code, 125);
  EXPECT_THAT(empty.err, HasSubstr("invalid size: ''"));
  EXPECT_THAT(env_.Berth({"ps", "-aq"}).out, IsEmpty());
}

// A create too big for one request says what was too big (gRPC's bare
// "larger than max" before) and leaves nothing; a big one that fits works.
TEST_F(ContainerE2eTest, OversizedEnvFileGetsAClearError) {
  const std::string huge = env_.dir() + "/huge.env";
  {
    std::ofstream out(huge);
    for (int i = 0; i < 100000; ++i) {
      out << "VARIABLE_NUMBER_" << i << "=a value long enough to add up\n";
    }
  }
  RunResult refused =
      env_.Berth({"create", "--env-file", huge, "busybox", "true"});
  EXPECT_EQ(refused.exit_code, 125);
  EXPECT_THAT(refused.err, HasSubstr("a request may carry"));
  EXPECT_THAT(env_.Berth({"ps", "-aq"}).out, IsEmpty());

  const std::string big = env_.dir() + "/big.env";
  {
    std::ofstream out(big);
    for (int i = 0; i < 50000; ++i) out << "V" << i << "=" << i << "\n";
  }
  RunResult fits = env_.Berth({"run", "--rm", "--env-file", big, "busybox",
                               "sh", "-c", "echo $V49999"});
  EXPECT_EQ(fits.exit_code, 0) << fits.err;
  EXPECT_EQ(fits.out, "49999\n");
}

// Ctrl-C on an attached run goes to the container (Docker's --sig-proxy);
// the CLI keeps streaming, exits with the container's code and, with --rm,
// still removes it.
TEST_F(ContainerE2eTest, AttachedRunProxiesSignalsToTheContainer) {
  const std::string log = env_.dir() + "/sigproxy.log";
  auto attached = [&](const std::string& name, const std::string& proxy) {
    return std::make_unique<Daemon>(
        std::vector<std::string>{
            Runfile(kBerthCli), "--run-root", env_.run_root(), "run", "--rm",
            proxy, "--name", name, "busybox", "sh", "-c",
            "trap 'echo got INT; exit 3' INT; echo ready; "
            "while true; do sleep 0.1; done"},
        log);
  };
  auto await_ready = [&] {
    const absl::Time deadline = absl::Now() + absl::Seconds(20);
    while (absl::Now() < deadline &&
           ReadFile(log).find("ready") == std::string::npos) {
      absl::SleepFor(absl::Milliseconds(50));
    }
    return ReadFile(log).find("ready") != std::string::npos;
  };
  std::unique_ptr<Daemon> proxied = attached("proxied", "--sig-proxy");
  ASSERT_TRUE(await_ready());
  proxied->Signal(SIGINT);
  EXPECT_EQ(proxied->Wait(absl::Seconds(20)), 3);
  EXPECT_THAT(ReadFile(log), HasSubstr("got INT"));
  EXPECT_THAT(env_.Berth({"ps", "-aq", "--filter", "name=proxied"}).out,
              IsEmpty());

  // --sig-proxy=false: the signal ends the CLI, not the container.
  ASSERT_EQ(unlink(log.c_str()), 0);
  std::unique_ptr<Daemon> plain = attached("plain", "--sig-proxy=false");
  ASSERT_TRUE(await_ready());
  plain->Signal(SIGINT);
  EXPECT_EQ(plain->Wait(absl::Seconds(20)), -1);
  EXPECT_THAT(ReadFile(log), Not(HasSubstr("got INT")));
  EXPECT_EQ(absl::StripAsciiWhitespace(
                env_.Berth({"inspect", "-f", "{{.State.Status}}", "plain"}).out),
            "running");
  EXPECT_EQ(env_.Berth({"rm", "-f", "plain"}).exit_code, 0);
}

TEST_F(ContainerE2eTest, LogsFollowTailSinceAndTimestamps) {
  ASSERT_EQ(env_.Berth({"run", "-d", "--name", "ticker", "busybox", "sh", "-c",
                        "i=0; while true; do echo tick $i; i=$((i+1)); "
                        "sleep 0.2; done"})
                .exit_code,
            0);
  const std::string follow_log = env_.dir() + "/follow.log";
  Daemon follow({Runfile(kBerthCli), "--run-root", env_.run_root(), "logs",
                 "-f", "ticker"},
                follow_log);
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (absl::Now() < deadline &&
         ReadFile(follow_log).find("tick 5") == std::string::npos) {
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_THAT(ReadFile(follow_log), HasSubstr("tick 5\n"));
  EXPECT_TRUE(follow.running());

  RunResult tail = env_.Berth({"logs", "--tail", "2", "ticker"});
  EXPECT_EQ(Lines(tail.out).size(), 2u) << tail.out;
  RunResult stamped = env_.Berth({"logs", "-t", "--tail", "1", "ticker"});
  EXPECT_THAT(stamped.out, StartsWith("20"));
  EXPECT_THAT(stamped.out, HasSubstr("Z tick "));
  EXPECT_THAT(env_.Berth({"logs", "--since", "2099-01-01", "ticker"}).out,
              IsEmpty());
  EXPECT_THAT(env_.Berth({"logs", "--until", "1", "ticker"}).out, IsEmpty());
  EXPECT_THAT(env_.Berth({"logs", "--since", "30m", "ticker"}).out,
              HasSubstr("tick 0\n"));
  EXPECT_EQ(env_.Berth({"logs", "--since", "yesterday", "ticker"}).exit_code,
            125);

  // Following ends by itself when the container stops.
  EXPECT_EQ(env_.Berth({"stop", "-t", "1", "ticker"}).exit_code, 0);
  EXPECT_EQ(follow.Wait(absl::Seconds(15)), 0);
  EXPECT_EQ(env_.Berth({"rm", "ticker"}).exit_code, 0);
}

TEST_F(ContainerE2eTest, StopWaitsTheTimeoutThenKills) {
  ASSERT_EQ(env_.Berth({"run", "-d", "--name", "stubborn", "busybox", "sh",
                        "-c", "trap '' TERM; while true; do sleep 0.1; done"})
                .exit_code,
            0);
  const absl::Time start = absl::Now();
  RunResult stop = env_.Berth({"stop", "-t", "2", "stubborn"});
  const absl::Duration took = absl::Now() - start;
  EXPECT_EQ(stop.exit_code, 0) << stop.err;
  EXPECT_EQ(stop.out, "stubborn\n");
  EXPECT_GE(took, absl::Seconds(2));
  EXPECT_LT(took, absl::Seconds(8));
  EXPECT_EQ(Inspect("stubborn")["State"]["ExitCode"], 137);

  // A process that honours SIGTERM stops at once.
  ASSERT_EQ(env_.Berth({"run", "-d", "--name", "polite", "--init", "busybox",
                        "sleep", "60"})
                .exit_code,
            0);
  const absl::Time polite_start = absl::Now();
  EXPECT_EQ(env_.Berth({"stop", "polite"}).exit_code, 0);
  EXPECT_LT(absl::Now() - polite_start, absl::Seconds(5));
  EXPECT_EQ(Inspect("polite")["State"]["ExitCode"], 143);
}

TEST_F(ContainerE2eTest, ContainersSurviveAKilledDaemon) {
  std::map<std::string, int> pids;
  for (int i = 0; i < 5; ++i) {
    const std::string name = absl::StrCat("keep", i);
    ASSERT_EQ(env_.Berth({"run", "-d", "--name", name, "busybox", "sh", "-c",
                          "while true; do echo alive; sleep 0.2; done"})
                  .exit_code,
              0);
    pids[name] = Inspect(name)["State"]["Pid"].get<int>();
    ASSERT_GT(pids[name], 0);
  }
  berthd_->Signal(SIGKILL);
  berthd_->Wait(absl::Seconds(10));
  absl::SleepFor(absl::Milliseconds(500));
  for (const auto& [name, pid] : pids) {
    EXPECT_EQ(kill(pid, 0), 0) << name << " died with the daemon";
  }
  EXPECT_EQ(env_.ShimPids().size(), 5u);

  StartBerthd();
  RunResult ps = env_.Berth({"ps", "--format", "{{.Names}} {{.Status}}"});
  EXPECT_EQ(Lines(ps.out).size(), 5u) << ps.out;
  for (const auto& [name, pid] : pids) {
    nlohmann::json state = Inspect(name)["State"];
    EXPECT_EQ(state["Status"], "running") << name;
    EXPECT_EQ(state["Pid"], pid) << name;
    EXPECT_THAT(env_.Berth({"logs", "--tail", "1", name}).out,
                HasSubstr("alive"));
  }
  // A container that ends while the daemon is down is found exited.
  berthd_->Signal(SIGKILL);
  berthd_->Wait(absl::Seconds(10));
  kill(pids["keep0"], SIGKILL);
  absl::SleepFor(absl::Milliseconds(500));
  StartBerthd();
  EXPECT_TRUE(WaitForStatus("keep0", "exited"));
  EXPECT_EQ(Inspect("keep0")["State"]["ExitCode"], 137);

  RunResult stopped = env_.Berth({"stop", "-t", "1", "keep1", "keep2", "keep3",
                                  "keep4"});
  EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
  EXPECT_THAT(env_.Berth({"ps", "-q"}).out, IsEmpty());
  EXPECT_TRUE(env_.ShimPids().empty());
}

TEST_F(ContainerE2eTest, RestartPolicies) {
  ASSERT_EQ(env_.Berth({"run", "-d", "--name", "flaky", "--restart",
                        "on-failure:2", "busybox", "sh", "-c", "exit 4"})
                .exit_code,
            0);
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  nlohmann::json flaky;
  while (absl::Now() < deadline) {
    flaky = Inspect("flaky");
    if (flaky["RestartCount"] == 2 && flaky["State"]["Status"] == "exited") {
      break;
    }
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_EQ(flaky["RestartCount"], 2) << flaky.dump();
  EXPECT_EQ(flaky["State"]["ExitCode"], 4);

  // "always" brings a container back after the daemon restarts, even one
  // a user stopped (as Docker does).
  ASSERT_EQ(env_.Berth({"run", "-d", "--name", "always", "--restart", "always",
                        "busybox", "sleep", "60"})
                .exit_code,
            0);
  EXPECT_EQ(env_.Berth({"stop", "-t", "0", "always"}).exit_code, 0);
  EXPECT_TRUE(WaitForStatus("always", "exited"));
  EXPECT_EQ(berthd_->Stop(), 0);
  StartBerthd();
  EXPECT_TRUE(WaitForStatus("always", "running"));
  EXPECT_EQ(env_.Berth({"rm", "-f", "always", "flaky"}).exit_code, 0);
}

TEST_F(ContainerE2eTest, ManyConcurrentContainersLeaveNothingBehind) {
  std::atomic<int> failures{0};
  std::vector<std::thread> loops;
  for (int loop = 0; loop < 4; ++loop) {
    loops.emplace_back([&, loop] {
      for (int i = 0; i < 25; ++i) {
        const std::string name = absl::StrCat("c", loop, "-", i);
        RunResult run = env_.Berth(
            {"run", "-d", "--name", name, "busybox", "sleep", "30"});
        RunResult rm = env_.Berth({"rm", "-f", name});
        if (run.exit_code != 0 || rm.exit_code != 0) {
          ++failures;
          ADD_FAILURE() << name << ": " << run.err << rm.err;
        }
      }
    });
  }
  for (std::thread& loop : loops) loop.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_THAT(env_.Berth({"ps", "-aq"}).out, IsEmpty());
  EXPECT_TRUE(env_.ShimPids().empty());
  // Rootfs mounts live in each container's own mount namespace: the host
  // never sees one, not even a leaked one.
  EXPECT_THAT(ReadFile("/proc/self/mountinfo"), Not(HasSubstr(env_.dir())));
  std::vector<std::string> state_dirs;
  RunResult listed = RunCommand(
      {"/bin/ls", "-A", env_.root() + "/containerd/containers"});
  EXPECT_THAT(listed.out, IsEmpty());
  RunResult cgroups = RunCommand(
      {"/bin/sh", "-c",
       "find /sys/fs/cgroup/*/" + env_.cgroup_parent() +
           " -mindepth 1 -type d 2>/dev/null"});
  EXPECT_THAT(cgroups.out, IsEmpty());
}

TEST_F(ContainerE2eTest, ConcurrentCreatesGetUniqueGeneratedNames) {
  std::atomic<int> failures{0};
  std::vector<std::thread> loops;
  for (int loop = 0; loop < 4; ++loop) {
    loops.emplace_back([&] {
      for (int i = 0; i < 15; ++i) {
        RunResult created = env_.Berth({"create", "busybox", "true"});
        if (created.exit_code != 0) {
          ++failures;
          ADD_FAILURE() << created.err;
        }
      }
    });
  }
  for (std::thread& loop : loops) loop.join();
  EXPECT_EQ(failures.load(), 0);
  std::vector<std::string> names =
      Lines(env_.Berth({"ps", "-a", "--format", "{{.Names}}"}).out);
  EXPECT_EQ(names.size(), 60u);
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), 60u);
  RunResult ids = env_.Berth({"ps", "-aq"});
  std::vector<std::string> rm = {"rm"};
  for (const std::string& id : Lines(ids.out)) rm.push_back(id);
  EXPECT_EQ(env_.Berth(rm).exit_code, 0);
}

TEST_F(ContainerE2eTest, PsFiltersAndFormats) {
  ASSERT_EQ(env_.Berth({"run", "-d", "--name", "up", "-l", "tier=web",
                        "busybox", "sleep", "30"})
                .exit_code,
            0);
  ASSERT_EQ(env_.Berth({"run", "--name", "down", "busybox", "true"}).exit_code,
            0);
  EXPECT_EQ(Lines(env_.Berth({"ps", "-q"}).out).size(), 1u);
  EXPECT_EQ(Lines(env_.Berth({"ps", "-aq"}).out).size(), 2u);
  EXPECT_EQ(env_.Berth({"ps", "-a", "--filter", "status=exited", "--format",
                        "{{.Names}}"})
                .out,
            "down\n");
  EXPECT_EQ(env_.Berth({"ps", "--filter", "label=tier=web", "--format",
                        "{{.Names}}"})
                .out,
            "up\n");
  EXPECT_EQ(env_.Berth({"ps", "-l", "--format", "{{.Names}}"}).out, "down\n");
  RunResult table = env_.Berth({"ps", "-a"});
  EXPECT_THAT(table.out, StartsWith("CONTAINER ID   IMAGE"));
  EXPECT_THAT(table.out, HasSubstr("Exited (0)"));
  EXPECT_THAT(table.out, HasSubstr("Up "));
  // Id prefixes work wherever a container is named.
  const std::string id = Inspect("down")["Id"];
  EXPECT_EQ(env_.Berth({"rename", id.substr(0, 8), "gone"}).exit_code, 0);
  EXPECT_EQ(env_.Berth({"container", "prune", "-f"}).exit_code, 0);
  EXPECT_EQ(env_.Berth({"ps", "-a", "--format", "{{.Names}}"}).out, "up\n");
  EXPECT_EQ(env_.Berth({"rm", "-f", "up"}).exit_code, 0);
}

}  // namespace
}  // namespace berth::testing
