// A clock a test sets, and a scheduler whose tasks a test runs by hand.
#ifndef BERTH_SERVICES_CONTAINERD_TESTING_FAKE_TIME_H_
#define BERTH_SERVICES_CONTAINERD_TESTING_FAKE_TIME_H_

#include <functional>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "services/containerd/scheduler.h"

namespace berth::containerd::testing {

class FakeClock final : public Clock {
 public:
  absl::Time Now() override {
    absl::MutexLock lock(&mu_);
    return now_;
  }
  void Advance(absl::Duration by) {
    absl::MutexLock lock(&mu_);
    now_ += by;
  }

 private:
  absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_) = absl::FromUnixSeconds(1700000000);
};

class ManualScheduler final : public Scheduler {
 public:
  void Post(absl::Duration delay, std::function<void()> task) override {
    absl::MutexLock lock(&mu_);
    if (shut_down_) return;
    delays_.push_back(delay);
    pending_.push_back(std::move(task));
  }
  void Shutdown() override {
    absl::MutexLock lock(&mu_);
    shut_down_ = true;
    pending_.clear();
  }
  // Runs what is pending now (not what those tasks post); returns how many.
  int RunPending() {
    std::vector<std::function<void()>> tasks;
    {
      absl::MutexLock lock(&mu_);
      tasks.swap(pending_);
    }
    for (auto& task : tasks) task();
    return static_cast<int>(tasks.size());
  }
  int PendingCount() {
    absl::MutexLock lock(&mu_);
    return static_cast<int>(pending_.size());
  }
  // Runs the oldest pending task, if any, as if it had never been posted
  // (its delay leaves delays()); true if there was one.
  bool RunOldest() {
    std::function<void()> task;
    {
      absl::MutexLock lock(&mu_);
      if (pending_.empty()) return false;
      task = std::move(pending_.front());
      pending_.erase(pending_.begin());
      delays_.erase(delays_.end() - static_cast<long>(pending_.size()) - 1);
    }
    task();
    return true;
  }
  // The delay of every task posted so far.
  std::vector<absl::Duration> delays() {
    absl::MutexLock lock(&mu_);
    return delays_;
  }

 private:
  absl::Mutex mu_;
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::function<void()>> pending_ ABSL_GUARDED_BY(mu_);
  std::vector<absl::Duration> delays_ ABSL_GUARDED_BY(mu_);
};

}  // namespace berth::containerd::testing

#endif  // BERTH_SERVICES_CONTAINERD_TESTING_FAKE_TIME_H_
