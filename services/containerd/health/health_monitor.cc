#include "services/containerd/health/health_monitor.h"

#include <utility>

#include "absl/time/clock.h"

namespace berth::containerd::health {

HealthMonitor::HealthMonitor(Probe probe, Record record)
    : probe_(std::move(probe)), record_(std::move(record)) {}

HealthMonitor::~HealthMonitor() { Shutdown(); }

void HealthMonitor::Shutdown() {
  std::vector<std::thread> all;
  {
    absl::MutexLock lock(&mu_);
    shut_down_ = true;
    for (auto& [id, check] : checks_) check->stop = true;
    checks_.clear();
    for (auto& [check, thread] : threads_) all.push_back(std::move(thread));
    threads_.clear();
    for (auto& [check, thread] : ended_) all.push_back(std::move(thread));
    ended_.clear();
  }
  for (std::thread& thread : all) {
    if (thread.joinable()) thread.join();
  }
}

void HealthMonitor::Begin(const std::string& id, const ProbeSettings& settings,
                          absl::Time started_at,
                          const container::v1::Health& health) {
  End(id);
  Reap();
  auto check = std::make_shared<Check>();
  check->settings = settings;
  check->started_at = started_at;
  check->health = health;
  absl::MutexLock lock(&mu_);
  if (shut_down_) return;
  checks_[id] = check;
  threads_[check.get()] = std::thread([this, id, check] { Loop(id, check); });
}

void HealthMonitor::End(const std::string& id) {
  absl::MutexLock lock(&mu_);
  auto it = checks_.find(id);
  if (it == checks_.end()) return;
  it->second->stop = true;
  auto thread = threads_.find(it->second.get());
  if (thread != threads_.end()) {
    ended_.emplace_back(it->second, std::move(thread->second));
    threads_.erase(thread);
  }
  checks_.erase(it);
}

size_t HealthMonitor::running() const {
  absl::MutexLock lock(&mu_);
  return checks_.size();
}

void HealthMonitor::Reap() {
  std::vector<std::thread> finished;
  {
    absl::MutexLock lock(&mu_);
    for (auto it = ended_.begin(); it != ended_.end();) {
      if (it->first->exited) {
        finished.push_back(std::move(it->second));
        it = ended_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (std::thread& thread : finished) {
    if (thread.joinable()) thread.join();  // it has returned: at once
  }
}

void HealthMonitor::Loop(const std::string& id, std::shared_ptr<Check> check) {
  RunChecks(id, *check);
  absl::MutexLock lock(&mu_);
  check->exited = true;
}

void HealthMonitor::RunChecks(const std::string& id, Check& check) {
  auto stopped = [this, &check] {
    absl::MutexLock lock(&mu_);
    return check.stop;
  };
  while (true) {
    container::v1::Health health;
    {
      absl::MutexLock lock(&mu_);
      const absl::Time now = absl::Now();
      const absl::Time due =
          now + NextProbeIn(check.health, check.settings, check.started_at, now);
      mu_.AwaitWithDeadline(absl::Condition(&check.stop), due);
      if (check.stop) return;
    }
    const ProbeResult result = probe_(id, check.settings, stopped);
    if (result.skipped) continue;
    {
      absl::MutexLock lock(&mu_);
      if (check.stop) return;
      check.health =
          ApplyProbe(check.health, result, check.settings, check.started_at);
      health = check.health;
    }
    if (!record_(id, check.started_at, health)) {
      absl::MutexLock lock(&mu_);
      check.stop = true;
      return;
    }
  }
}

}  // namespace berth::containerd::health
