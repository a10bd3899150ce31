#include "services/containerd/shim/stdio_hub.h"

#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/containerd/shim/framing.h"

namespace berth::containerd::shim {

using ::berth::shim::v1::AttachRequest;
using ::berth::shim::v1::Response;
using ::berth::shim::v1::StreamInput;
using ::berth::shim::v1::StreamOutput;
using ::berth::shim::v1::WaitResponse;

StdioHub::StdioHub(int epoll_fd, StdioHubOptions options)
    : epoll_fd_(epoll_fd), options_(options), stdin_fd_(options.stdin_fd) {}

StdioHub::~StdioHub() {
  for (auto& [fd, client] : clients_) close(fd);
  if (stdin_fd_ >= 0) close(stdin_fd_);
}

void StdioHub::Interest(int fd, bool in, bool out, bool add) {
  epoll_event event = {};
  event.events = (in ? uint32_t{EPOLLIN} : 0u) | (out ? uint32_t{EPOLLOUT} : 0u);
  event.data.fd = fd;
  epoll_ctl(epoll_fd_, add ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &event);
}

bool StdioHub::Owns(int fd) const {
  return (fd >= 0 && fd == stdin_fd_) || clients_.count(fd) != 0;
}

absl::Status StdioHub::Add(int fd, const AttachRequest& wants,
                           const Response* answer) {
  if (wants.stdin() && stdin_fd_ < 0) {
    return absl::FailedPreconditionError(
        "the container's stdin is not open (it was created without -i) or "
        "was closed");
  }
  if (clients_.size() >= options_.max_clients) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "the container has ", clients_.size(),
        " attached clients already, the most it takes"));
  }
  Client& client = clients_[fd];
  client.wants = wants;
  Interest(fd, /*in=*/true, /*out=*/false, /*add=*/true);
  Response reply;
  if (answer != nullptr) {
    reply = *answer;
  } else {
    reply.mutable_attach();
  }
  reply.set_version(kProtocolVersion);
  Queue(fd, client, EncodeFrame(reply), /*always=*/true);
  return absl::OkStatus();
}

void StdioHub::Queue(int fd, Client& client, const std::string& frame,
                     bool always) {
  if (!always &&
      client.out.size() - client.out_sent + frame.size() >
          options_.client_buffer_bytes) {
    dropped_bytes_ += frame.size();
    return;
  }
  if (client.out_sent > 0 && client.out_sent == client.out.size()) {
    client.out.clear();
    client.out_sent = 0;
  }
  client.out.append(frame);
  Flush(fd, client);
}

bool StdioHub::Flush(int fd, Client& client) {
  while (client.out_sent < client.out.size()) {
    ssize_t n = send(fd, client.out.data() + client.out_sent,
                     client.out.size() - client.out_sent,
                     MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      client.out_sent += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!client.writing) {
        client.writing = true;
        Interest(fd, client.reading, true, false);
      }
      return true;
    }
    Remove(fd);  // EPIPE, ECONNRESET: the client is gone
    return false;
  }
  if (client.closing) {
    Remove(fd);
    return false;
  }
  // Everything written: release the memory a burst took.
  client.out.clear();
  client.out.shrink_to_fit();
  client.out_sent = 0;
  if (client.writing) {
    client.writing = false;
    Interest(fd, client.reading, false, false);
  }
  return true;
}

void StdioHub::Broadcast(int stream, absl::string_view data) {
  StreamOutput message;
  message.mutable_output()->set_stream(stream);
  message.mutable_output()->set_data(data.data(), data.size());
  const std::string frame = EncodeFrame(message);
  std::vector<int> fds;
  for (const auto& [fd, client] : clients_) fds.push_back(fd);
  for (int fd : fds) {
    auto it = clients_.find(fd);
    if (it == clients_.end()) continue;
    const bool wanted =
        stream == 2 ? it->second.wants.stderr() : it->second.wants.stdout();
    if (wanted) Queue(fd, it->second, frame, /*always=*/false);
  }
}

void StdioHub::OnEvent(int fd, uint32_t events) {
  if (fd == stdin_fd_) {
    if ((events & (EPOLLERR | EPOLLHUP)) != 0 && !options_.tty) {
      CloseStdin();  // the init closed its end: nobody reads any more
      return;
    }
    WriteStdin();
    return;
  }
  auto it = clients_.find(fd);
  if (it == clients_.end()) return;
  if ((events & EPOLLOUT) != 0 && !Flush(fd, it->second)) return;
  if ((events & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0) ReadInput(fd, it->second);
}

void StdioHub::ReadInput(int fd, Client& client) {
  char buffer[64 * 1024];
  ssize_t n = read(fd, buffer, sizeof(buffer));
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
  if (n <= 0) {
    Remove(fd);
    return;
  }
  client.in.append(buffer, static_cast<size_t>(n));
  while (true) {
    absl::StatusOr<std::optional<std::string>> frame =
        TakeFrame(&client.in, "containerd");
    if (!frame.ok() || (frame->has_value() && !Apply(**frame))) {
      std::fprintf(stderr, "berth-shim: dropping an attached client: %s\n",
                   frame.ok() ? "malformed input"
                              : std::string(frame.status().message()).c_str());
      Remove(fd);
      return;
    }
    if (!frame->has_value()) break;
  }
  Throttle();
}

bool StdioHub::Apply(const std::string& payload) {
  StreamInput input;
  if (!ParsePayload(payload, &input, "containerd").ok()) return false;
  switch (input.kind_case()) {
    case StreamInput::kData:
      if (stdin_fd_ < 0 || close_stdin_when_flushed_) return true;  // closed
      stdin_pending_.append(input.data());
      WriteStdin();
      return true;
    case StreamInput::kResize: {
      if (!options_.tty || stdin_fd_ < 0) return true;
      winsize size = {};
      size.ws_row = static_cast<unsigned short>(input.resize().height());
      size.ws_col = static_cast<unsigned short>(input.resize().width());
      ioctl(stdin_fd_, TIOCSWINSZ, &size);  // the init gets SIGWINCH
      return true;
    }
    case StreamInput::kCloseStdin:
      if (options_.stdin_once && !options_.tty && stdin_fd_ >= 0) {
        close_stdin_when_flushed_ = true;
        if (stdin_pending_.empty()) CloseStdin();
      }
      return true;
    default:
      return false;
  }
}

void StdioHub::WriteStdin() {
  while (stdin_fd_ >= 0 && !stdin_pending_.empty()) {
    ssize_t n = write(stdin_fd_, stdin_pending_.data(), stdin_pending_.size());
    if (n > 0) {
      stdin_pending_.erase(0, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) {
      if (!stdin_writing_) {
        stdin_writing_ = true;
        Interest(stdin_fd_, false, true, true);
      }
      return;
    }
    CloseStdin();  // EPIPE: the init closed its stdin
    return;
  }
  if (stdin_writing_ && stdin_fd_ >= 0) {
    stdin_writing_ = false;
    epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, stdin_fd_, nullptr);
  }
  if (close_stdin_when_flushed_) CloseStdin();
  Throttle();
}

void StdioHub::CloseStdin() {
  if (stdin_fd_ < 0) return;
  if (stdin_writing_) epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, stdin_fd_, nullptr);
  close(stdin_fd_);
  stdin_fd_ = -1;
  stdin_writing_ = false;
  stdin_pending_.clear();
  Throttle();
}

void StdioHub::Throttle() {
  const bool full = stdin_pending_.size() >= options_.stdin_buffer_bytes;
  for (auto& [fd, client] : clients_) {
    if (client.reading == !full) continue;
    client.reading = !full;
    Interest(fd, client.reading, client.writing, false);
  }
}

void StdioHub::Remove(int fd) {
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  close(fd);
  clients_.erase(fd);
}

void StdioHub::Close(const WaitResponse& exit) {
  StreamOutput message;
  *message.mutable_exit() = exit;
  const std::string frame = EncodeFrame(message);
  std::vector<int> fds;
  for (auto& [fd, client] : clients_) fds.push_back(fd);
  for (int fd : fds) {
    auto it = clients_.find(fd);
    if (it == clients_.end()) continue;
    it->second.closing = true;
    Queue(fd, it->second, frame, /*always=*/true);
  }
  CloseStdin();
}

void StdioHub::Finish(const WaitResponse& exit, absl::Time deadline) {
  Close(exit);  // each client goes once it took the exit
  // The shim exits next: give slow clients until the deadline to take the
  // rest, then let them go.
  while (!clients_.empty()) {
    std::vector<pollfd> polls;
    for (auto& [fd, client] : clients_) {
      if (client.out_sent < client.out.size()) polls.push_back({fd, POLLOUT, 0});
    }
    if (polls.empty()) break;
    const int64_t left = absl::ToInt64Milliseconds(deadline - absl::Now());
    if (left <= 0) break;
    int n = poll(polls.data(), polls.size(), static_cast<int>(left));
    if (n < 0 && errno != EINTR) break;
    for (const pollfd& ready : polls) {
      if (ready.revents == 0) continue;
      auto it = clients_.find(ready.fd);
      if (it == clients_.end()) continue;
      if (Flush(ready.fd, it->second) &&
          it->second.out_sent == it->second.out.size()) {
        Remove(ready.fd);
      }
    }
  }
  std::vector<int> left_behind;
  for (auto& [fd, client] : clients_) left_behind.push_back(fd);
  for (int fd : left_behind) Remove(fd);
}

}  // namespace berth::containerd::shim
