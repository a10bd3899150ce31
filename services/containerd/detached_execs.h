// The exec processes nobody is attached to any more (`exec -d`, or a client
// that detached): each one's shim stream is read to its end on a thread of
// its own, the output dropped, so the exit code still reaches the registry
// (InspectExec). Shutdown cuts the streams and joins the threads.
#ifndef BERTH_SERVICES_CONTAINERD_DETACHED_EXECS_H_
#define BERTH_SERVICES_CONTAINERD_DETACHED_EXECS_H_

#include <functional>
#include <cstdint>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "services/containerd/shim/protocol.h"

namespace berth::containerd {

class DetachedExecs {
 public:
  // `exited(exec_id, code)` records an exit (-1 would mean none was read:
  // it is not called then).
  explicit DetachedExecs(std::function<void(const std::string&, int)> exited);
  ~DetachedExecs();  // Shutdown()
  DetachedExecs(const DetachedExecs&) = delete;
  DetachedExecs& operator=(const DetachedExecs&) = delete;

  // Takes `stream` (its fd is closed once read to the end).
  void Watch(const std::string& exec_id, shim::ShimStream stream);
  void Shutdown();

 private:
  void Drain(uint64_t key, const std::string& exec_id, shim::ShimStream stream);

  const std::function<void(const std::string&, int)> exited_;
  absl::Mutex mu_;
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
  std::map<int, std::string> fds_ ABSL_GUARDED_BY(mu_);  // streams being read
  uint64_t next_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<uint64_t, std::thread> threads_ ABSL_GUARDED_BY(mu_);
  // Threads that have returned, joined at the next Watch (never piling up).
  std::vector<uint64_t> done_ ABSL_GUARDED_BY(mu_);
};

}  // namespace berth::containerd

#endif  // BERTH_SERVICES_CONTAINERD_DETACHED_EXECS_H_
