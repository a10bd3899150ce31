// Time for containerd's logic: a Clock to read it and a Scheduler to run
// work later (restarts with backoff, auto-removal). Interfaces, so restart
// policy and backoff are unit-tested with a fake clock.
#ifndef BERTH_SERVICES_CONTAINERD_SCHEDULER_H_
#define BERTH_SERVICES_CONTAINERD_SCHEDULER_H_

#include <functional>
#include <map>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace berth::containerd {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() = 0;
};

// absl::Now().
Clock& RealClock();

class Scheduler {
 public:
  virtual ~Scheduler() = default;
  // Runs `task` once, `delay` from now, on the scheduler's thread. Dropped
  // after Shutdown.
  virtual void Post(absl::Duration delay, std::function<void()> task) = 0;
  // Drops pending tasks and returns once a running one has finished; no
  // task runs afterwards.
  virtual void Shutdown() = 0;
};

// A Scheduler with one thread of its own.
class DelayedTasks final : public Scheduler {
 public:
  DelayedTasks();
  ~DelayedTasks() override;
  void Post(absl::Duration delay, std::function<void()> task) override;
  void Shutdown() override;

 private:
  void Loop();
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::multimap<absl::Time, std::function<void()>> tasks_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace berth::containerd

#endif  // BERTH_SERVICES_CONTAINERD_SCHEDULER_H_
