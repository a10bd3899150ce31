// End to end: the container lifecycle when a shim stops answering, or
// speaks another protocol version. Every
// call containerd makes to a shim has a deadline, and a wedged shim is
// killed, with its container, and reported, never waited on.
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/unix_socket.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/containerd/shim/framing.h"
#include "tests/e2e/container_fixture.h"

namespace berth::testing {
namespace {

using ::testing::HasSubstr;

bool Alive(int pid) { return kill(pid, 0) == 0; }

TEST_F(ContainerE2eTest, StopAndForcedRemoveReturnWhenTheShimIsWedged) {
  for (const char* name : {"wedged-stop", "wedged-rm"}) {
    ASSERT_EQ(env_.Berth({"run", "-d", "--name", name, "busybox", "sleep",
                          "600"})
                  .exit_code,
              0);
  }
  const int stop_init = Inspect("wedged-stop")["State"]["Pid"].get<int>();
  const int rm_init = Inspect("wedged-rm")["State"]["Pid"].get<int>();
  const int stop_shim = ParentOf(stop_init);
  const int rm_shim = ParentOf(rm_init);
  ASSERT_GT(stop_shim, 1);
  ASSERT_GT(rm_shim, 1);
  // A stopped process still has its socket accept connections (the
  // kernel queues them) but never answers.
  ASSERT_EQ(kill(stop_shim, SIGSTOP), 0);
  ASSERT_EQ(kill(rm_shim, SIGSTOP), 0);

  absl::Time start = absl::Now();
  RunResult stopped = env_.Berth({"stop", "-t", "30", "wedged-stop"});
  EXPECT_LT(absl::Now() - start, absl::Seconds(15));
  EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
  EXPECT_TRUE(WaitForStatus("wedged-stop", "exited"));
  nlohmann::json state = Inspect("wedged-stop")["State"];
  EXPECT_EQ(state["ExitCode"], 137);
  EXPECT_THAT(state["Error"].get<std::string>(), HasSubstr("did not answer"));

  start = absl::Now();
  RunResult removed = env_.Berth({"rm", "-f", "wedged-rm"});
  EXPECT_LT(absl::Now() - start, absl::Seconds(15));
  EXPECT_EQ(removed.exit_code, 0) << removed.err;
  EXPECT_NE(env_.Berth({"inspect", "wedged-rm"}).exit_code, 0);

  // Nothing of either is left running.
  for (int pid : {stop_init, rm_init, stop_shim, rm_shim}) {
    for (int i = 0; i < 50 && Alive(pid); ++i) absl::SleepFor(absl::Milliseconds(100));
    EXPECT_FALSE(Alive(pid)) << pid;
  }
  EXPECT_TRUE(env_.ShimPids().empty());
  // The daemon still serves.
  EXPECT_EQ(RunScript("echo fine").out, "fine\n");
}

// A shim of another protocol version on a container's socket: here a
// stand-in answering every request as protocol 2. It answers until
// destroyed.
class ShimOfVersion2 {
 public:
  explicit ShimOfVersion2(const std::string& path) {
    absl::StatusOr<int> listening = ListenUnix(path, 16);
    EXPECT_TRUE(listening.ok()) << listening.status();
    listener_ = listening.value_or(-1);
    ::berth::shim::v1::Response response;
    response.set_version(2);
    response.mutable_state()->set_running(true);
    const std::string reply = containerd::shim::EncodeFrame(response);
    thread_ = std::thread([this, reply] {
      while (true) {
        pollfd pfd = {listener_, POLLIN, 0};
        if (stop_.load()) return;
        if (poll(&pfd, 1, 50) <= 0) continue;
        int fd = accept(listener_, nullptr, nullptr);
        if (fd < 0) continue;
        ++requests_;
        char buffer[512];
        while (read(fd, buffer, sizeof(buffer)) > 0) {
        }
        ssize_t ignored = write(fd, reply.data(), reply.size());
        (void)ignored;
        close(fd);
      }
    });
  }
  ~ShimOfVersion2() {
    stop_ = true;
    thread_.join();
    close(listener_);
  }
  int requests() const { return requests_.load(); }

 private:
  int listener_ = -1;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  std::thread thread_;
};

// containerd restarts and finds a shim that speaks a protocol it does not:
// it must neither lose the container (mark it exited while it runs) nor
// kill it, but mark it dead with the reason, and rm -f must end it.
// SIGTERM of berthd hung behind a `stop -t 100000` of a container that
// ignores SIGTERM: shutdown now ends within its grace period, the container
// runs on, and a restarted berthd adopts it.
TEST_F(ContainerE2eTest, DaemonShutdownDoesNotWaitForALongStop) {
  ASSERT_EQ(env_.Berth({"run", "-d", "--name", "stubborn", "busybox", "sh",
                        "-c", "trap '' TERM; while true; do sleep 1; done"})
                .exit_code,
            0);
  const int init = Inspect("stubborn")["State"]["Pid"].get<int>();
  Daemon stop({Runfile(kBerthCli), "--run-root", env_.run_root(), "stop", "-t",
               "100000", "stubborn"},
              env_.dir() + "/stop.log");
  absl::SleepFor(absl::Seconds(1));  // the stop reaches containerd
  berthd_->Signal(SIGTERM);
  EXPECT_EQ(berthd_->Wait(absl::Seconds(40)), 0) << "berthd hung in shutdown";
  EXPECT_NE(stop.Wait(absl::Seconds(10)), 0);
  EXPECT_TRUE(Alive(init)) << "the container was lost";
  StartBerthd();
  ASSERT_TRUE(WaitForStatus("stubborn", "running"));
  RunResult removed = env_.Berth({"rm", "-f", "stubborn"});
  EXPECT_EQ(removed.exit_code, 0) << removed.err;
}

TEST_F(ContainerE2eTest, AdoptionRefusesAShimOfAnotherProtocolVersion) {
  ASSERT_EQ(env_.Berth({"run", "-d", "--name", "future", "busybox", "sleep",
                        "600"})
                .exit_code,
            0);
  nlohmann::json before = Inspect("future");
  const std::string id = before["Id"].get<std::string>();
  const int init = before["State"]["Pid"].get<int>();
  const int shim = ParentOf(init);
  ASSERT_GT(shim, 1);
  berthd_->Signal(SIGKILL);
  berthd_->Wait(absl::Seconds(10));

  // The real shim keeps running, out of containerd's sight; the socket now
  // answers as protocol 2.
  const std::string socket_path =
      absl::StrCat(env_.run_root(), "/shims/", id, ".sock");
  ASSERT_EQ(rename(socket_path.c_str(), (socket_path + ".real").c_str()), 0)
      << strerror(errno);
  {
    ShimOfVersion2 future(socket_path);
    StartBerthd();
    ASSERT_TRUE(WaitForStatus("future", "dead"));
    EXPECT_GE(future.requests(), 1);
    nlohmann::json state = Inspect("future")["State"];
    EXPECT_THAT(state["Error"].get<std::string>(),
                HasSubstr("the shim speaks protocol 2, this containerd "
                          "speaks 1"));
    EXPECT_THAT(state["Error"].get<std::string>(), HasSubstr("rm -f"));
    EXPECT_TRUE(Alive(init)) << "the container was lost";
    EXPECT_TRUE(Alive(shim));

    RunResult removed = env_.Berth({"rm", "-f", "future"});
    EXPECT_EQ(removed.exit_code, 0) << removed.err;
  }
  EXPECT_NE(env_.Berth({"inspect", "future"}).exit_code, 0);
  for (int pid : {init, shim}) {
    for (int i = 0; i < 50 && Alive(pid); ++i) {
      absl::SleepFor(absl::Milliseconds(100));
    }
    EXPECT_FALSE(Alive(pid)) << pid;
  }
  unlink((socket_path + ".real").c_str());
}

}  // namespace
}  // namespace berth::testing
