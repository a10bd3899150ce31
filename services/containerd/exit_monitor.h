// ExitMonitor: one thread that waits on every running container's shim at
// once (epoll over their pending wait requests) and reports each exit. A
// connection that closes without an answer means the shim is gone; the
// callback then gets UNAVAILABLE and consults the exit record on disk.
#ifndef BERTH_SERVICES_CONTAINERD_EXIT_MONITOR_H_
#define BERTH_SERVICES_CONTAINERD_EXIT_MONITOR_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "services/containerd/shim/protocol.h"

namespace berth::containerd {

class ExitMonitor {
 public:
  using ExitCallback = std::function<void(
      const std::string& id, const absl::StatusOr<shim::ExitRecord>& exit)>;

  // Fails when the kernel refuses the epoll instance or the wake-up eventfd.
  static absl::StatusOr<std::unique_ptr<ExitMonitor>> Create(
      ExitCallback on_exit);
  ~ExitMonitor();
  ExitMonitor(const ExitMonitor&) = delete;
  ExitMonitor& operator=(const ExitMonitor&) = delete;

  // Calls on_exit(id, ...) once, from the monitor thread, when the shim on
  // `socket_path` reports the exit or disappears. UNAVAILABLE if no shim
  // answers now (nothing is watched then), DEADLINE_EXCEEDED if one is
  // there but does not take the request within `timeout`.
  absl::Status Watch(const std::string& id, const std::string& socket_path,
                     absl::Duration timeout);

 private:
  ExitMonitor(ExitCallback on_exit, int epoll_fd, int wake_fd);
  void Loop();

  ExitCallback on_exit_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  absl::Mutex mu_;
  struct Watched {
    std::string id;
    std::string buffer;
  };
  std::map<int, Watched> watched_ ABSL_GUARDED_BY(mu_);
  // Set when epoll_wait failed for good: no exit can be seen any more, so
  // no new container may be watched (its start fails instead of running
  // untracked).
  absl::Status failure_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace berth::containerd

#endif  // BERTH_SERVICES_CONTAINERD_EXIT_MONITOR_H_
