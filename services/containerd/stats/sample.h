// Docker's arithmetic for `stats`, on Berth's ContainerStats message: the
// memory in use without the inactive file cache, the CPU % of two readings
// and the memory %, and the assembly of one sample from the cgroup's and the
// host's figures. Pure functions.
#ifndef BERTH_SERVICES_CONTAINERD_STATS_SAMPLE_H_
#define BERTH_SERVICES_CONTAINERD_STATS_SAMPLE_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "berth/container/v1/container_types.pb.h"
#include "services/containerd/cgroups/cgroups.h"
#include "services/containerd/stats/host_stats.h"

namespace berth::containerd::stats {

// Docker's calculateMemUsageUnixNoCache: the usage less memory.stat's
// total_inactive_file (v1) or else inactive_file (v2) when smaller.
uint64_t MemoryUsageNoCache(uint64_t usage,
                            const std::map<std::string, int64_t>& stat);

// Docker's calculateCPUPercentUnix: the container's CPU time over the host's
// between the readings, times the online CPUs, in percent (so up to 100 per
// CPU); 0 when either did not advance.
double CpuPercent(const container::v1::ContainerStats::Cpu& previous,
                  const container::v1::ContainerStats::Cpu& current);

// usage / limit in percent; 0 without a limit.
double MemoryPercent(uint64_t usage, uint64_t limit);

struct SampleInput {
  std::string id;
  std::string name;
  absl::Time read;
  cgroups::CgroupStats cgroup;
  HostCpu host;
  uint64_t host_memory = 0;
  std::vector<NetDevice> networks;
  int64_t pids_limit = 0;  // the container's --pids-limit; <= 0 unlimited
};

// A running container's sample; cpu_percent is left 0 (SetCpuPercent).
// The limit is the host's memory when the cgroup has none or one above it,
// as Docker's daemon reports it.
container::v1::ContainerStats BuildSample(const SampleInput& input);

// A container without a process: its id and name, every figure 0, as
// Docker's daemon answers for one.
container::v1::ContainerStats EmptySample(const std::string& id,
                                          const std::string& name,
                                          absl::Time read);

}  // namespace berth::containerd::stats

#endif  // BERTH_SERVICES_CONTAINERD_STATS_SAMPLE_H_
