#include "services/containerd/resource_update.h"

#include <unistd.h>

#include <limits>
#include <set>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/fs_util.h"
#include "common/status_macros.h"

namespace berth::containerd {
namespace {

using container::v1::HostConfig;
using container::v1::Resources;
using container::v1::RestartPolicy;
using container::v1::UpdateContainerRequest;

constexpr int64_t kMinimumMemory = 6 * 1024 * 1024;
// Docker's bound on a cpuset list (CVE-2018-20699: "0-9223372036854775807"
// would fill the daemon's memory), raised to the highest CPU present.
constexpr int kDefaultMaxCpus = 8192;

// A cpuset list ("0-2,4") as the set it names. Docker's parseUintList and
// its words.
absl::StatusOr<std::set<int>> ParseCpuList(absl::string_view list,
                                           int maximum) {
  std::set<int> values;
  if (list.empty()) return values;
  const absl::Status invalid =
      absl::InvalidArgumentError(absl::StrCat("invalid format: ", list));
  for (absl::string_view part : absl::StrSplit(list, ',')) {
    std::pair<absl::string_view, absl::string_view> range =
        absl::StrSplit(part, absl::MaxSplits('-', 1));
    const bool is_range = part.find('-') != absl::string_view::npos;
    int low = 0, high = 0;
    if (!absl::SimpleAtoi(range.first, &low) || low < 0) return invalid;
    high = low;
    if (is_range && (!absl::SimpleAtoi(range.second, &high) || high < low)) {
      return invalid;
    }
    if (high > maximum) {
      return absl::InvalidArgumentError(
          absl::StrCat("value of out range, maximum is ", maximum));
    }
    for (int value = low; value <= high; ++value) values.insert(value);
  }
  return values;
}

// Docker's isCpusetListAvailable with its messages.
absl::Status CheckCpuset(const std::string& requested,
                         const std::string& available, const char* what,
                         const char* unavailable) {
  if (requested.empty()) return absl::OkStatus();
  std::set<int> offered = ParseCpuList(available, std::numeric_limits<int>::max())
                              .value_or(std::set<int>());
  int maximum = kDefaultMaxCpus;
  if (!offered.empty()) maximum = std::max(maximum, *offered.rbegin());
  absl::StatusOr<std::set<int>> wanted = ParseCpuList(requested, maximum);
  if (!wanted.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Invalid value ", requested, " for ", what, ": ",
        wanted.status().message()));
  }
  for (int value : *wanted) {
    if (offered.count(value) == 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Requested ", unavailable, " are not available - requested ",
          requested, ", available: ", available));
    }
  }
  return absl::OkStatus();
}

std::string FirstLineOf(const std::string& path, const std::string& fallback) {
  absl::StatusOr<std::string> text = ReadFileToString(path, 4096);
  if (!text.ok()) return fallback;
  std::string line(absl::StripAsciiWhitespace(*text));
  return line.empty() ? fallback : line;
}

}  // namespace

HostCpus ReadHostCpus() {
  HostCpus host;
  const long online = sysconf(_SC_NPROCESSORS_ONLN);
  host.online = online > 0 ? static_cast<int>(online) : 1;
  host.cpus = FirstLineOf("/sys/devices/system/cpu/online",
                          absl::StrCat("0-", host.online - 1));
  // A kernel without NUMA has one node, 0.
  host.mems = FirstLineOf("/sys/devices/system/node/online", "0");
  return host;
}

absl::Status ValidateUpdate(const UpdateContainerRequest& request,
                            const HostCpus& host) {
  const Resources& r = request.resources();
  if (r.memory() != 0 && r.memory() < kMinimumMemory) {
    return absl::InvalidArgumentError("Minimum memory limit allowed is 6MB");
  }
  if (r.memory() > 0 && r.memory_swap() > 0 && r.memory_swap() < r.memory()) {
    return absl::InvalidArgumentError(
        "Minimum memoryswap limit should be larger than memory limit, see "
        "usage");
  }
  if (r.memory_reservation() > 0 && r.memory_reservation() < kMinimumMemory) {
    return absl::InvalidArgumentError(
        "Minimum memory reservation allowed is 6MB");
  }
  if (r.memory() > 0 && r.memory_reservation() > 0 &&
      r.memory() < r.memory_reservation()) {
    return absl::InvalidArgumentError(
        "Minimum memory limit can not be less than memory reservation limit, "
        "see usage");
  }
  if (r.nano_cpus() > 0 && r.cpu_period() > 0) {
    return absl::InvalidArgumentError(
        "Conflicting options: Nano CPUs and CPU Period cannot both be set");
  }
  if (r.nano_cpus() > 0 && r.cpu_quota() > 0) {
    return absl::InvalidArgumentError(
        "Conflicting options: Nano CPUs and CPU Quota cannot both be set");
  }
  if (r.nano_cpus() != 0 &&
      (r.nano_cpus() < 0 || r.nano_cpus() > int64_t{host.online} * 1000000000)) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "range of CPUs is from 0.01 to %d.00, as there are only %d CPUs "
        "available",
        host.online, host.online));
  }
  if (r.cpu_period() != 0 &&
      (r.cpu_period() < 1000 || r.cpu_period() > 1000000)) {
    return absl::InvalidArgumentError(
        "CPU cfs period can not be less than 1ms (i.e. 1000) or larger than "
        "1s (i.e. 1000000)");
  }
  if (r.cpu_quota() > 0 && r.cpu_quota() < 1000) {
    return absl::InvalidArgumentError(
        "CPU cfs quota can not be less than 1ms (i.e. 1000)");
  }
  RETURN_IF_ERROR(
      CheckCpuset(r.cpuset_cpus(), host.cpus, "cpuset cpus", "CPUs"));
  RETURN_IF_ERROR(
      CheckCpuset(r.cpuset_mems(), host.mems, "cpuset mems", "memory nodes"));
  if (r.blkio_weight() > 0 && (r.blkio_weight() < 10 || r.blkio_weight() > 1000)) {
    return absl::InvalidArgumentError("Range of blkio weight is from 10 to 1000");
  }
  if (request.has_restart_policy()) {
    const RestartPolicy& policy = request.restart_policy();
    if (policy.maximum_retry_count() < 0) {
      return absl::InvalidArgumentError(
          "invalid restart policy: maximum retry count cannot be negative");
    }
    if (policy.maximum_retry_count() > 0 &&
        policy.name() != RestartPolicy::NAME_ON_FAILURE) {
      return absl::InvalidArgumentError(
          "invalid restart policy: maximum retry count can only be used with "
          "'on-failure'");
    }
  }
  return absl::OkStatus();
}

absl::Status MergeUpdate(const UpdateContainerRequest& request,
                         HostConfig* host) {
  const Resources& wanted = request.resources();
  Resources merged = host->resources();
  // NanoCPUs set the period and quota themselves: once one way is chosen,
  // the other cannot be added.
  auto conflict = [](absl::string_view what) {
    return absl::FailedPreconditionError(what);
  };
  if (wanted.nano_cpus() > 0 && merged.cpu_period() > 0) {
    return conflict(
        "Conflicting options: Nano CPUs cannot be updated as CPU Period "
        "has already been set");
  }
  if (wanted.nano_cpus() > 0 && merged.cpu_quota() > 0) {
    return conflict(
        "Conflicting options: Nano CPUs cannot be updated as CPU Quota "
        "has already been set");
  }
  if (wanted.cpu_period() > 0 && merged.nano_cpus() > 0) {
    return conflict(
        "Conflicting options: CPU Period cannot be updated as NanoCPUs "
        "has already been set");
  }
  if (wanted.cpu_quota() > 0 && merged.nano_cpus() > 0) {
    return conflict(
        "Conflicting options: CPU Quota cannot be updated as NanoCPUs "
        "has already been set");
  }
  // Docker records the implied swap total at create; Berth leaves it 0 in
  // the record and the cgroup gets twice the memory.
  if (merged.memory() > 0 && merged.memory_swap() == 0 &&
      merged.memory() <= std::numeric_limits<int64_t>::max() / 2) {
    merged.set_memory_swap(2 * merged.memory());
  }
  if (wanted.blkio_weight() != 0) merged.set_blkio_weight(wanted.blkio_weight());
  if (wanted.cpu_shares() != 0) merged.set_cpu_shares(wanted.cpu_shares());
  if (wanted.nano_cpus() != 0) merged.set_nano_cpus(wanted.nano_cpus());
  if (wanted.cpu_period() != 0) merged.set_cpu_period(wanted.cpu_period());
  if (wanted.cpu_quota() != 0) merged.set_cpu_quota(wanted.cpu_quota());
  if (!wanted.cpuset_cpus().empty()) merged.set_cpuset_cpus(wanted.cpuset_cpus());
  if (!wanted.cpuset_mems().empty()) merged.set_cpuset_mems(wanted.cpuset_mems());
  if (wanted.memory() != 0) {
    if (wanted.memory() > merged.memory_swap() && wanted.memory_swap() == 0) {
      return conflict(
          "Memory limit should be smaller than already set memoryswap limit, "
          "update the memoryswap at the same time");
    }
    merged.set_memory(wanted.memory());
  }
  if (wanted.memory_swap() != 0) merged.set_memory_swap(wanted.memory_swap());
  if (wanted.memory_reservation() != 0) {
    merged.set_memory_reservation(wanted.memory_reservation());
  }
  if (wanted.pids_limit() != 0) merged.set_pids_limit(wanted.pids_limit());
  if (request.has_restart_policy() &&
      request.restart_policy().name() != RestartPolicy::NAME_UNSPECIFIED) {
    if (host->auto_remove() &&
        request.restart_policy().name() != RestartPolicy::NAME_NO) {
      return absl::FailedPreconditionError(
          "Restart policy cannot be updated because AutoRemove is enabled for "
          "the container");
    }
    *host->mutable_restart_policy() = request.restart_policy();
  }
  *host->mutable_resources() = std::move(merged);
  return absl::OkStatus();
}

cgroups::Limits LiveLimitsOf(const Resources& wanted, const Resources& merged) {
  cgroups::Limits limits = UpdateOnlyLimits(wanted);
  limits.memory_bytes = wanted.memory();
  limits.memory_swap_bytes = wanted.memory_swap();
  // v2 limits swap apart from memory: a new memory limit moves it unless
  // the memory+swap total is written with it.
  if (wanted.memory() != 0 && wanted.memory_swap() == 0) {
    limits.memory_swap_bytes = merged.memory_swap();
  }
  limits.nano_cpus = wanted.nano_cpus();
  limits.cpu_shares = wanted.cpu_shares();
  limits.pids_limit = wanted.pids_limit();
  limits.cpuset_cpus = wanted.cpuset_cpus();
  return limits;
}

cgroups::Limits UpdateOnlyLimits(const Resources& resources) {
  cgroups::Limits limits;
  limits.cpu_period_us = resources.cpu_period();
  limits.cpu_quota_us = resources.cpu_quota();
  limits.cpuset_mems = resources.cpuset_mems();
  limits.memory_reservation_bytes = resources.memory_reservation();
  limits.blkio_weight = resources.blkio_weight();
  return limits;
}

bool HasLimits(const cgroups::Limits& l) {
  return l.memory_bytes != 0 || l.memory_swap_bytes != 0 || l.nano_cpus != 0 ||
         l.cpu_shares != 0 || l.pids_limit != 0 || !l.cpuset_cpus.empty() ||
         !l.cpuset_mems.empty() || l.cpu_period_us != 0 ||
         l.cpu_quota_us != 0 || l.memory_reservation_bytes != 0 ||
         l.blkio_weight != 0;
}

void ClearDiscarded(const cgroups::Limits& limits, Resources* wanted) {
  if (limits.blkio_weight == 0) wanted->set_blkio_weight(0);
  if (limits.memory_reservation_bytes == 0) wanted->set_memory_reservation(0);
  if (limits.cpuset_mems.empty()) wanted->clear_cpuset_mems();
  if (limits.cpu_period_us == 0) wanted->set_cpu_period(0);
  if (limits.cpu_quota_us == 0) wanted->set_cpu_quota(0);
  if (limits.memory_bytes == 0) wanted->set_memory(0);
  if (limits.memory_swap_bytes == 0) wanted->set_memory_swap(0);
  if (limits.nano_cpus == 0) wanted->set_nano_cpus(0);
  if (limits.cpu_shares == 0) wanted->set_cpu_shares(0);
  if (limits.pids_limit == 0) wanted->set_pids_limit(0);
  if (limits.cpuset_cpus.empty()) wanted->clear_cpuset_cpus();
}

}  // namespace berth::containerd
