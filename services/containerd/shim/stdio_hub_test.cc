#include "services/containerd/shim/stdio_hub.h"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "services/containerd/shim/framing.h"

namespace berth::containerd::shim {
namespace {

using ::berth::shim::v1::AttachRequest;
using ::berth::shim::v1::Response;
using ::berth::shim::v1::StreamInput;
using ::berth::shim::v1::StreamOutput;
using ::berth::shim::v1::WaitResponse;

class StdioHubTest : public ::testing::Test {
 protected:
  void SetUp() override {
    epoll_ = epoll_create1(EPOLL_CLOEXEC);
    ASSERT_GE(epoll_, 0);
    ASSERT_EQ(pipe2(stdin_, O_CLOEXEC | O_NONBLOCK), 0);
  }
  void TearDown() override {
    hub_.reset();
    for (int fd : peers_) close(fd);
    close(stdin_[0]);
    close(epoll_);
  }

  void MakeHub(StdioHubOptions options) {
    options.stdin_fd = stdin_[1];
    hub_ = std::make_unique<StdioHub>(epoll_, options);
  }

  // A client attached with `wants`; returns containerd's end.
  int Attach(bool in, bool out, bool err) {
    int pair[2];
    EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair), 0);
    fcntl(pair[1], F_SETFL, O_NONBLOCK);
    AttachRequest wants;
    wants.set_stdin(in);
    wants.set_stdout(out);
    wants.set_stderr(err);
    EXPECT_TRUE(hub_->Add(pair[1], wants).ok());
    peers_.push_back(pair[0]);
    Response answer;
    EXPECT_TRUE(ReadMessage(pair[0], &answer));
    EXPECT_TRUE(answer.has_attach());
    return pair[0];
  }

  // Hands the hub every ready event until there is none.
  void Pump() {
    epoll_event events[8];
    int n;
    while ((n = epoll_wait(epoll_, events, 8, 20)) > 0) {
      for (int i = 0; i < n; ++i) hub_->OnEvent(events[i].data.fd, events[i].events);
    }
  }

  template <typename Message>
  bool ReadMessage(int fd, Message* message) {
    absl::StatusOr<std::optional<std::string>> frame =
        ReadFrame(fd, absl::Now() + absl::Seconds(5), "the hub", &carry_[fd]);
    if (!frame.ok() || !frame->has_value()) return false;
    return ParsePayload(**frame, message, "the hub").ok();
  }

  void Send(int fd, const StreamInput& input) {
    const std::string frame = EncodeFrame(input);
    ASSERT_EQ(write(fd, frame.data(), frame.size()),
              static_cast<ssize_t>(frame.size()));
  }

  std::string ReadStdin() {
    std::string got;
    char buffer[4096];
    ssize_t n;
    while ((n = read(stdin_[0], buffer, sizeof(buffer))) > 0) got.append(buffer, n);
    return got;
  }

  int epoll_ = -1;
  int stdin_[2] = {-1, -1};
  std::vector<int> peers_;
  std::map<int, std::string> carry_;  // bytes read past a frame, per fd
  std::unique_ptr<StdioHub> hub_;
};

TEST_F(StdioHubTest, OutputGoesToTheClientsThatWantItsStream) {
  MakeHub({});
  const int both = Attach(false, true, true);
  const int only_err = Attach(false, false, true);
  hub_->Broadcast(1, "out");
  hub_->Broadcast(2, "err");
  StreamOutput message;
  ASSERT_TRUE(ReadMessage(both, &message));
  EXPECT_EQ(message.output().stream(), 1);
  EXPECT_EQ(message.output().data(), "out");
  ASSERT_TRUE(ReadMessage(both, &message));
  EXPECT_EQ(message.output().data(), "err");
  ASSERT_TRUE(ReadMessage(only_err, &message));
  EXPECT_EQ(message.output().stream(), 2);
  EXPECT_EQ(message.output().data(), "err");
}

TEST_F(StdioHubTest, InputReachesStdinAndCloseStdinClosesItWithStdinOnce) {
  StdioHubOptions options;
  options.stdin_once = true;
  MakeHub(options);
  const int client = Attach(true, true, true);
  StreamInput input;
  input.set_data("hello\n");
  Send(client, input);
  Pump();
  EXPECT_EQ(ReadStdin(), "hello\n");
  StreamInput close_stdin;
  close_stdin.set_close_stdin(true);
  Send(client, close_stdin);
  Pump();
  EXPECT_FALSE(hub_->stdin_open());
  char byte;
  EXPECT_EQ(read(stdin_[0], &byte, 1), 0);  // EOF for the init
  stdin_[1] = -1;  // the hub closed it
}

TEST_F(StdioHubTest, CloseStdinKeepsItOpenWithoutStdinOnce) {
  MakeHub({});
  const int client = Attach(true, true, true);
  StreamInput close_stdin;
  close_stdin.set_close_stdin(true);
  Send(client, close_stdin);
  Pump();
  EXPECT_TRUE(hub_->stdin_open());
}

TEST_F(StdioHubTest, StdinWithoutOpenStdinIsRefused) {
  StdioHubOptions options;
  hub_ = std::make_unique<StdioHub>(epoll_, options);  // stdin_fd -1
  int pair[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair), 0);
  AttachRequest wants;
  wants.set_stdin(true);
  absl::Status added = hub_->Add(pair[1], wants);
  EXPECT_EQ(added.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(hub_->clients(), 0u);
  close(pair[0]);
  close(pair[1]);
  close(stdin_[1]);
}

TEST_F(StdioHubTest, ASlowClientLosesOutputButNeverHoldsMoreThanItsBuffer) {
  StdioHubOptions options;
  options.client_buffer_bytes = 256 << 10;
  MakeHub(options);
  const int slow = Attach(false, true, true);
  const std::string chunk(64 << 10, 'x');
  for (int i = 0; i < 64; ++i) hub_->Broadcast(1, chunk);  // 4 MiB, unread
  EXPECT_GT(hub_->dropped_bytes(), 0u);
  // What reaches the client is at most its buffer plus the socket's.
  int socket_buffer = 0;
  socklen_t length = sizeof(socket_buffer);
  getsockopt(slow, SOL_SOCKET, SO_RCVBUF, &socket_buffer, &length);
  size_t received = 0;
  fcntl(slow, F_SETFL, O_NONBLOCK);
  char buffer[65536];
  while (true) {
    Pump();
    ssize_t n = read(slow, buffer, sizeof(buffer));
    if (n <= 0) break;
    received += static_cast<size_t>(n);
  }
  EXPECT_LE(received, options.client_buffer_bytes + 2 * socket_buffer +
                          (64 << 10) + 1024);
  EXPECT_GT(received, 0u);
}

TEST_F(StdioHubTest, InputIsNotReadWhileStdinIsFull) {
  StdioHubOptions options;
  options.stdin_buffer_bytes = 128 << 10;
  MakeHub(options);
  const int client = Attach(true, true, true);
  fcntl(client, F_SETFL, O_NONBLOCK);
  StreamInput input;
  input.set_data(std::string(60 << 10, 'y'));
  const std::string frame = EncodeFrame(input);
  // Nobody reads the stdin pipe: the hub takes its 64 KiB, then holds at
  // most its buffer plus a frame, and the rest stays with the client.
  size_t offered = 0;
  for (int i = 0; i < 200; ++i) {
    ssize_t n = write(client, frame.data(), frame.size());
    if (n > 0) offered += static_cast<size_t>(n);
    Pump();
  }
  EXPECT_GT(offered, 0u);
  EXPECT_LE(hub_->stdin_pending_bytes(), options.stdin_buffer_bytes + (64 << 10));
  EXPECT_GE(hub_->stdin_pending_bytes(), options.stdin_buffer_bytes);
  // Once the init reads, the input flows again.
  std::string got = ReadStdin();
  Pump();
  got += ReadStdin();
  EXPECT_GT(got.size(), 64u << 10);
}

TEST_F(StdioHubTest, FinishSendsPendingOutputThenTheExit) {
  MakeHub({});
  const int client = Attach(false, true, true);
  hub_->Broadcast(1, "last words");
  WaitResponse exit;
  exit.set_exit_code(4);
  hub_->Finish(exit, absl::Now() + absl::Seconds(1));
  EXPECT_EQ(hub_->clients(), 0u);
  StreamOutput message;
  ASSERT_TRUE(ReadMessage(client, &message));
  EXPECT_EQ(message.output().data(), "last words");
  ASSERT_TRUE(ReadMessage(client, &message));
  ASSERT_TRUE(message.has_exit());
  EXPECT_EQ(message.exit().exit_code(), 4);
  char byte;
  EXPECT_EQ(read(client, &byte, 1), 0);  // closed
}

TEST_F(StdioHubTest, CloseLetsEachClientGoOnceItTookTheExit) {
  MakeHub({});
  const int client = Attach(false, true, true);
  // More than the socket holds: the client is let go only once it read it.
  const std::string big(512 * 1024, 'x');
  hub_->Broadcast(1, big);
  WaitResponse exit;
  exit.set_exit_code(6);
  hub_->Close(exit);
  EXPECT_EQ(hub_->clients(), 1u);
  EXPECT_FALSE(hub_->stdin_open());
  // The shim's loop, meanwhile (the hub is touched by this thread only).
  std::thread loop([this] {
    const absl::Time deadline = absl::Now() + absl::Seconds(5);
    while (hub_->clients() > 0 && absl::Now() < deadline) Pump();
  });
  StreamOutput message;
  std::string got;
  while (ReadMessage(client, &message) && message.has_output()) {
    got += message.output().data();
  }
  loop.join();
  EXPECT_EQ(got.size(), big.size());
  ASSERT_TRUE(message.has_exit());
  EXPECT_EQ(message.exit().exit_code(), 6);
  EXPECT_EQ(hub_->clients(), 0u);
}

TEST_F(StdioHubTest, AnExecsAnswerReplacesTheAttachOne) {
  MakeHub({});
  int pair[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair), 0);
  peers_.push_back(pair[0]);
  Response answer;
  answer.mutable_exec()->set_pid(42);
  AttachRequest wants;
  wants.set_stdout(true);
  ASSERT_TRUE(hub_->Add(pair[1], wants, &answer).ok());
  Response got;
  ASSERT_TRUE(ReadMessage(pair[0], &got));
  EXPECT_EQ(got.exec().pid(), 42);
  EXPECT_EQ(got.version(), kProtocolVersion);
}

TEST_F(StdioHubTest, AClientThatGoesAwayIsForgotten) {
  MakeHub({});
  const int client = Attach(false, true, true);
  shutdown(client, SHUT_RDWR);
  Pump();
  EXPECT_EQ(hub_->clients(), 0u);
  hub_->Broadcast(1, "nobody");  // no crash, no SIGPIPE
}

}  // namespace
}  // namespace berth::containerd::shim
