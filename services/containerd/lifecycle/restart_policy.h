// Docker's restart policies as pure decisions: whether an exit brings the
// container back, after which backoff, and which containers come back when
// the daemon starts.
#ifndef BERTH_SERVICES_CONTAINERD_LIFECYCLE_RESTART_POLICY_H_
#define BERTH_SERVICES_CONTAINERD_LIFECYCLE_RESTART_POLICY_H_

#include "absl/time/time.h"
#include "berth/container/v1/container_spec.pb.h"

namespace berth::containerd {

// Docker's backoff: 100 ms, doubling up to a minute; a run that lasted 10
// seconds starts it over.
inline constexpr absl::Duration kFirstBackoff = absl::Milliseconds(100);
inline constexpr absl::Duration kMaxBackoff = absl::Minutes(1);
inline constexpr absl::Duration kBackoffReset = absl::Seconds(10);

struct ExitFacts {
  int exit_code = 0;
  // The command never ran (start error): no policy restarts that.
  bool start_error = false;
  // A user stopped or killed it: no policy restarts that.
  bool manually_stopped = false;
  // Restarts so far (the record's restart_count).
  int restart_count = 0;
  // How long the run that ended lasted.
  absl::Duration ran = absl::ZeroDuration();
};

struct RestartDecision {
  bool restart = false;
  absl::Duration delay = absl::ZeroDuration();  // also the new backoff
};

// `backoff` is the delay before the previous restart (zero: none yet).
RestartDecision DecideRestart(const container::v1::RestartPolicy& policy,
                              const ExitFacts& exit, absl::Duration backoff);

// Whether a stopped container comes back when the daemon starts: "always",
// and "unless-stopped" unless a user stopped it.
bool RestartsAtDaemonStart(const container::v1::RestartPolicy& policy,
                           bool manually_stopped);

}  // namespace berth::containerd

#endif  // BERTH_SERVICES_CONTAINERD_LIFECYCLE_RESTART_POLICY_H_
