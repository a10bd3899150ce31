// End to end: interactive containers through the real CLI — stdin piped
// into `run -i`, a user at a terminal with `run -it` (raw mode, window size,
// detach keys, restoring the terminal), `attach` and `start -ai`, several
// clients at once, and a client that never reads its output.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/container_fixture.h"
#include "tests/support/pty_session.h"

namespace berth::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kCtrlP = '\x10';
constexpr char kCtrlQ = '\x11';

class InteractiveTest : public ContainerE2eTest {
 protected:
  std::unique_ptr<PtySession> OnTerminal(const std::vector<std::string>& args,
                                         std::map<std::string, std::string> env = {}) {
    auto session = std::make_unique<PtySession>(env_.BerthArgv(args), 24, 80, env);
    EXPECT_TRUE(session->started());
    return session;
  }

  // The peak resident set of process `pid` so far, in KiB.
  static long PeakRssKib(int pid) { return StatusKib(pid, "VmHWM:"); }
  // The resident set of process `pid`, in KiB (0 when it is gone).
  static long RssKib(int pid) { return StatusKib(pid, "VmRSS:"); }
  static long StatusKib(int pid, const std::string& key) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line)) {
      if (line.rfind(key, 0) == 0) {
        long kib = 0;
        std::string value(absl::StripSuffix(
            absl::StripAsciiWhitespace(line.substr(key.size())), " kB"));
        if (absl::SimpleAtoi(value, &kib)) return kib;
      }
    }
    return 0;
  }
};

TEST_F(InteractiveTest, PipedStdinReachesTheContainerAndItsEndClosesIt) {
  RunResult cat = env_.BerthWithInput({"run", "-i", "--rm", "busybox", "sh",
                                       "-c", "cat; exit 4"},
                                      "data\nmore data\n");
  EXPECT_EQ(cat.exit_code, 4) << cat.err;
  EXPECT_EQ(cat.out, "data\nmore data\n");
  RunResult hi = env_.BerthWithInput({"run", "-i", "busybox", "cat"}, "hi\n");
  EXPECT_EQ(hi.exit_code, 0) << hi.err;
  EXPECT_EQ(hi.out, "hi\n");
  // Without -i the container's stdin is empty: cat ends at once.
  RunResult closed = env_.BerthWithInput({"run", "--rm", "busybox", "cat"}, "x\n");
  EXPECT_EQ(closed.exit_code, 0) << closed.err;
  EXPECT_EQ(closed.out, "");
}

TEST_F(InteractiveTest, TtyWithoutATerminalIsDockersError) {
  RunResult refused = env_.BerthWithInput({"run", "-it", "busybox", "true"}, "");
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, HasSubstr("the input device is not a TTY"));
  EXPECT_EQ(env_.Berth({"ps", "-aq"}).out, "");
}

TEST_F(InteractiveTest, RunItIsATerminalThatFollowsTheUsersWindow) {
  auto user = OnTerminal({"run", "-it", "--name", "shell", "busybox", "sh"});
  ASSERT_TRUE(user->ReadUntil("# ")) << user->output();
  // The size before the first byte, then every change.
  user->Send("stty size; tty\r");
  EXPECT_TRUE(user->ReadUntil("24 80")) << user->output();
  EXPECT_TRUE(user->ReadUntil("/dev/pts/0")) << user->output();
  user->Resize(30, 100);
  absl::SleepFor(absl::Milliseconds(300));
  user->Send("stty size\r");
  EXPECT_TRUE(user->ReadUntil("30 100")) << user->output();
  // Raw mode: Ctrl-C is a key for the container's shell, not a signal.
  user->Send("sleep 30\r");
  absl::SleepFor(absl::Milliseconds(300));
  user->Send("\x03");
  user->Send("echo $((6*7))\r");
  EXPECT_TRUE(user->ReadUntil("42")) << user->output();
  user->Send("exit 3\r");
  EXPECT_EQ(user->Wait(), 3) << user->output();
  EXPECT_TRUE(SameMode(user->Mode(), user->initial_mode()));
  EXPECT_EQ(Inspect("shell")["State"]["ExitCode"], 3);
}

TEST_F(InteractiveTest, DetachKeysLeaveItRunningAndAttachComesBack) {
  auto first = OnTerminal({"run", "-it", "--name", "det", "busybox", "sh"});
  ASSERT_TRUE(first->ReadUntil("# ")) << first->output();
  first->Send("X=kept\r");
  first->Send(std::string{kCtrlP, kCtrlQ});
  EXPECT_EQ(first->Wait(), 0) << first->output();
  EXPECT_TRUE(SameMode(first->Mode(), first->initial_mode()));
  EXPECT_EQ(Inspect("det")["State"]["Status"], "running");

  // attach: the same shell; its detach is Docker's error, exit 1.
  auto second = OnTerminal({"attach", "det"});
  second->Send("echo $X\r");
  ASSERT_TRUE(second->ReadUntil("kept")) << second->output();
  second->Send(std::string{kCtrlP, kCtrlQ});
  EXPECT_EQ(second->Wait(), 1) << second->output();
  EXPECT_THAT(second->output(), HasSubstr("read escape sequence"));
  EXPECT_TRUE(SameMode(second->Mode(), second->initial_mode()));

  // Keys of one's own, from the flag and from the config file.
  auto flagged = OnTerminal({"attach", "--detach-keys", "ctrl-a,b", "det"});
  flagged->Send("echo $((5*5))\r");
  ASSERT_TRUE(flagged->ReadUntil("25")) << flagged->output();
  flagged->Send("\x01" "b");
  EXPECT_EQ(flagged->Wait(), 1) << flagged->output();
  const std::string config = env_.dir() + "/client";
  ASSERT_EQ(mkdir(config.c_str(), 0700), 0);
  std::ofstream(config + "/config.json") << R"({"detachKeys": "ctrl-x"})";
  auto configured = OnTerminal({"attach", "det"}, {{"BERTH_CONFIG", config}});
  configured->Send("echo $((4*4))\r");
  ASSERT_TRUE(configured->ReadUntil("16")) << configured->output();
  configured->Send("\x18");
  EXPECT_EQ(configured->Wait(), 1) << configured->output();

  // The container's exit is the attached client's exit code.
  auto last = OnTerminal({"attach", "det"});
  last->Send("exit 7\r");
  EXPECT_EQ(last->Wait(), 7) << last->output();
  RunResult stopped = env_.Berth({"attach", "det"});
  EXPECT_EQ(stopped.exit_code, 1);
  EXPECT_THAT(stopped.err,
              HasSubstr("You cannot attach to a stopped container, start it first"));
}

TEST_F(InteractiveTest, StartAiAttachesBeforeEachStart) {
  ASSERT_EQ(env_.Berth({"create", "-it", "--name", "later", "busybox", "sh"})
                .exit_code,
            0);
  for (int code : {5, 6}) {
    auto user = OnTerminal({"start", "-ai", "later"});
    ASSERT_TRUE(user->ReadUntil("# ")) << user->output();
    user->Send(absl::StrCat("exit ", code, "\r"));
    EXPECT_EQ(user->Wait(), code) << user->output();
    EXPECT_TRUE(SameMode(user->Mode(), user->initial_mode()));
  }
  // Without a terminal: output from the first byte, and the exit code.
  ASSERT_EQ(env_.Berth({"create", "--name", "printer", "busybox", "sh", "-c",
                        "echo first; exit 2"})
                .exit_code,
            0);
  RunResult printed = env_.Berth({"start", "-a", "printer"});
  EXPECT_EQ(printed.exit_code, 2) << printed.err;
  EXPECT_EQ(printed.out, "first\n");
}

TEST_F(InteractiveTest, TheTerminalIsRestoredWhenTheDaemonDies) {
  auto user = OnTerminal({"run", "-it", "--name", "orphan", "busybox", "sh"});
  ASSERT_TRUE(user->ReadUntil("# ")) << user->output();
  berthd_->Signal(SIGKILL);
  berthd_->Wait(absl::Seconds(10));
  EXPECT_NE(user->Wait(), 0) << user->output();
  EXPECT_TRUE(SameMode(user->Mode(), user->initial_mode()));
  // The container outlived the daemon; a new one finds and removes it.
  StartBerthd();
  EXPECT_EQ(env_.Berth({"rm", "-f", "orphan"}).exit_code, 0);
}

TEST_F(InteractiveTest, LogDriverNoneStillPrintsTheAttachedOutput) {
  RunResult run = RunScript("echo to-out; echo to-err >&2; exit 3",
                            {"--log-driver", "none"});
  EXPECT_EQ(run.exit_code, 3) << run.err;
  EXPECT_EQ(run.out, "to-out\n");
  EXPECT_EQ(run.err, "to-err\n");
}

TEST_F(InteractiveTest, SeveralClientsSeeTheSameOutput) {
  ASSERT_EQ(env_.Berth({"run", "-d", "--name", "ticker", "busybox", "sh", "-c",
                        "i=0; while [ $i -lt 40 ]; do echo tick$i; i=$((i+1)); "
                        "sleep 0.2; done; exit 9"})
                .exit_code,
            0);
  RunResult results[2];
  std::thread clients[2];
  for (int i = 0; i < 2; ++i) {
    clients[i] = std::thread([&, i] {
      results[i] = RunCommand(env_.BerthArgv({"attach", "--no-stdin", "ticker"}));
    });
  }
  for (auto& client : clients) client.join();
  for (const RunResult& result : results) {
    EXPECT_EQ(result.exit_code, 9) << result.err;
    EXPECT_THAT(result.out, HasSubstr("tick39\n"));
  }
}

TEST_F(InteractiveTest, AGigabyteToASlowReaderKeepsTheDaemonSmallAndTheLogWhole) {
  // 262144 lines of 4 KiB: 1 GiB, all of it logged, while an attached
  // client reads slowly.
  ASSERT_EQ(env_.Berth({"run", "-d", "--name", "gig", "busybox", "sh", "-c",
                        "sleep 1; yes $(head -c 4095 /dev/zero | tr '\\0' x) | "
                        "head -n 262144"})
                .exit_code,
            0);
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  Daemon client(env_.BerthArgv({"attach", "--no-stdin", "gig"}), pipe_fds[1],
                pipe_fds[1]);
  close(pipe_fds[1]);
  std::atomic<bool> reading{true};
  std::thread slow([&] {
    char buffer[16 * 1024];
    while (reading) {
      if (read(pipe_fds[0], buffer, sizeof(buffer)) <= 0) break;
      absl::SleepFor(absl::Milliseconds(5));  // ~3 MB/s
    }
  });
  EXPECT_TRUE(WaitForStatus("gig", "exited", absl::Seconds(240)));
  EXPECT_EQ(Inspect("gig")["State"]["ExitCode"], 0);
  const long peak = PeakRssKib(berthd_->pid());
  EXPECT_LT(peak, 64 * 1024) << "berthd's peak RSS, KiB";
  reading = false;
  client.Signal(SIGKILL);
  client.Wait(absl::Seconds(10));
  close(pipe_fds[0]);
  slow.join();
  // The log has every line.
  const std::string log_path = Inspect("gig")["LogPath"].get<std::string>();
  std::ifstream log(log_path);
  long lines = 0;
  std::string line;
  while (std::getline(log, line)) ++lines;
  EXPECT_EQ(lines, 262144);
}

TEST_F(InteractiveTest, AClientThatNeverReadsBlocksNothing) {
  // 512 MiB of output and no log: only the attached client would take it,
  // and it reads none of it.
  ASSERT_EQ(env_.Berth({"run", "-d", "--log-driver", "none", "--name", "flood",
                        "busybox", "sh", "-c",
                        "sleep 2; head -c 536870912 /dev/zero; echo done >&2"})
                .exit_code,
            0);
  int never_read[2];
  ASSERT_EQ(pipe(never_read), 0);
  Daemon client(env_.BerthArgv({"attach", "--no-stdin", "flood"}), never_read[1],
                never_read[1]);
  close(never_read[1]);
  EXPECT_TRUE(WaitForStatus("flood", "exited", absl::Seconds(120)));
  EXPECT_EQ(Inspect("flood")["State"]["ExitCode"], 0);
  // Bounded buffers: the daemon holds little of what went by.
  EXPECT_LT(RssKib(berthd_->pid()), 256 * 1024);
  client.Signal(SIGKILL);
  client.Wait(absl::Seconds(10));
  close(never_read[0]);
  // The daemon still serves.
  EXPECT_EQ(RunScript("echo fine").out, "fine\n");
}

}  // namespace
}  // namespace berth::testing
