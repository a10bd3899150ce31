// Processes started in a running container (needs root, namespaces,
// overlayfs): they see what its init sees, as the user asked for.
#include "services/containerd/runtime/join.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "services/containerd/runtime/test_util.h"

namespace berth {
namespace containerd {
namespace runtime {
namespace {

using testing::RootfsMode;
using testing::TestRootfs;

class JoinTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(rootfs_.status().ok()) << rootfs_.status();
    InitSpec spec = rootfs_.base_spec();
    spec.hostname = "inside";
    spec.env = {"FROM_INIT=1"};
    // Leaves a mark only the container's mount namespace has.
    spec.args = {"/bin/sh", "-c", "echo mark > /tmp/mark; echo ready; exec sleep 600"};
    started_ = testing::StartContainer(spec);
    ASSERT_TRUE(started_.status.ok()) << started_.status;
    std::string out;
    ASSERT_TRUE(testing::ReadUntil(started_.stdout_fd, "ready", out));
  }
  void TearDown() override {
    if (started_.pid > 0) {
      kill(started_.pid, SIGKILL);
      testing::WaitExit(started_.pid);
    }
    if (started_.stdout_fd >= 0) close(started_.stdout_fd);
  }

  // Runs `args` in the container; its stdout, and its exit code in *code.
  absl::StatusOr<std::string> Exec(JoinSpec spec, int* code) {
    spec.target = started_.pid;
    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0) return absl::InternalError("pipe2");
    spec.stdout_fd = out[1];
    absl::StatusOr<pid_t> pid = SpawnInContainer(spec, nullptr);
    close(out[1]);
    if (!pid.ok()) {
      close(out[0]);
      return pid.status();
    }
    std::string output = testing::ReadAllAndClose(out[0]);
    *code = testing::WaitExit(*pid);
    return output;
  }

  TestRootfs rootfs_{RootfsMode::kOverlay};
  testing::Started started_;
};

TEST_F(JoinTest, SeesTheContainersNamespacesAndRoot) {
  JoinSpec spec;
  spec.args = {"/bin/sh", "-c",
               "cat /tmp/mark; hostname; echo $HOSTNAME; tr '\\0' ' ' < /proc/1/cmdline; echo"
               "; readlink /proc/self/ns/pid"};
  int code = -1;
  absl::StatusOr<std::string> out = Exec(spec, &code);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(code, 0);
  char own_pidns[64] = {};
  ASSERT_GT(readlink("/proc/self/ns/pid", own_pidns, sizeof(own_pidns) - 1), 0);
  EXPECT_EQ(out->substr(0, out->find(own_pidns)), *out)
      << "the exec is in the host's pid namespace";
  EXPECT_EQ(out->rfind("mark\ninside\ninside\nsleep 600 \n", 0), 0u) << *out;
}

TEST_F(JoinTest, TakesTheUserWorkdirAndEnvironmentAsked) {
  JoinSpec spec;
  spec.args = {"/bin/sh", "-c", "id -u; pwd; echo $X; echo $HOME"};
  spec.user = "app";
  spec.cwd = "/tmp";
  spec.env = {"X=given"};
  int code = -1;
  absl::StatusOr<std::string> out = Exec(spec, &code);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(code, 0);
  EXPECT_EQ(*out, "1000\n/tmp\ngiven\n/home/app\n");
}

TEST_F(JoinTest, ACommandOrDirectoryThatIsNotThereIsTheError) {
  JoinSpec missing;
  missing.args = {"nosuchcmd"};
  int code = -1;
  absl::StatusOr<std::string> out = Exec(missing, &code);
  EXPECT_TRUE(absl::IsNotFound(out.status())) << out.status();
  EXPECT_NE(out.status().message().find("executable file not found"),
            std::string::npos);
  JoinSpec nowhere;
  nowhere.args = {"true"};
  nowhere.cwd = "/no/such/dir";
  out = Exec(nowhere, &code);
  EXPECT_TRUE(absl::IsFailedPrecondition(out.status())) << out.status();
  EXPECT_NE(out.status().message().find("/no/such/dir"), std::string::npos);
}

TEST_F(JoinTest, AGoneInitIsAClearError) {
  kill(started_.pid, SIGKILL);
  testing::WaitExit(started_.pid);
  const pid_t gone = started_.pid;
  started_.pid = -1;
  JoinSpec spec;
  spec.args = {"true"};
  spec.target = gone;
  absl::StatusOr<pid_t> pid = SpawnInContainer(spec, nullptr);
  EXPECT_TRUE(absl::IsFailedPrecondition(pid.status())) << pid.status();
  EXPECT_NE(pid.status().message().find("is gone"), std::string::npos);
}

}  // namespace
}  // namespace runtime
}  // namespace containerd
}  // namespace berth
