#include "services/containerd/attach/stream_bridge.h"

#include <sys/socket.h>
#include <unistd.h>

#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "services/containerd/attach/scripted_client.h"
#include "services/containerd/shim/framing.h"

namespace berth::containerd {
namespace {

using container::v1::AttachContainerRequest;
using container::v1::AttachContainerResponse;
using ::berth::shim::v1::StreamInput;
using ::berth::shim::v1::StreamOutput;

class StreamBridgeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    int pair[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair), 0);
    shim_ = pair[0];
    bridge_fd_ = pair[1];
  }
  void TearDown() override { close(shim_); }

  void ShimSends(const StreamOutput& message) {
    const std::string frame = shim::EncodeFrame(message);
    ASSERT_EQ(write(shim_, frame.data(), frame.size()),
              static_cast<ssize_t>(frame.size()));
  }
  std::optional<StreamInput> ShimReads() {
    absl::StatusOr<std::optional<std::string>> frame = shim::ReadFrame(
        shim_, absl::Now() + absl::Seconds(5), "the bridge", &carry_);
    if (!frame.ok() || !frame->has_value()) return std::nullopt;
    StreamInput input;
    if (!shim::ParsePayload(**frame, &input, "the bridge").ok()) return std::nullopt;
    return input;
  }

  int shim_ = -1;
  int bridge_fd_ = -1;
  std::string carry_;
  testing::ScriptedClient client_;
};

StreamOutput Output(int stream, const std::string& data) {
  StreamOutput message;
  message.mutable_output()->set_stream(stream);
  message.mutable_output()->set_data(data);
  return message;
}

TEST_F(StreamBridgeTest, OutputThenExitReachTheClient) {
  ShimSends(Output(1, "hello"));
  ShimSends(Output(2, "oops"));
  StreamOutput exit;
  exit.mutable_exit()->set_exit_code(4);
  ShimSends(exit);
  client_.EndInput();
  EXPECT_EQ(BridgeStreams(bridge_fd_, "", "\x10\x11", client_.Stream()),
            BridgeEnd::kExited);
  std::vector<AttachContainerResponse> got = client_.received();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].output().stream(), container::v1::STD_STREAM_STDOUT);
  EXPECT_EQ(got[0].output().data(), "hello");
  EXPECT_EQ(got[1].output().stream(), container::v1::STD_STREAM_STDERR);
  EXPECT_EQ(got[2].exit().exit_code(), 4);
}

TEST_F(StreamBridgeTest, BytesAlreadyReadPastTheAnswerAreNotLost) {
  const std::string carried = shim::EncodeFrame(Output(1, "early"));
  StreamOutput exit;
  exit.mutable_exit()->set_exit_code(0);
  ShimSends(exit);
  client_.EndInput();
  BridgeStreams(bridge_fd_, carried, "", client_.Stream());
  std::vector<AttachContainerResponse> got = client_.received();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].output().data(), "early");
}

TEST_F(StreamBridgeTest, InputResizeAndCloseStdinReachTheShim) {
  AttachContainerRequest input;
  input.set_input("ls\n");
  client_.Push(input);
  AttachContainerRequest resize;
  resize.mutable_resize()->set_height(40);
  resize.mutable_resize()->set_width(100);
  client_.Push(resize);
  AttachContainerRequest close_stdin;
  close_stdin.mutable_close_stdin();
  client_.Push(close_stdin);
  client_.EndInput();
  std::thread bridge([&] {
    BridgeStreams(bridge_fd_, "", "\x10\x11", client_.Stream());
  });
  std::optional<StreamInput> got = ShimReads();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->data(), "ls\n");
  got = ShimReads();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->resize().height(), 40u);
  EXPECT_EQ(got->resize().width(), 100u);
  got = ShimReads();
  ASSERT_TRUE(got.has_value());
  EXPECT_TRUE(got->close_stdin());
  StreamOutput exit;
  exit.mutable_exit()->set_exit_code(0);
  ShimSends(exit);
  bridge.join();
}

TEST_F(StreamBridgeTest, DetachKeysEndTheBridgeAndNeverReachTheShim) {
  AttachContainerRequest input;
  input.set_input("x\x10\x11y");
  client_.Push(input);
  EXPECT_EQ(BridgeStreams(bridge_fd_, "", "\x10\x11", client_.Stream()),
            BridgeEnd::kDetached);
  std::vector<AttachContainerResponse> got = client_.received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(got[0].has_detached());
  std::optional<StreamInput> sent = ShimReads();
  ASSERT_TRUE(sent.has_value());
  EXPECT_EQ(sent->data(), "x");
  EXPECT_FALSE(ShimReads().has_value());  // closed, nothing else
}

TEST_F(StreamBridgeTest, AShimThatGoesAwayEndsTheBridge) {
  shutdown(shim_, SHUT_RDWR);
  EXPECT_EQ(BridgeStreams(bridge_fd_, "", "", client_.Stream()),
            BridgeEnd::kShimGone);
}

TEST_F(StreamBridgeTest, AClientThatGoesAwayEndsTheBridge) {
  client_.Cancel();
  EXPECT_EQ(BridgeStreams(bridge_fd_, "", "", client_.Stream()),
            BridgeEnd::kClientGone);
}

}  // namespace
}  // namespace berth::containerd
