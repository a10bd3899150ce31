#include "common/descriptor_inbox.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "common/unix_socket.h"

namespace berth {
namespace {

constexpr size_t kTokenBytes = 16;
// A connection that sends nothing in this time is dropped.
constexpr int kReceiveTimeoutMs = 2000;

std::string NewToken() {
  std::random_device random;
  std::string bytes(kTokenBytes, '\0');
  for (char& c : bytes) c = static_cast<char>(random());
  return absl::BytesToHexString(bytes);
}

int RemainingMs(absl::Time deadline) {
  const absl::Duration left = deadline - absl::Now();
  return left <= absl::ZeroDuration()
             ? 0
             : static_cast<int>(absl::ToInt64Milliseconds(left)) + 1;
}

// Waits for `events` on `fd` until `deadline`; false on timeout or error.
bool WaitFor(int fd, short events, absl::Time deadline) {
  for (;;) {
    pollfd p{fd, events, 0};
    const int n = poll(&p, 1, RemainingMs(deadline));
    if (n < 0 && errno == EINTR) continue;
    return n == 1;
  }
}

}  // namespace

std::string InboxSocketOf(const std::string& service_socket) {
  absl::string_view base = service_socket;
  if (absl::EndsWith(base, ".sock")) base.remove_suffix(5);
  return absl::StrCat(base, ".files.sock");
}

absl::StatusOr<std::unique_ptr<DescriptorInbox>> DescriptorInbox::Open(
    const std::string& socket_path) {
  RETURN_IF_ERROR(ClaimSocketPath(socket_path));
  ASSIGN_OR_RETURN(const int listener,
                   ListenUnix(socket_path, 16, SOCK_NONBLOCK, 0660));
  auto inbox = std::unique_ptr<DescriptorInbox>(
      new DescriptorInbox(socket_path, listener));
  if (pipe2(inbox->wake_, O_CLOEXEC) != 0) {
    return ErrnoStatus(errno, "pipe for", socket_path);
  }
  inbox->thread_ = std::thread([raw = inbox.get()] { raw->Serve(); });
  return inbox;
}

DescriptorInbox::DescriptorInbox(std::string socket_path, int listener)
    : socket_path_(std::move(socket_path)), listener_(listener) {}

DescriptorInbox::~DescriptorInbox() {
  if (thread_.joinable()) {
    const char stop = 1;
    (void)!write(wake_[1], &stop, 1);
    thread_.join();
  }
  for (int fd : wake_) {
    if (fd >= 0) close(fd);
  }
  close(listener_);
  unlink(socket_path_.c_str());
  absl::MutexLock lock(&mu_);
  for (auto& [token, pending] : pending_) close(pending.fd);
}

void DescriptorInbox::Serve() {
  for (;;) {
    pollfd fds[2] = {{listener_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;  // nothing sensible to do but stop taking descriptors
    }
    if (fds[1].revents != 0) return;
    const int connection = accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (connection < 0) continue;  // EAGAIN, or a client that went away
    Receive(connection);
    close(connection);
  }
}

void DescriptorInbox::Receive(int connection) {
  const absl::Time deadline =
      absl::Now() + absl::Milliseconds(kReceiveTimeoutMs);
  absl::StatusOr<int> received = ReceiveDescriptor(connection, deadline);
  if (!received.ok()) return;
  const int fd = *received;
  std::string answer;
  {
    absl::MutexLock lock(&mu_);
    DropExpiredLocked();
    if (static_cast<int>(pending_.size()) >= kMaxPending) {
      close(fd);
      answer = "E too many descriptors waiting; try again";
    } else {
      const std::string token = NewToken();
      pending_[token] = Pending{fd, absl::Now() + kExpiry};
      answer = "T" + token;
    }
  }
  if (WaitFor(connection, POLLOUT, deadline)) {
    (void)!send(connection, answer.data(), answer.size(), MSG_NOSIGNAL);
  }
}

void DescriptorInbox::DropExpiredLocked() {
  const absl::Time now = absl::Now();
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (it->second.expires <= now) {
      close(it->second.fd);
      it = pending_.erase(it);
    } else {
      ++it;
    }
  }
}

absl::StatusOr<int> DescriptorInbox::Take(const std::string& token) {
  absl::MutexLock lock(&mu_);
  DropExpiredLocked();
  auto it = pending_.find(token);
  if (it == pending_.end()) {
    return absl::NotFoundError(absl::StrCat(
        "no file was handed in under token \"", token,
        "\" (unknown, used, or older than ", absl::FormatDuration(kExpiry),
        ")"));
  }
  const int fd = it->second.fd;
  pending_.erase(it);
  return fd;
}

absl::StatusOr<std::string> HandOffDescriptor(const std::string& socket_path,
                                              int fd, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  ASSIGN_OR_RETURN(const sockaddr_un address, UnixSocketAddress(socket_path));
  const int connection =
      socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (connection < 0) return ErrnoStatus(errno, "socket", socket_path);
  auto fail = [&](absl::Status status) {
    close(connection);
    return status;
  };
  if (connect(connection, reinterpret_cast<const sockaddr*>(&address),
              sizeof(address)) != 0) {
    const int err = errno;
    if (err == ENOENT || err == ECONNREFUSED) {
      return fail(absl::UnavailableError(
          absl::StrCat("no descriptor inbox listens on ", socket_path)));
    }
    if (err != EINPROGRESS && err != EAGAIN) {
      return fail(ErrnoStatus(err, "connect", socket_path));
    }
    if (!WaitFor(connection, POLLOUT, deadline)) {
      return fail(absl::DeadlineExceededError(
          absl::StrCat(socket_path, " did not accept in time")));
    }
  }
  absl::Status sent = SendDescriptor(connection, fd, deadline);
  if (!sent.ok()) {
    return fail(absl::Status(sent.code(), absl::StrCat("send a descriptor to ",
                                                       socket_path, ": ",
                                                       sent.message())));
  }
  std::string answer;
  char buffer[128];
  for (;;) {
    if (!WaitFor(connection, POLLIN, deadline)) {
      return fail(absl::DeadlineExceededError(
          absl::StrCat(socket_path, " did not answer in time")));
    }
    const ssize_t n = recv(connection, buffer, sizeof(buffer), 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0) return fail(ErrnoStatus(errno, "read from", socket_path));
    if (n == 0) break;
    answer.append(buffer, static_cast<size_t>(n));
    if (answer.size() > 256) break;
  }
  close(connection);
  if (absl::StartsWith(answer, "T") && answer.size() == 1 + 2 * kTokenBytes) {
    return answer.substr(1);
  }
  if (absl::StartsWith(answer, "E ")) {
    return absl::ResourceExhaustedError(
        absl::StrCat(socket_path, ": ", answer.substr(2)));
  }
  return absl::UnavailableError(
      absl::StrCat(socket_path, " gave no token for the descriptor"));
}

}  // namespace berth
