// End to end: `berth exec` in real containers through the CLI — the
// process sees the container (namespaces, root, cgroup), takes the user,
// directory and environment asked for and the container's confinement,
// runs on a terminal or with piped stdin, detached, and dies with the
// container; refusals and start failures are Docker's.
#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/container_fixture.h"
#include "tests/support/pty_session.h"

namespace berth::testing {
namespace {

using ::testing::HasSubstr;

class ExecTest : public ContainerE2eTest {
 protected:
  void SetUp() override {
    ContainerE2eTest::SetUp();
    ASSERT_EQ(env_.Berth({"run", "-d", "--name", "box", "-e", "FROM=run",
                          "busybox", "sh", "-c",
                          "echo inside > /tmp/mark; exec sleep 600"})
                  .exit_code,
              0);
    ASSERT_TRUE(WaitForStatus("box", "running"));
    init_pid_ = Inspect("box")["State"]["Pid"].get<int>();
    for (int i = 0; i < 100 && Exec({"cat", "/tmp/mark"}).exit_code != 0; ++i) {
      absl::SleepFor(absl::Milliseconds(50));
    }
  }

  RunResult Exec(std::vector<std::string> args,
                 std::vector<std::string> flags = {}) {
    std::vector<std::string> all = {"exec"};
    all.insert(all.end(), flags.begin(), flags.end());
    all.push_back("box");
    all.insert(all.end(), args.begin(), args.end());
    return env_.Berth(all);
  }

  // Host pids of the processes in the container's PID namespace.
  std::set<int> ContainerPids() {
    const std::string ns = ReadLink(absl::StrCat("/proc/", init_pid_, "/ns/pid"));
    std::set<int> pids;
    DIR* proc = opendir("/proc");
    if (proc == nullptr) return pids;
    while (dirent* entry = readdir(proc)) {
      const int pid = atoi(entry->d_name);
      if (pid > 0 && !ns.empty() &&
          ReadLink(absl::StrCat("/proc/", pid, "/ns/pid")) == ns) {
        pids.insert(pid);
      }
    }
    closedir(proc);
    return pids;
  }

  static std::string ReadLink(const std::string& path) {
    char target[256] = {};
    ssize_t n = readlink(path.c_str(), target, sizeof(target) - 1);
    return n > 0 ? std::string(target, static_cast<size_t>(n)) : "";
  }

  static std::string StatusLine(const std::string& status, const std::string& key) {
    for (const std::string& line : Lines(status)) {
      if (line.rfind(key + ":", 0) == 0) return line;
    }
    return "";
  }

  int init_pid_ = 0;
};

TEST_F(ExecTest, TheProcessSeesTheContainerAndGivesItsExitCode) {
  RunResult mark = Exec({"cat", "/tmp/mark"});
  EXPECT_EQ(mark.exit_code, 0) << mark.err;
  EXPECT_EQ(mark.out, "inside\n");
  RunResult pid1 = Exec({"sh", "-c", "tr '\\0' ' ' < /proc/1/cmdline"});
  EXPECT_EQ(pid1.out, "sleep 600 ");
  EXPECT_EQ(Exec({"sh", "-c", "exit 3"}).exit_code, 3);
  // The container's cgroup, as its init's.
  EXPECT_EQ(Exec({"cat", "/proc/self/cgroup"}).out,
            ReadFile(absl::StrCat("/proc/", init_pid_, "/cgroup")));
}

TEST_F(ExecTest, TwentyConcurrentExecsEachGetTheirOwnOutputAndCode) {
  constexpr int kExecs = 20;
  RunResult results[kExecs];
  std::vector<std::thread> threads;
  for (int i = 0; i < kExecs; ++i) {
    threads.emplace_back([this, i, &results] {
      results[i] = Exec({"sh", "-c", absl::StrCat("echo out", i, "; echo err", i,
                                                  " >&2; exit ", i)});
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int i = 0; i < kExecs; ++i) {
    EXPECT_EQ(results[i].exit_code, i) << results[i].err;
    EXPECT_EQ(results[i].out, absl::StrCat("out", i, "\n"));
    EXPECT_EQ(results[i].err, absl::StrCat("err", i, "\n"));
  }
}

TEST_F(ExecTest, UserDirectoryAndEnvironmentAreTheOnesAsked) {
  RunResult got = Exec({"sh", "-c", "echo $X $FROM; pwd; id -u; echo $HOME"},
                       {"-e", "X=1", "-w", "/tmp", "-u", "1000"});
  EXPECT_EQ(got.exit_code, 0) << got.err;
  EXPECT_EQ(got.out, "1 run\n/tmp\n1000\n/home/app\n");
  // The container's own defaults otherwise.
  EXPECT_EQ(Exec({"sh", "-c", "pwd; id -u"}).out, "/\n0\n");
}

TEST_F(ExecTest, ItIsConfinedAsTheContainerUnlessPrivileged) {
  const std::string init = ReadFile(absl::StrCat("/proc/", init_pid_, "/status"));
  const std::string exec = Exec({"cat", "/proc/self/status"}).out;
  for (const char* key : {"CapEff", "CapBnd", "NoNewPrivs", "Seccomp"}) {
    EXPECT_EQ(StatusLine(exec, key), StatusLine(init, key)) << key;
    EXPECT_NE(StatusLine(exec, key), "") << key;
  }
  const std::string privileged =
      Exec({"cat", "/proc/self/status"}, {"--privileged"}).out;
  EXPECT_NE(StatusLine(privileged, "CapEff"), StatusLine(init, "CapEff"));
  EXPECT_EQ(StatusLine(privileged, "Seccomp"), StatusLine(init, "Seccomp"));
}

TEST_F(ExecTest, PipedStdinAndATerminal) {
  RunResult cat = env_.BerthWithInput({"exec", "-i", "box", "cat"}, "hello\n");
  EXPECT_EQ(cat.exit_code, 0) << cat.err;
  EXPECT_EQ(cat.out, "hello\n");

  PtySession user(env_.BerthArgv({"exec", "-it", "box", "sh"}), 24, 80);
  ASSERT_TRUE(user.ReadUntil("# ")) << user.output();
  user.Send("tty; stty size; echo $TERM\r");
  EXPECT_TRUE(user.ReadUntil("/dev/pts/")) << user.output();
  EXPECT_TRUE(user.ReadUntil("24 80")) << user.output();
  EXPECT_TRUE(user.ReadUntil("xterm")) << user.output();
  user.Resize(40, 120);
  absl::SleepFor(absl::Milliseconds(300));
  user.Send("stty size\r");
  EXPECT_TRUE(user.ReadUntil("40 120")) << user.output();
  user.Send("exit 5\r");
  EXPECT_EQ(user.Wait(), 5) << user.output();
  EXPECT_TRUE(SameMode(user.Mode(), user.initial_mode()));

  // The detach keys leave the exec'd shell running.
  PtySession detaching(env_.BerthArgv({"exec", "-it", "box", "sh"}), 24, 80);
  ASSERT_TRUE(detaching.ReadUntil("# ")) << detaching.output();
  detaching.Send("\x10\x11");
  EXPECT_EQ(detaching.Wait(), 0) << detaching.output();
  EXPECT_TRUE(SameMode(detaching.Mode(), detaching.initial_mode()));
  EXPECT_EQ(Inspect("box")["ExecIDs"].size(), 1u);
}

TEST_F(ExecTest, DetachedItRunsOnListedInExecIdsAndDiesWithTheContainer) {
  const std::set<int> before = ContainerPids();
  RunResult detached = Exec({"sh", "-c", "sleep 1; touch /tmp/done; exec sleep 600"}, {"-d"});
  EXPECT_EQ(detached.exit_code, 0) << detached.err;
  EXPECT_EQ(detached.out, "");
  nlohmann::json ids = Inspect("box")["ExecIDs"];
  ASSERT_TRUE(ids.is_array()) << ids;
  EXPECT_EQ(ids.size(), 1u);
  bool done = false;
  for (int i = 0; i < 100 && !done; ++i) {
    done = Exec({"cat", "/tmp/done"}).exit_code == 0;
    if (!done) absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_TRUE(done);
  const std::set<int> during = ContainerPids();
  EXPECT_GT(during.size(), before.size());
  ASSERT_EQ(env_.Berth({"kill", "box"}).exit_code, 0);
  ASSERT_TRUE(WaitForStatus("box", "exited"));
  for (int pid : during) {
    for (int i = 0; i < 50 && kill(pid, 0) == 0; ++i) {
      absl::SleepFor(absl::Milliseconds(100));
    }
    EXPECT_NE(kill(pid, 0), 0) << "pid " << pid << " outlived its container";
  }
  EXPECT_TRUE(Inspect("box")["ExecIDs"].is_null() ||
              Inspect("box")["ExecIDs"].empty());
}

TEST_F(ExecTest, RefusalsAndStartFailuresAreDockers) {
  RunResult missing = Exec({"nosuchcmd"});
  EXPECT_EQ(missing.exit_code, 126);
  EXPECT_THAT(missing.err, HasSubstr("executable file not found"));
  RunResult nowhere = Exec({"true"}, {"-w", "/no/such/dir"});
  EXPECT_EQ(nowhere.exit_code, 126);
  EXPECT_THAT(nowhere.err, HasSubstr("/no/such/dir"));
  // Paused: Docker's words, for exec and attach alike.
  ASSERT_EQ(env_.Berth({"pause", "box"}).exit_code, 0);
  RunResult paused = Exec({"true"});
  EXPECT_EQ(paused.exit_code, 1);
  EXPECT_THAT(paused.err, HasSubstr("is paused, unpause the container before exec"));
  RunResult attach = env_.Berth({"attach", "box"});
  EXPECT_EQ(attach.exit_code, 1);
  EXPECT_THAT(attach.err,
              HasSubstr("You cannot attach to a paused container, unpause it first"));
  ASSERT_EQ(env_.Berth({"unpause", "box"}).exit_code, 0);
  RunResult unknown = env_.Berth({"exec", "nobox", "true"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.err, HasSubstr("No such container: nobox"));
  // Docker's order: the container is looked up before the terminal check
  // (the test's stdin is no terminal) and before the request is checked.
  RunResult unknown_tty = env_.Berth({"exec", "-it", "nobox", "sh"});
  EXPECT_EQ(unknown_tty.exit_code, 1);
  EXPECT_THAT(unknown_tty.err, HasSubstr("No such container: nobox"));
  RunResult no_tty = Exec({"sh"}, {"-it"});
  EXPECT_EQ(no_tty.exit_code, 1);
  EXPECT_THAT(no_tty.err, HasSubstr("the input device is not a TTY"));
  RunResult unknown_dir = env_.Berth({"exec", "-w", "rel", "nobox", "true"});
  EXPECT_EQ(unknown_dir.exit_code, 1);
  EXPECT_THAT(unknown_dir.err, HasSubstr("No such container: nobox"));
  ASSERT_EQ(env_.Berth({"kill", "box"}).exit_code, 0);
  ASSERT_TRUE(WaitForStatus("box", "exited"));
  RunResult stopped = Exec({"true"});
  EXPECT_EQ(stopped.exit_code, 1);
  EXPECT_THAT(stopped.err, HasSubstr("is not running"));
}

}  // namespace
}  // namespace berth::testing
