// The cgroup files `berth stats` reads beyond CgroupStats' basics: their
// parsers (pure, unit-tested on text) and the readers the v1 and v2 drivers
// call from Stats. A file the kernel does not offer (no such controller, an
// older kernel) is skipped; one that exists but does not parse is an error
// naming it.
#ifndef BERTH_SERVICES_CONTAINERD_CGROUPS_STATS_FILES_H_
#define BERTH_SERVICES_CONTAINERD_CGROUPS_STATS_FILES_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/containerd/cgroups/cgroups.h"

namespace berth::containerd::cgroups {

// "key value" lines (memory.stat, cpu.stat, cpuacct.stat, memory.events).
// `path` only names the file in errors.
absl::StatusOr<std::map<std::string, int64_t>> ParseKeyedFile(
    absl::string_view text, absl::string_view path);

// v1 cpuacct.usage_percpu: numbers separated by spaces.
absl::StatusOr<std::vector<int64_t>> ParsePerCpuUsage(absl::string_view text,
                                                      absl::string_view path);

struct IoTotals {
  int64_t read_bytes = 0;
  int64_t write_bytes = 0;
  int64_t read_ops = 0;
  int64_t write_ops = 0;
};

// v1 blkio.*io_service_bytes or io_serviced: "MAJ:MIN Read N" lines, summed
// over devices into *read and *write (the "Total" line and the other
// operations are not read or write).
absl::Status SumV1BlkioFile(absl::string_view text, absl::string_view path,
                            int64_t* read, int64_t* write);

// v2 io.stat: "MAJ:MIN rbytes=N wbytes=N rios=N wios=N ..." per device.
absl::StatusOr<IoTotals> ParseV2IoStat(absl::string_view text,
                                       absl::string_view path);

namespace internal {

// Fill the extra fields of *stats from a v1 controller's directory ("" when
// the controller is not mounted).
absl::Status ReadV1CpuExtras(const std::string& cpuacct_dir,
                             const std::string& cpu_dir, CgroupStats* stats);
absl::Status ReadV1MemoryExtras(const std::string& memory_dir,
                                CgroupStats* stats);
absl::Status ReadV1BlkioExtras(const std::string& blkio_dir,
                               CgroupStats* stats);
// Everything from a v2 cgroup directory.
absl::Status ReadV2Extras(const std::string& dir, CgroupStats* stats);

}  // namespace internal
}  // namespace berth::containerd::cgroups

#endif  // BERTH_SERVICES_CONTAINERD_CGROUPS_STATS_FILES_H_
