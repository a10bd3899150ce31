#include "common/unix_socket.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/root_lock.h"
#include "common/status_macros.h"

namespace berth {

absl::StatusOr<sockaddr_un> UnixSocketAddress(const std::string& path) {
  sockaddr_un address = {};
  address.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(address.sun_path)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "socket path \"", path, "\" is ", path.size(),
        " bytes; unix sockets take 1 to ", sizeof(address.sun_path) - 1));
  }
  memcpy(address.sun_path, path.c_str(), path.size() + 1);
  return address;
}

absl::StatusOr<int> ListenUnix(const std::string& path, int backlog,
                               int extra_flags, int mode) {
  ASSIGN_OR_RETURN(const sockaddr_un address, UnixSocketAddress(path));
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | extra_flags, 0);
  if (fd < 0) return ErrnoStatus(errno, "socket", path);
  if (bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) !=
      0) {
    const int err = errno;
    close(fd);
    return ErrnoStatus(err, "bind", path);
  }
  if (mode >= 0 && chmod(path.c_str(), static_cast<mode_t>(mode)) != 0) {
    const int err = errno;
    close(fd);
    unlink(path.c_str());
    return ErrnoStatus(err, "chmod", path);
  }
  if (listen(fd, backlog) != 0) {
    const int err = errno;
    close(fd);
    unlink(path.c_str());
    return ErrnoStatus(err, "listen", path);
  }
  return fd;
}

namespace {

// True if a process accepts connections on the unix socket `path`.
bool SocketIsLive(const std::string& path) {
  absl::StatusOr<sockaddr_un> addr = UnixSocketAddress(path);
  if (!addr.ok()) return false;
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  bool live = connect(fd, reinterpret_cast<const sockaddr*>(&*addr),
                      sizeof(*addr)) == 0;
  close(fd);
  return live;
}

}  // namespace

absl::Status ClaimSocketPath(const std::string& path) {
  const absl::Status fits = UnixSocketAddress(path).status();
  if (!fits.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(fits.message(), " (choose a shorter --run-root)"));
  }
  const size_t slash = path.rfind('/');
  if (slash != std::string::npos && slash > 0) {
    RETURN_IF_ERROR(MakeDirs(path.substr(0, slash), 0711));
  }
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return absl::OkStatus();
    return ErrnoStatus(errno, "stat", path);
  }
  if (!S_ISSOCK(st.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, " exists and is not a socket; remove it first"));
  }
  if (SocketIsLive(path)) {
    return absl::FailedPreconditionError(
        absl::StrCat("another process is already serving on ", path,
                     "; stop it first or use another --run-root"));
  }
  if (unlink(path.c_str()) != 0) return ErrnoStatus(errno, "unlink", path);
  return absl::OkStatus();
}

namespace {

// One byte of data with room for one descriptor. Not movable: the header
// points into it.
struct OneDescriptorMessage {
  OneDescriptorMessage() {
    iov.iov_base = &byte;
    iov.iov_len = 1;
    header.msg_iov = &iov;
    header.msg_iovlen = 1;
    header.msg_control = control;
    header.msg_controllen = sizeof(control);
  }
  OneDescriptorMessage(const OneDescriptorMessage&) = delete;
  OneDescriptorMessage& operator=(const OneDescriptorMessage&) = delete;

  char byte = 'F';
  iovec iov{};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr header{};
};

// Waits for `events` on `fd` until `deadline`; false on timeout or error.
bool PollUntil(int fd, short events, absl::Time deadline) {
  for (;;) {
    const absl::Duration left = deadline - absl::Now();
    const int ms = left <= absl::ZeroDuration()
                       ? 0
                       : static_cast<int>(absl::ToInt64Milliseconds(left)) + 1;
    pollfd p{fd, events, 0};
    const int n = poll(&p, 1, ms);
    if (n < 0 && errno == EINTR) continue;
    return n == 1;
  }
}

}  // namespace

absl::Status SendDescriptor(int socket, int fd, absl::Time deadline) {
  OneDescriptorMessage message;
  cmsghdr* c = CMSG_FIRSTHDR(&message.header);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &fd, sizeof(int));
  for (;;) {
    if (sendmsg(socket, &message.header, MSG_NOSIGNAL) == 1) return absl::OkStatus();
    if (errno == EINTR) continue;
    if (errno != EAGAIN) return ErrnoStatus(errno, "sendmsg", "a descriptor");
    if (!PollUntil(socket, POLLOUT, deadline)) {
      return absl::DeadlineExceededError("the peer took no descriptor in time");
    }
  }
}

absl::StatusOr<int> ReceiveDescriptor(int socket, absl::Time deadline) {
  if (!PollUntil(socket, POLLIN, deadline)) {
    return absl::DeadlineExceededError("no descriptor arrived in time");
  }
  OneDescriptorMessage message;
  ssize_t n;
  do {
    n = recvmsg(socket, &message.header, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return ErrnoStatus(errno, "recvmsg", "a descriptor");
  int fd = -1;
  for (cmsghdr* c = CMSG_FIRSTHDR(&message.header); c != nullptr;
       c = CMSG_NXTHDR(&message.header, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
        c->cmsg_len == CMSG_LEN(sizeof(int))) {
      memcpy(&fd, CMSG_DATA(c), sizeof(int));
    }
  }
  // More descriptors than fit were cut off by the kernel (MSG_CTRUNC) and
  // closed; one that came that way is refused too.
  if (fd >= 0 && (message.header.msg_flags & MSG_CTRUNC) != 0) {
    close(fd);
    fd = -1;
  }
  if (n == 0 && fd < 0) return absl::UnavailableError("the peer closed without a descriptor");
  if (n != 1 || fd < 0) {
    if (fd >= 0) close(fd);
    return absl::InvalidArgumentError("the message carried no single descriptor");
  }
  return fd;
}

}  // namespace berth
