#include "services/containerd/shim/protocol.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/unix_socket.h"
#include "gtest/gtest.h"
#include "services/containerd/shim/framing.h"
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
  // A stand-in shim that writes `frame` on the ready fd.
  std::string ReadyShim(const std::string& frame) {
    const std::string path = dir_ + "/ready.bin";
    std::ofstream(path, std::ios::binary) << frame;
    return FakeShim(absl::StrCat("cat ", path, " >&3"));
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

TEST_F(ProtocolTest, LaunchReadsTheReadyMessage) {
  const std::string shim = ReadyShim(ReadyFrame(4242, 4343));
  absl::StatusOr<LaunchedShim> launched =
      LaunchShim(shim, dir_, absl::Seconds(10));
  ASSERT_TRUE(launched.ok()) << launched.status();
  EXPECT_EQ(launched->shim_pid, 4242);
  EXPECT_EQ(launched->init_pid, 4343);
}

TEST_F(ProtocolTest, LaunchReturnsTheStartErrorInItsExitCodeClass) {
  absl::StatusOr<LaunchedShim> launched =
      LaunchShim(ReadyShim(StartErrorFrame(absl::NotFoundError(
                     "exec: \"nope\": executable file not found in $PATH"))),
                 dir_, absl::Seconds(10));
  EXPECT_TRUE(absl::IsNotFound(launched.status())) << launched.status();
  EXPECT_EQ(launched.status().message(),
            "exec: \"nope\": executable file not found in $PATH");
  launched = LaunchShim(
      ReadyShim(StartErrorFrame(absl::PermissionDeniedError("no"))), dir_,
      absl::Seconds(10));
  EXPECT_TRUE(absl::IsPermissionDenied(launched.status()));
  launched = LaunchShim(ReadyShim(StartErrorFrame(absl::InternalError("mount"))),
                        dir_, absl::Seconds(10));
  EXPECT_TRUE(absl::IsFailedPrecondition(launched.status()));
}

TEST_F(ProtocolTest, LaunchRefusesAShimOfAnotherVersion) {
  ::berth::shim::v1::Ready ready;
  ready.set_version(2);
  ready.set_shim_pid(1);
  ready.set_init_pid(2);
  absl::StatusOr<LaunchedShim> launched =
      LaunchShim(ReadyShim(EncodeFrame(ready)), dir_, absl::Seconds(10));
  EXPECT_TRUE(absl::IsFailedPrecondition(launched.status()));
  EXPECT_EQ(launched.status().message(),
            "the shim speaks protocol 2, this containerd speaks 1");
}

TEST_F(ProtocolTest, LaunchOfASilentShimFailsClearly) {
  const std::string shim = FakeShim("exit 3");
  absl::StatusOr<LaunchedShim> launched =
      LaunchShim(shim, dir_, absl::Seconds(10));
  EXPECT_TRUE(absl::IsInternal(launched.status())) << launched.status();
  EXPECT_NE(launched.status().message().find("shim.log"), std::string::npos);
}

TEST_F(ProtocolTest, LaunchOfAShimWritingGarbageFailsClearly) {
  absl::StatusOr<LaunchedShim> launched =
      LaunchShim(FakeShim("echo ok 1 2 >&3"), dir_, absl::Seconds(10));
  EXPECT_TRUE(absl::IsInternal(launched.status())) << launched.status();
  EXPECT_NE(launched.status().message().find("protocol 0"), std::string::npos)
      << launched.status();
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

TEST_F(ProtocolTest, CallWithoutShimIsUnavailable) {
  EXPECT_TRUE(absl::IsUnavailable(
      ShimState(dir_ + "/no.sock", absl::Seconds(1)).status()));
}

TEST(FramingTest, FramesRoundTripWhateverTheChunks) {
  ::berth::shim::v1::Request request = NewRequest();
  request.mutable_kill()->set_signal(9);
  const std::string frame = EncodeFrame(request);
  ASSERT_EQ(frame.size(), kFrameHeaderBytes + request.ByteSizeLong());
  EXPECT_EQ(frame.substr(0, 3), std::string(3, '\0'));  // big-endian length
  EXPECT_EQ(static_cast<size_t>(frame[3]), request.ByteSizeLong());
  std::string buffer;
  for (size_t i = 0; i < frame.size(); ++i) {
    buffer.push_back(frame[i]);
    absl::StatusOr<std::optional<std::string>> taken = TakeFrame(&buffer, "t");
    ASSERT_TRUE(taken.ok()) << taken.status();
    if (i + 1 < frame.size()) {
      EXPECT_FALSE(taken->has_value());
      continue;
    }
    ASSERT_TRUE(taken->has_value());
    ::berth::shim::v1::Request parsed;
    ASSERT_TRUE(ParsePayload(**taken, &parsed, "t").ok());
    EXPECT_EQ(parsed.version(), 1u);
    EXPECT_EQ(parsed.kill().signal(), 9);
    EXPECT_TRUE(buffer.empty());
  }
}

TEST(FramingTest, OversizedAndTextFramesAreRefused) {
  std::string buffer("\x00\x10\x00\x01", 4);  // 1 MiB + 1
  absl::StatusOr<std::optional<std::string>> taken =
      TakeFrame(&buffer, "the peer");
  EXPECT_TRUE(absl::IsInvalidArgument(taken.status())) << taken.status();
  EXPECT_NE(taken.status().message().find("the peer"), std::string::npos);
  buffer = "error unknown command\n";
  taken = TakeFrame(&buffer, "the peer");
  EXPECT_TRUE(absl::IsInvalidArgument(taken.status()));
  EXPECT_NE(taken.status().message().find("protocol 0"), std::string::npos)
      << taken.status();
}

TEST(FramingTest, ATruncatedFrameIsDataLoss) {
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  const std::string frame = EncodeFrame(NewRequest());
  std::string half = frame.substr(0, frame.size() - 1);
  ASSERT_EQ(write(pipe_fds[1], half.data(), half.size()),
            static_cast<ssize_t>(half.size()));
  close(pipe_fds[1]);
  absl::StatusOr<std::optional<std::string>> read =
      ReadFrame(pipe_fds[0], absl::Now() + absl::Seconds(5), "the peer");
  EXPECT_TRUE(absl::IsDataLoss(read.status())) << read.status();
  close(pipe_fds[0]);
}

TEST(FramingTest, AnUnreadablePayloadIsAnErrorNotACrash) {
  ::berth::shim::v1::Response response;
  EXPECT_TRUE(absl::IsInvalidArgument(
      ParsePayload(std::string("\xff\xff\xff", 3), &response, "the peer")));
  EXPECT_TRUE(
      absl::IsFailedPrecondition(ParseWaitReply("\xff\xff", "p").status()));
}

// A peer on a socket that reads the whole request and writes `reply`.
class FakeServer {
 public:
  FakeServer(const std::string& path, std::string reply)
      : reply_(std::move(reply)) {
    absl::StatusOr<int> listening = ListenUnix(path, 4);
    EXPECT_TRUE(listening.ok()) << listening.status();
    listener_ = listening.value_or(-1);
    thread_ = std::thread([this] {
      int fd = accept(listener_, nullptr, nullptr);
      if (fd < 0) return;
      char buffer[512];
      while (::read(fd, buffer, sizeof(buffer)) > 0) {
      }
      ssize_t ignored = ::write(fd, reply_.data(), reply_.size());
      (void)ignored;
      close(fd);
    });
  }
  ~FakeServer() {
    thread_.join();
    close(listener_);
  }

 private:
  std::string reply_;
  int listener_ = -1;
  std::thread thread_;
};

TEST_F(ProtocolTest, AShimOfAnotherVersionIsRefusedClearly) {
  ::berth::shim::v1::Response response;
  response.set_version(2);
  response.mutable_state()->set_running(true);
  const std::string path = dir_ + "/v2.sock";
  FakeServer server(path, EncodeFrame(response));
  absl::StatusOr<::berth::shim::v1::StateResponse> state =
      ShimState(path, absl::Seconds(5));
  EXPECT_TRUE(absl::IsFailedPrecondition(state.status())) << state.status();
  EXPECT_EQ(state.status().message(),
            "the shim speaks protocol 2, this containerd speaks 1");
}

TEST_F(ProtocolTest, AShimOfTheTextProtocolIsRefusedClearly) {
  const std::string path = dir_ + "/v0.sock";
  FakeServer server(path, "error unknown command\n");
  absl::Status signaled = SignalShim(path, 15, absl::Seconds(5));
  EXPECT_TRUE(absl::IsFailedPrecondition(signaled)) << signaled;
  EXPECT_NE(signaled.message().find("protocol 0"), std::string::npos)
      << signaled;
}

TEST_F(ProtocolTest, TheShimsErrorComesBackAsItsStatus) {
  ::berth::shim::v1::Response response;
  response.set_version(1);
  SetError(absl::FailedPreconditionError("container is not running"),
           response.mutable_error());
  const std::string path = dir_ + "/err.sock";
  FakeServer server(path, EncodeFrame(response));
  absl::Status signaled = SignalShim(path, 15, absl::Seconds(5));
  EXPECT_TRUE(absl::IsFailedPrecondition(signaled)) << signaled;
  EXPECT_EQ(signaled.message(), "container is not running");
}

// A wedged shim: its socket listens (the kernel queues connections) but
// nothing ever accepts or answers. Every command must give up at its
// deadline instead of waiting forever.
TEST_F(ProtocolTest, CommandToAWedgedShimEndsAtItsDeadline) {
  const std::string path = dir_ + "/wedged.sock";
  absl::StatusOr<int> listening = ListenUnix(path, 1);
  ASSERT_TRUE(listening.ok()) << listening.status();
  const int listener = *listening;
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

// A spec as containerd writes it: every required field present.
ShimSpec CompleteSpec() {
  ShimSpec spec;
  spec.set_id("abc");
  spec.set_state_dir("/state/abc");
  spec.set_socket_path("/run/abc.sock");
  spec.set_rootfs_dir("/state/abc/rootfs");
  spec.add_args("sh");
  spec.set_cgroup_parent("berth");
  spec.set_network_mode(::berth::shim::v1::NETWORK_MODE_NONE);
  spec.set_root_propagation(::berth::shim::v1::PROPAGATION_RPRIVATE);
  ::berth::shim::v1::Confinement* confinement = spec.mutable_confinement();
  confinement->set_privileged(false);
  confinement->mutable_capabilities()->add_items("CAP_CHOWN");
  confinement->set_no_new_privileges(false);
  confinement->set_seccomp(::berth::shim::v1::SECCOMP_MODE_COMPILED);
  confinement->mutable_masked_paths()->add_items("/proc/kcore");
  confinement->mutable_readonly_paths();  // present and empty
  return spec;
}

TEST(SpecTest, RoundTrips) {
  ShimSpec spec = CompleteSpec();
  spec.add_args("-c");
  spec.set_memory(32 << 20);
  spec.set_tty(true);
  ::berth::shim::v1::IdMap* map = spec.add_uid_map();
  map->set_host_id(100000);
  map->set_size(65536);
  absl::StatusOr<ShimSpec> parsed = ParseShimSpec(SerializeShimSpec(spec));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->args_size(), 2);
  EXPECT_EQ(parsed->memory(), 32 << 20);
  EXPECT_TRUE(parsed->tty());
  EXPECT_EQ(parsed->uid_map(0).host_id(), 100000u);
  EXPECT_FALSE(parsed->confinement().no_new_privileges());
  EXPECT_TRUE(parsed->confinement().has_readonly_paths());
  EXPECT_FALSE(ParseShimSpec("\xff\xff\xff").ok());
}

// Fail closed: a spec missing any confinement field (or another required
// one) is refused, never run with a default.
TEST(SpecTest, AMissingFieldIsRefusedNotDefaulted) {
  struct Case {
    const char* field;
    void (*clear)(ShimSpec*);
  };
  const Case cases[] = {
      {"confinement", [](ShimSpec* s) { s->clear_confinement(); }},
      {"confinement.privileged",
       [](ShimSpec* s) { s->mutable_confinement()->clear_privileged(); }},
      {"confinement.capabilities",
       [](ShimSpec* s) { s->mutable_confinement()->clear_capabilities(); }},
      {"confinement.no_new_privileges",
       [](ShimSpec* s) {
         s->mutable_confinement()->clear_no_new_privileges();
       }},
      {"confinement.seccomp",
       [](ShimSpec* s) { s->mutable_confinement()->clear_seccomp(); }},
      {"confinement.seccomp_profile_json",
       [](ShimSpec* s) {
         s->mutable_confinement()->set_seccomp(
             ::berth::shim::v1::SECCOMP_MODE_PROFILE);
       }},
      {"confinement.masked_paths",
       [](ShimSpec* s) { s->mutable_confinement()->clear_masked_paths(); }},
      {"confinement.readonly_paths",
       [](ShimSpec* s) { s->mutable_confinement()->clear_readonly_paths(); }},
      {"network_mode", [](ShimSpec* s) { s->clear_network_mode(); }},
      {"root_propagation", [](ShimSpec* s) { s->clear_root_propagation(); }},
      {"netns_path",
       [](ShimSpec* s) {
         s->set_network_mode(::berth::shim::v1::NETWORK_MODE_PATH);
       }},
      {"netns_path", [](ShimSpec* s) { s->set_netns_path("/run/netns/x"); }},
      {"args", [](ShimSpec* s) { s->clear_args(); }},
      {"cgroup_parent", [](ShimSpec* s) { s->clear_cgroup_parent(); }},
      {"socket_path", [](ShimSpec* s) { s->clear_socket_path(); }},
  };
  ASSERT_TRUE(ValidateShimSpec(CompleteSpec()).ok());
  for (const Case& c : cases) {
    ShimSpec spec = CompleteSpec();
    c.clear(&spec);
    // Through the bytes, as the shim reads it.
    absl::StatusOr<ShimSpec> parsed = ParseShimSpec(SerializeShimSpec(spec));
    EXPECT_TRUE(absl::IsInvalidArgument(parsed.status())) << c.field;
    EXPECT_NE(parsed.status().message().find(c.field), std::string::npos)
        << c.field << ": " << parsed.status();
  }
}

}  // namespace
}  // namespace berth::containerd::shim
