#include "services/containerd/health/health_monitor.h"

#include <atomic>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"

namespace berth::containerd::health {
namespace {

using container::v1::Health;

ProbeSettings Fast(int retries = 2) {
  ProbeSettings settings;
  settings.argv = {"check"};
  settings.interval = absl::Milliseconds(5);
  settings.timeout = absl::Seconds(1);
  settings.start_period = absl::ZeroDuration();
  settings.start_interval = absl::Milliseconds(5);
  settings.retries = retries;
  return settings;
}

class HealthMonitorTest : public ::testing::Test {
 protected:
  HealthMonitor::Probe Probe() {
    return [this](const std::string&, const ProbeSettings&,
                  const std::function<bool()>&) {
      ProbeResult result;
      result.start = result.end = absl::Now();
      result.exit_code = exit_code_.load();
      ++probes_;
      return result;
    };
  }
  HealthMonitor::Record Record() {
    return [this](const std::string& id, absl::Time, const Health& health) {
      absl::MutexLock lock(&mu_);
      recorded_.push_back({id, health});
      return keep_.load();
    };
  }
  bool AwaitStatus(Health::Status status) {
    for (int i = 0; i < 2000; ++i) {
      {
        absl::MutexLock lock(&mu_);
        if (!recorded_.empty() && recorded_.back().second.status() == status) {
          return true;
        }
      }
      absl::SleepFor(absl::Milliseconds(1));
    }
    return false;
  }
  std::atomic<int> exit_code_{0};
  std::atomic<int> probes_{0};
  std::atomic<bool> keep_{true};
  absl::Mutex mu_;
  std::vector<std::pair<std::string, Health>> recorded_;
};

TEST_F(HealthMonitorTest, ProbesUntilTheRunEndsAndFollowsTheResults) {
  HealthMonitor monitor(Probe(), Record());
  monitor.Begin("c1", Fast(), absl::Now(), StartingHealth());
  EXPECT_TRUE(AwaitStatus(Health::STATUS_HEALTHY));
  exit_code_ = 1;
  EXPECT_TRUE(AwaitStatus(Health::STATUS_UNHEALTHY));
  monitor.End("c1");
  EXPECT_EQ(monitor.running(), 0u);
  const int probes = probes_.load();
  absl::SleepFor(absl::Milliseconds(50));
  EXPECT_LE(probes_.load(), probes + 1);  // at most the one under way
}

TEST_F(HealthMonitorTest, ACheckEndsWhenItsRunIsOver) {
  keep_ = false;
  HealthMonitor monitor(Probe(), Record());
  monitor.Begin("c1", Fast(), absl::Now(), StartingHealth());
  EXPECT_TRUE(AwaitStatus(Health::STATUS_HEALTHY));
  absl::SleepFor(absl::Milliseconds(50));
  EXPECT_EQ(probes_.load(), 1);
}

TEST_F(HealthMonitorTest, BeginReplacesTheCheckOfAnEarlierRun) {
  HealthMonitor monitor(Probe(), Record());
  monitor.Begin("c1", Fast(), absl::Now(), StartingHealth());
  monitor.Begin("c1", Fast(), absl::Now(), StartingHealth());
  EXPECT_EQ(monitor.running(), 1u);
  EXPECT_TRUE(AwaitStatus(Health::STATUS_HEALTHY));
}

}  // namespace
}  // namespace berth::containerd::health
