// Runs each running container's health check on a thread of its own: waits
// the interval (the start interval early on), runs a probe through `probe`,
// applies the result (health_check.h) and hands the new Health to
// `record`, until the container's run ends. A thread per check, so a probe
// that takes its whole timeout delays no other container's.
#ifndef BERTH_SERVICES_CONTAINERD_HEALTH_HEALTH_MONITOR_H_
#define BERTH_SERVICES_CONTAINERD_HEALTH_HEALTH_MONITOR_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/containerd/health/health_check.h"

namespace berth::containerd::health {

class HealthMonitor {
 public:
  // Runs one probe of container `id`, returning within about
  // settings.timeout, or soon after `stopped()` becomes true.
  using Probe = std::function<ProbeResult(const std::string& id,
                                          const ProbeSettings& settings,
                                          const std::function<bool()>& stopped)>;
  // Keeps `health` for the run of `id` that started at `started_at`; false
  // when that run is over (its check then ends).
  using Record = std::function<bool(const std::string& id, absl::Time started_at,
                                    const container::v1::Health& health)>;

  HealthMonitor(Probe probe, Record record);
  // Shutdown().
  ~HealthMonitor();
  HealthMonitor(const HealthMonitor&) = delete;
  HealthMonitor& operator=(const HealthMonitor&) = delete;

  // Checks the run of `id` that started at `started_at`, from `health` on
  // (a check of an earlier run ends).
  void Begin(const std::string& id, const ProbeSettings& settings,
             absl::Time started_at, const container::v1::Health& health);
  // Ends the check of `id`, if any; a probe under way is abandoned.
  void End(const std::string& id);
  // Ends every check and waits for their threads; Begin does nothing from
  // then on.
  void Shutdown();
  size_t running() const;

 private:
  struct Check {
    ProbeSettings settings;
    absl::Time started_at;
    container::v1::Health health;
    bool stop = false;    // guarded by the monitor's mu_
    bool exited = false;  // its thread returned; guarded by mu_
  };
  void Loop(const std::string& id, std::shared_ptr<Check> check);
  void RunChecks(const std::string& id, Check& check);
  // Joins the threads of ended checks that have returned (never waits for
  // one, so Begin and End may be called under the caller's locks).
  void Reap() ABSL_LOCKS_EXCLUDED(mu_);

  const Probe probe_;
  const Record record_;
  mutable absl::Mutex mu_;
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
  std::map<std::string, std::shared_ptr<Check>> checks_ ABSL_GUARDED_BY(mu_);
  std::map<Check*, std::thread> threads_ ABSL_GUARDED_BY(mu_);
  // Ended checks whose threads were not joined yet.
  std::vector<std::pair<std::shared_ptr<Check>, std::thread>> ended_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace berth::containerd::health

#endif  // BERTH_SERVICES_CONTAINERD_HEALTH_HEALTH_MONITOR_H_
