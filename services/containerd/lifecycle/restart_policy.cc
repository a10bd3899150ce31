#include "services/containerd/lifecycle/restart_policy.h"

#include <algorithm>

namespace berth::containerd {

using container::v1::RestartPolicy;

RestartDecision DecideRestart(const RestartPolicy& policy,
                              const ExitFacts& exit, absl::Duration backoff) {
  RestartDecision decision;
  if (exit.manually_stopped || exit.start_error) return decision;
  switch (policy.name()) {
    case RestartPolicy::NAME_ALWAYS:
    case RestartPolicy::NAME_UNLESS_STOPPED:
      decision.restart = true;
      break;
    case RestartPolicy::NAME_ON_FAILURE:
      decision.restart =
          exit.exit_code != 0 &&
          (policy.maximum_retry_count() == 0 ||
           exit.restart_count < policy.maximum_retry_count());
      break;
    default:
      break;
  }
  if (!decision.restart) return decision;
  decision.delay = exit.ran >= kBackoffReset || backoff <= absl::ZeroDuration()
                       ? kFirstBackoff
                       : std::min(backoff * 2, kMaxBackoff);
  return decision;
}

bool RestartsAtDaemonStart(const RestartPolicy& policy,
                           bool manually_stopped) {
  return policy.name() == RestartPolicy::NAME_ALWAYS ||
         (policy.name() == RestartPolicy::NAME_UNLESS_STOPPED &&
          !manually_stopped);
}

}  // namespace berth::containerd
