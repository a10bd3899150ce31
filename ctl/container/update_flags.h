// `berth update`'s flags, read as Docker's CLI reads them (pflag types:
// int64, uint16, bytes, memory+swap bytes, decimal CPUs), into the
// request's Resources. Pure, unit tested.
#ifndef BERTH_CTL_CONTAINER_UPDATE_FLAGS_H_
#define BERTH_CTL_CONTAINER_UPDATE_FLAGS_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "berth/container/v1/container.pb.h"

namespace berth::ctl {

// Each flag as typed; unset when not given.
struct UpdateFlags {
  std::optional<std::string> blkio_weight;
  std::optional<std::string> cpu_period;
  std::optional<std::string> cpu_quota;
  std::optional<std::string> cpu_shares;
  std::optional<std::string> cpus;
  std::optional<std::string> cpuset_cpus;
  std::optional<std::string> cpuset_mems;
  std::optional<std::string> memory;
  std::optional<std::string> memory_reservation;
  std::optional<std::string> memory_swap;
  std::optional<std::string> pids_limit;
  std::optional<std::string> restart;
};

// The new values. A value pflag would refuse is INVALID_ARGUMENT with its
// words ("invalid argument \"x\" for \"--cpu-period\" flag: strconv.
// ParseInt: parsing \"x\": invalid syntax"): a usage error (exit 125).
absl::StatusOr<container::v1::Resources> ParseUpdateResources(
    const UpdateFlags& flags);

}  // namespace berth::ctl

#endif  // BERTH_CTL_CONTAINER_UPDATE_FLAGS_H_
