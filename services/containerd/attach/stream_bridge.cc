#include "services/containerd/attach/stream_bridge.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <optional>
#include <thread>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "services/containerd/attach/detach_keys.h"
#include "services/containerd/shim/framing.h"

namespace berth::containerd {
namespace {

using container::v1::AttachContainerRequest;
using container::v1::AttachContainerResponse;
using ::berth::shim::v1::StreamInput;
using ::berth::shim::v1::StreamOutput;

// Input larger than this is sent to the shim in several frames.
constexpr size_t kInputChunk = 64 << 10;
// How often the output side looks whether the client is still there.
constexpr absl::Duration kCancelPoll = absl::Milliseconds(200);
// How long the client has to close its input once the stream has ended.
constexpr absl::Duration kInputLinger = absl::Seconds(1);

// Writes all of `bytes` to the shim, waiting while it does not read (its
// stdin is full), until `stop` is set.
bool SendToShim(int fd, const std::string& bytes, const std::atomic<bool>& stop) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    if (stop.load()) return false;
    ssize_t n = send(fd, bytes.data() + sent, bytes.size() - sent,
                     MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      sent += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd wait = {fd, POLLOUT, 0};
      poll(&wait, 1, static_cast<int>(absl::ToInt64Milliseconds(kCancelPoll)));
      continue;
    }
    return false;
  }
  return true;
}

bool SendInput(int fd, const StreamInput& input, const std::atomic<bool>& stop) {
  return SendToShim(fd, shim::EncodeFrame(input), stop);
}

// The client's side: runs until its input ends, the detach keys, or stop.
void PumpInput(int fd, const std::string& detach_keys,
               const ClientStream& client, const std::atomic<bool>& stop,
               std::atomic<bool>& detached) {
  DetachScanner scanner(detach_keys);
  AttachContainerRequest request;
  while (!stop.load() && client.read(&request)) {
    StreamInput input;
    switch (request.kind_case()) {
      case AttachContainerRequest::kInput: {
        bool found = false;
        const std::string data = scanner.Feed(request.input(), &found);
        for (size_t at = 0; at < data.size(); at += kInputChunk) {
          input.set_data(data.substr(at, kInputChunk));
          if (!SendInput(fd, input, stop)) return;
        }
        if (found) {
          detached.store(true);
          // Ends the output side's read at once.
          shutdown(fd, SHUT_RDWR);
          return;
        }
        break;
      }
      case AttachContainerRequest::kResize:
        input.mutable_resize()->set_height(request.resize().height());
        input.mutable_resize()->set_width(request.resize().width());
        if (!SendInput(fd, input, stop)) return;
        break;
      case AttachContainerRequest::kCloseStdin:
        input.set_close_stdin(true);
        if (!SendInput(fd, input, stop)) return;
        break;
      default:
        break;  // a second start: nothing to do with it
    }
  }
}

container::v1::StdStream StreamOf(int32_t stream) {
  return stream == 2 ? container::v1::STD_STREAM_STDERR
                     : container::v1::STD_STREAM_STDOUT;
}

}  // namespace

BridgeEnd BridgeStreams(int fd, std::string carry,
                        const std::string& detach_keys,
                        const ClientStream& client) {
  std::atomic<bool> stop{false};
  std::atomic<bool> detached{false};
  absl::Notification input_done;
  std::thread input([&] {
    PumpInput(fd, detach_keys, client, stop, detached);
    input_done.Notify();
  });
  BridgeEnd end = BridgeEnd::kShimGone;
  while (true) {
    if (client.cancelled()) {
      end = BridgeEnd::kClientGone;
      break;
    }
    absl::StatusOr<std::optional<std::string>> frame = shim::ReadFrame(
        fd, absl::Now() + kCancelPoll, "the shim's stream", &carry);
    if (absl::IsDeadlineExceeded(frame.status())) continue;
    if (!frame.ok() || !frame->has_value()) {
      // Closed: by the detach (our shutdown) or by the shim.
      if (detached.load()) {
        AttachContainerResponse response;
        response.mutable_detached();
        client.write(response);
        end = BridgeEnd::kDetached;
      }
      break;
    }
    StreamOutput message;
    if (!shim::ParsePayload(**frame, &message, "the shim's stream").ok()) break;
    AttachContainerResponse response;
    if (message.has_exit()) {
      container::v1::ProcessExit* exit = response.mutable_exit();
      exit->set_exit_code(message.exit().exit_code());
      exit->set_oom_killed(message.exit().oom_killed());
      client.write(response);
      end = BridgeEnd::kExited;
      break;
    }
    if (!message.has_output()) continue;
    response.mutable_output()->set_stream(StreamOf(message.output().stream()));
    response.mutable_output()->set_data(message.output().data());
    if (!client.write(response)) {
      end = BridgeEnd::kClientGone;
      break;
    }
  }
  stop.store(true);
  shutdown(fd, SHUT_RDWR);
  // A well-behaved client closes its input once it has the end; one that
  // does not is cut off.
  if (!input_done.WaitForNotificationWithTimeout(kInputLinger)) {
    client.abort_read();
  }
  input.join();
  close(fd);
  return end;
}

}  // namespace berth::containerd
