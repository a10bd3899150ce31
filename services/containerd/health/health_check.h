// A container's health check as Docker runs it (HEALTHCHECK, --health-*):
// the settings in effect (the container's merged over the image's, with
// Docker's defaults and limits) and what one probe's result does to the
// container's Health (status, failing streak, the last five probes). Pure:
// the monitor (health_monitor.h) runs the probes.
#ifndef BERTH_SERVICES_CONTAINERD_HEALTH_HEALTH_CHECK_H_
#define BERTH_SERVICES_CONTAINERD_HEALTH_HEALTH_CHECK_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "berth/container/v1/container.pb.h"
#include "berth/types/v1/types.pb.h"

namespace berth::containerd::health {

// The container's health check with what it leaves unset taken from the
// image's, field by field, as Docker merges them.
types::v1::Healthcheck MergeHealthcheck(const types::v1::Healthcheck& container,
                                        const types::v1::Healthcheck& image);

// Docker's limits: durations of at least 1ms when set, retries not
// negative, a test that is NONE, CMD ARG..., or CMD-SHELL COMMAND.
absl::Status ValidateHealthcheck(const types::v1::Healthcheck& check);

struct ProbeSettings {
  std::vector<std::string> argv;  // CMD-SHELL runs /bin/sh -c COMMAND
  absl::Duration interval;
  absl::Duration timeout;
  absl::Duration start_period;
  absl::Duration start_interval;
  int retries;
};

// What to run and how often, with Docker's defaults (30s, 30s, 0, 5s, 3);
// nullopt without a check (no test, or NONE).
std::optional<ProbeSettings> SettingsOf(const types::v1::Healthcheck& check);

struct ProbeResult {
  absl::Time start;
  absl::Time end;
  // 0 healthy; anything else a failure (-1: it could not run or timed out).
  int exit_code = 0;
  std::string output;  // stdout and stderr, as they came
  // Not run (the container is paused): the Health stays as it was.
  bool skipped = false;
};

// The Health of a container that just started: STARTING, no streak, no log.
container::v1::Health StartingHealth();

// `health` after `result`: success makes it HEALTHY with no streak; a
// failure counts toward `retries` (then UNHEALTHY) unless the container is
// still STARTING within its start period (since `started_at`). The log
// keeps the last five probes, outputs cut to 4 KiB.
container::v1::Health ApplyProbe(const container::v1::Health& health,
                                 const ProbeResult& result,
                                 const ProbeSettings& settings,
                                 absl::Time started_at);

// How long until the next probe: the start interval while STARTING within
// the start period, the interval otherwise.
absl::Duration NextProbeIn(const container::v1::Health& health,
                           const ProbeSettings& settings,
                           absl::Time started_at, absl::Time now);

}  // namespace berth::containerd::health

#endif  // BERTH_SERVICES_CONTAINERD_HEALTH_HEALTH_CHECK_H_
