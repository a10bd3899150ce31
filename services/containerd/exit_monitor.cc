#include "services/containerd/exit_monitor.h"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace berth::containerd {

ExitMonitor::ExitMonitor(ExitCallback on_exit)
    : on_exit_(std::move(on_exit)) {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  epoll_event event = {};
  event.events = EPOLLIN;
  event.data.fd = wake_fd_;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &event);
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
                                const std::string& socket_path) {
  ASSIGN_OR_RETURN(int fd, shim::SendWait(socket_path));
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
      return;
    }
    for (int i = 0; i < n; ++i) {
      const int fd = events[i].data.fd;
      if (fd == wake_fd_) return;
      std::string id;
      std::string line;
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
        const size_t newline = it->second.buffer.find('\n');
        if (newline != std::string::npos || got == 0 ||
            (got < 0 && errno != EAGAIN && errno != EINTR)) {
          done = true;
          id = it->second.id;
          line = newline == std::string::npos
                     ? ""
                     : it->second.buffer.substr(0, newline);
          watched_.erase(it);
          epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
          close(fd);
        }
      }
      if (!done) continue;
      if (line.empty()) {
        on_exit_(id, absl::UnavailableError(
                         absl::StrCat("the shim of ", id, " went away")));
      } else {
        on_exit_(id, shim::ParseExitReply(line));
      }
    }
  }
}

}  // namespace berth::containerd
