#include "services/containerd/exit_monitor.h"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "services/containerd/shim/framing.h"

namespace berth::containerd {

absl::StatusOr<std::unique_ptr<ExitMonitor>> ExitMonitor::Create(
    ExitCallback on_exit) {
  const int epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd < 0) {
    return ErrnoStatus(errno, "epoll_create1", "the exit monitor");
  }
  const int wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd < 0) {
    const int err = errno;
    close(epoll_fd);
    return ErrnoStatus(err, "eventfd", "the exit monitor");
  }
  epoll_event event = {};
  event.events = EPOLLIN;
  event.data.fd = wake_fd;
  if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, wake_fd, &event) != 0) {
    const int err = errno;
    close(wake_fd);
    close(epoll_fd);
    return ErrnoStatus(err, "epoll_ctl", "the exit monitor's eventfd");
  }
  return std::unique_ptr<ExitMonitor>(
      new ExitMonitor(std::move(on_exit), epoll_fd, wake_fd));
}

ExitMonitor::ExitMonitor(ExitCallback on_exit, int epoll_fd, int wake_fd)
    : on_exit_(std::move(on_exit)), epoll_fd_(epoll_fd), wake_fd_(wake_fd) {
  thread_ = std::thread([this] { Loop(); });
}

ExitMonitor::~ExitMonitor() {
  uint64_t one = 1;
  ssize_t ignored = write(wake_fd_, &one, sizeof(one));
  (void)ignored;
  thread_.join();
  absl::MutexLock lock(&mu_);
  for (const auto& [fd, watched] : watched_) close(fd);
  close(wake_fd_);
  close(epoll_fd_);
}

absl::Status ExitMonitor::Watch(const std::string& id,
                                const std::string& socket_path,
                                absl::Duration timeout) {
  {
    absl::MutexLock lock(&mu_);
    RETURN_IF_ERROR(failure_);
  }
  ASSIGN_OR_RETURN(int fd, shim::SendWait(socket_path, timeout));
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  {
    absl::MutexLock lock(&mu_);
    watched_[fd] = Watched{id, ""};
  }
  epoll_event event = {};
  event.events = EPOLLIN | EPOLLRDHUP;
  event.data.fd = fd;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event) != 0) {
    int err = errno;
    absl::MutexLock lock(&mu_);
    watched_.erase(fd);
    close(fd);
    return ErrnoStatus(err, "epoll_ctl", socket_path);
  }
  return absl::OkStatus();
}

void ExitMonitor::Loop() {
  epoll_event events[32];
  while (true) {
    int n = epoll_wait(epoll_fd_, events, 32, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      absl::MutexLock lock(&mu_);
      failure_ = ErrnoStatus(err, "epoll_wait", "the exit monitor");
      return;
    }
    for (int i = 0; i < n; ++i) {
      const int fd = events[i].data.fd;
      if (fd == wake_fd_) return;
      std::string id;
      absl::StatusOr<shim::ExitRecord> exit;
      bool done = false;
      {
        absl::MutexLock lock(&mu_);
        auto it = watched_.find(fd);
        if (it == watched_.end()) continue;
        char buffer[256];
        ssize_t got;
        while ((got = read(fd, buffer, sizeof(buffer))) > 0) {
          it->second.buffer.append(buffer, static_cast<size_t>(got));
        }
        const int read_errno = errno;
        id = it->second.id;
        const std::string peer = absl::StrCat("the shim of ", id);
        absl::StatusOr<std::optional<std::string>> frame =
            shim::TakeFrame(&it->second.buffer, peer);
        if (!frame.ok()) {
          done = true;
          exit = absl::FailedPreconditionError(frame.status().message());
        } else if (frame->has_value()) {
          done = true;
          exit = shim::ParseWaitReply(**frame, peer);
        } else if (got == 0 || (got < 0 && read_errno != EAGAIN &&
                                read_errno != EINTR)) {
          done = true;
          exit = absl::UnavailableError(
              absl::StrCat("the shim of ", id, " went away"));
        }
        if (done) {
          watched_.erase(it);
          epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
          close(fd);
        }
      }
      if (done) on_exit_(id, exit);
    }
  }
}

}  // namespace berth::containerd
