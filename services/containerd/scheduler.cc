#include "services/containerd/scheduler.h"

#include <utility>

namespace berth::containerd {

namespace {
class AbslClock final : public Clock {
 public:
  absl::Time Now() override { return absl::Now(); }
};
}  // namespace

Clock& RealClock() {
  static AbslClock* clock = new AbslClock();
  return *clock;
}

DelayedTasks::DelayedTasks() {
  thread_ = std::thread([this] { Loop(); });
}

DelayedTasks::~DelayedTasks() { Shutdown(); }

void DelayedTasks::Shutdown() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    tasks_.clear();
  }
  if (thread_.joinable()) thread_.join();
}

void DelayedTasks::Post(absl::Duration delay, std::function<void()> task) {
  absl::MutexLock lock(&mu_);
  if (stopping_) return;
  tasks_.emplace(absl::Now() + delay, std::move(task));
}

void DelayedTasks::Loop() {
  while (true) {
    std::function<void()> task;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]() {
        mu_.AssertHeld();
        return stopping_ ||
               (!tasks_.empty() && tasks_.begin()->first <= absl::Now());
      };
      // Wakes at least every 50 ms so a newly posted earlier task runs soon.
      mu_.AwaitWithTimeout(absl::Condition(&ready), absl::Milliseconds(50));
      if (stopping_) return;
      if (tasks_.empty() || tasks_.begin()->first > absl::Now()) continue;
      task = std::move(tasks_.begin()->second);
      tasks_.erase(tasks_.begin());
    }
    task();
  }
}

}  // namespace berth::containerd
