#include "services/containerd/shim/protocol.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "services/containerd/shim/spec.h"

namespace berth::containerd::shim {
namespace {

class ProtocolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/shimproto-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    EXPECT_EQ(std::system(absl::StrCat("rm -rf ", dir_).c_str()), 0);
  }
  // A stand-in shim: a script that answers on the ready fd.
  std::string FakeShim(const std::string& body) {
    const std::string path = dir_ + "/fake-shim";
    std::ofstream(path) << "#!/bin/sh\n" << body << "\n";
    chmod(path.c_str(), 0755);
    return path;
  }
  std::string dir_;
};

TEST_F(ProtocolTest, ExitRecordRoundTrips) {
  ExitRecord record;
  record.exit_code = 137;
  record.oom_killed = true;
  record.finished_at = absl::FromUnixNanos(1700000000123456789);
  record.error = "killed";
  const std::string path = dir_ + "/exit.json";
  ASSERT_TRUE(WriteExitRecord(path, record).ok());
  absl::StatusOr<ExitRecord> read = ReadExitRecord(path);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->exit_code, 137);
  EXPECT_TRUE(read->oom_killed);
  EXPECT_EQ(read->finished_at, record.finished_at);
  EXPECT_EQ(read->error, "killed");
}

TEST_F(ProtocolTest, MissingAndCorruptExitRecords) {
  EXPECT_TRUE(absl::IsNotFound(ReadExitRecord(dir_ + "/none").status()));
  std::ofstream(dir_ + "/bad") << "{\"exitCo";
  EXPECT_TRUE(absl::IsDataLoss(ReadExitRecord(dir_ + "/bad").status()));
}

TEST_F(ProtocolTest, StartErrorsKeepTheirExitCodeClass) {
  absl::Status not_found = ParseStartError(FormatStartError(
      absl::NotFoundError("exec: \"x\": executable file not found in $PATH")));
  EXPECT_TRUE(absl::IsNotFound(not_found));
  EXPECT_EQ(not_found.message(),
            "exec: \"x\": executable file not found in $PATH");
  EXPECT_TRUE(absl::IsPermissionDenied(
      ParseStartError(FormatStartError(absl::PermissionDeniedError("no")))));
  EXPECT_TRUE(absl::IsFailedPrecondition(
      ParseStartError(FormatStartError(absl::InternalError("mount")))));
  EXPECT_TRUE(absl::IsInternal(ParseStartError("garbage")));
}

TEST_F(ProtocolTest, LaunchReportsPidsOfADetachedShim) {
  const std::string shim = FakeShim("echo \"ok $$ 4242\" >&3");
  absl::StatusOr<LaunchedShim> launched =
      LaunchShim(shim, dir_, absl::Seconds(10));
  ASSERT_TRUE(launched.ok()) << launched.status();
  EXPECT_GT(launched->shim_pid, 0);
  EXPECT_NE(launched->shim_pid, getpid());
  EXPECT_EQ(launched->init_pid, 4242);
}

TEST_F(ProtocolTest, LaunchReturnsTheStartError) {
  const std::string shim =
      FakeShim("echo 'error 127 exec: \"nope\": not found' >&3");
  absl::StatusOr<LaunchedShim> launched =
      LaunchShim(shim, dir_, absl::Seconds(10));
  EXPECT_TRUE(absl::IsNotFound(launched.status())) << launched.status();
}

TEST_F(ProtocolTest, LaunchOfASilentShimFailsClearly) {
  const std::string shim = FakeShim("exit 3");
  absl::StatusOr<LaunchedShim> launched =
      LaunchShim(shim, dir_, absl::Seconds(10));
  EXPECT_TRUE(absl::IsInternal(launched.status())) << launched.status();
  EXPECT_NE(launched.status().message().find("shim.log"), std::string::npos);
}

// Gone, or a zombie nobody reaped yet (the test may run under a
// subreaper): either way no longer running.
bool Gone(pid_t pid) {
  std::ifstream stat(absl::StrCat("/proc/", pid, "/stat"));
  std::string line;
  if (!std::getline(stat, line)) return true;
  const size_t close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size() &&
         line[close + 2] == 'Z';
}

// Bug 6: a shim that never reports must not outlive the launch that gave
// up on it; it detaches like the real one (fork, the spawned process exits).
TEST_F(ProtocolTest, LaunchKillsAShimThatDoesNotReportInTime) {
  const std::string pid_file = dir_ + "/shim.pid";
  const std::string shim = FakeShim(
      absl::StrCat("(exec sleep 600) & echo $! > ", pid_file, "; exit 0"));
  absl::StatusOr<LaunchedShim> launched =
      LaunchShim(shim, dir_, absl::Milliseconds(500));
  EXPECT_TRUE(absl::IsDeadlineExceeded(launched.status())) << launched.status();
  std::string text;
  std::ifstream(pid_file) >> text;
  pid_t pid = 0;
  ASSERT_TRUE(absl::SimpleAtoi(text, &pid)) << text;
  for (int i = 0; i < 50 && !Gone(pid); ++i) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_TRUE(Gone(pid)) << "the shim " << pid << " still runs";
  if (!Gone(pid)) kill(pid, SIGKILL);
}

TEST_F(ProtocolTest, CommandWithoutShimIsUnavailable) {
  EXPECT_TRUE(absl::IsUnavailable(
      ShimCommand(dir_ + "/no.sock", "state", absl::Seconds(1)).status()));
}

// A wedged shim: its socket listens (the kernel queues connections) but
// nothing ever accepts or answers. Every command must give up at its
// deadline instead of waiting forever.
TEST_F(ProtocolTest, CommandToAWedgedShimEndsAtItsDeadline) {
  const std::string path = dir_ + "/wedged.sock";
  int listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(listener, 0);
  sockaddr_un address = {};
  address.sun_family = AF_UNIX;
  memcpy(address.sun_path, path.c_str(), path.size() + 1);
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&address),
                 sizeof(address)),
            0);
  ASSERT_EQ(listen(listener, 1), 0);
  // Enough calls to fill the backlog too: connect itself must not block.
  for (int i = 0; i < 4; ++i) {
    const absl::Time start = absl::Now();
    absl::Status sent = SignalShim(path, 15, absl::Milliseconds(300));
    EXPECT_TRUE(absl::IsDeadlineExceeded(sent)) << sent;
    EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  }
  const absl::Time start = absl::Now();
  absl::StatusOr<int> wait = SendWait(path, absl::Milliseconds(300));
  EXPECT_TRUE(absl::IsDeadlineExceeded(wait.status())) << wait.status();
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  close(listener);
}

TEST_F(ProtocolTest, SpecRoundTripsAndRejectsMistypedFields) {
  ShimSpec spec;
  spec.id = "abc";
  spec.args = {"sh", "-c", "echo hi"};
  spec.mounts.push_back({"/a", "/b", true});
  spec.rlimits.push_back({"nofile", 10, 20});
  spec.memory = 32 << 20;
  spec.tty = true;
  spec.uid_map.push_back({0, 100000, 65536});
  spec.gid_map.push_back({0, 200000, 10});
  absl::StatusOr<ShimSpec> parsed = ParseShimSpec(SerializeShimSpec(spec));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->args, spec.args);
  EXPECT_EQ(parsed->mounts[0].destination, "/b");
  EXPECT_TRUE(parsed->mounts[0].read_only);
  EXPECT_EQ(parsed->rlimits[0].hard, 20u);
  EXPECT_EQ(parsed->memory, 32 << 20);
  EXPECT_TRUE(parsed->tty);
  ASSERT_EQ(parsed->uid_map.size(), 1u);
  EXPECT_EQ(parsed->uid_map[0].host_id, 100000u);
  EXPECT_EQ(parsed->gid_map[0].size, 10u);
  EXPECT_FALSE(ParseShimSpec("{\"args\": 3}").ok());
  EXPECT_FALSE(ParseShimSpec("[]").ok());
}

}  // namespace
}  // namespace berth::containerd::shim
