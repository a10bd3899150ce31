#include "services/containerd/shim/event_loop.h"

#include <cerrno>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace berth::containerd::shim {

absl::Status RunEventLoop(int epoll_fd, const std::function<bool()>& done,
                          const std::function<int()>& timeout_ms,
                          const std::function<void(int fd, uint32_t events)>& on_ready,
                          EpollWaitFn wait) {
  epoll_event events[16];
  while (!done()) {
    const int n = wait(epoll_fd, events, 16, timeout_ms());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "epoll_wait", "the shim's event loop");
    }
    for (int i = 0; i < n; ++i) on_ready(events[i].data.fd, events[i].events);
  }
  return absl::OkStatus();
}

ExitRecord ExitRecordAfterLoop(const std::optional<int>& exit_code,
                               absl::Time exited_at, const absl::Status& loop) {
  ExitRecord record;
  if (exit_code.has_value()) {
    record.exit_code = *exit_code;
    record.finished_at = exited_at;
  } else {
    // Never reaped: the shim could not watch it any more and killed it (or
    // could not even reap it); 137 is what a SIGKILL reports.
    record.exit_code = 137;
    record.finished_at = absl::Now();
  }
  if (!loop.ok()) {
    record.error = absl::StrCat("berth-shim stopped watching the container: ",
                                loop.message());
  }
  return record;
}

}  // namespace berth::containerd::shim
