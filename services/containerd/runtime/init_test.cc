// --init: PID 1 is our init, the command its child (needs root).
#include <signal.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "services/containerd/runtime/runtime.h"
#include "services/containerd/runtime/test_util.h"

namespace berth {
namespace containerd {
namespace runtime {
namespace {

using testing::RootfsMode;
using testing::RunContainer;
using testing::RunResult;
using testing::TestRootfs;

class InitTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(rootfs_.status().ok()) << rootfs_.status(); }

  InitSpec Spec(const std::string& script) {
    InitSpec spec = rootfs_.base_spec();
    spec.run_init = true;
    spec.args = {"/bin/sh", "-c", script};
    return spec;
  }

  TestRootfs rootfs_{RootfsMode::kOverlay};
};

TEST_F(InitTest, CommandIsNotPidOneButInitIs) {
  RunResult result = RunContainer(Spec("echo $$; cat /proc/1/comm"));
  ASSERT_TRUE(result.status.ok()) << result.status;
  std::vector<std::string> lines = absl::StrSplit(result.output, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 2u) << result.output;
  EXPECT_NE(lines[0], "1");
  EXPECT_EQ(lines[1], "berth-init");
  EXPECT_EQ(result.exit_code, 0);
}

TEST_F(InitTest, ExitStatusPropagates) {
  RunResult result = RunContainer(Spec("exit 7"));
  ASSERT_TRUE(result.status.ok()) << result.status;
  EXPECT_EQ(result.exit_code, 7);

  result = RunContainer(Spec("kill -KILL $$"));
  ASSERT_TRUE(result.status.ok()) << result.status;
  EXPECT_EQ(result.exit_code, 128 + SIGKILL);
}

TEST_F(InitTest, SignalsAreForwardedToTheCommand) {
  for (int sig : {SIGTERM, SIGUSR1, SIGHUP}) {
    SCOPED_TRACE(sig);
    testing::Started started = testing::StartContainer(Spec(
        "trap 'echo got-signal; exit 3' TERM USR1 HUP; echo ready;"
        "while true; do sleep 0.05; done"));
    ASSERT_TRUE(started.status.ok()) << started.status;
    std::string out;
    ASSERT_TRUE(testing::ReadUntil(started.stdout_fd, "ready", out)) << out;
    ASSERT_EQ(kill(started.pid, sig), 0);
    out += testing::ReadAllAndClose(started.stdout_fd, absl::Seconds(10));
    EXPECT_EQ(out, "ready\ngot-signal\n");
    EXPECT_EQ(testing::WaitExit(started.pid, absl::Seconds(10)), 3);
  }
}

TEST_F(InitTest, OrphanedZombiesAreReaped) {
  // The inner shell exits at once; its background sleep is reparented to
  // PID 1 and exits a little later. Only the init can reap it.
  RunResult result = RunContainer(Spec(
      "sh -c 'sleep 0.2 &'; sleep 1;"
      "for s in /proc/[0-9]*/stat; do cat $s; echo; done"));
  ASSERT_TRUE(result.status.ok()) << result.status;
  int processes = 0;
  for (absl::string_view line : absl::StrSplit(result.output, '\n', absl::SkipEmpty())) {
    size_t paren = line.rfind(')');
    ASSERT_NE(paren, absl::string_view::npos) << line;
    ++processes;
    EXPECT_NE(line.substr(paren + 2, 1), "Z") << "zombie: " << line;
  }
  EXPECT_GE(processes, 2) << result.output;  // init, sh (and cat)
  EXPECT_EQ(result.exit_code, 0);
}

TEST_F(InitTest, StartErrorsAreReported) {
  InitSpec spec = Spec("");
  spec.args = {"nosuchcmd"};
  RunResult result = RunContainer(spec);
  EXPECT_EQ(result.status.code(), absl::StatusCode::kNotFound) << result.status;

  // execve itself fails in the init's child.
  ASSERT_TRUE(testing::WriteFile(rootfs_.tree() + "/bin/garbage", "\x01\x02junk", 0755).ok());
  spec.args = {"/bin/garbage"};
  result = RunContainer(spec);
  EXPECT_EQ(result.status.code(), absl::StatusCode::kPermissionDenied) << result.status;
  EXPECT_EQ(ExitCodeForStartError(result.status), 126);
}

}  // namespace
}  // namespace runtime
}  // namespace containerd
}  // namespace berth
