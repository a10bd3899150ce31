// File-level helpers shared by the v1 and v2 drivers. Internal to the package.
#ifndef BERTH_SERVICES_CONTAINERD_CGROUPS_CGROUP_FS_H_
#define BERTH_SERVICES_CONTAINERD_CGROUPS_CGROUP_FS_H_

#include <sys/types.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/containerd/cgroups/cgroups.h"

namespace berth::containerd::cgroups::internal {

// How long Freeze and Remove wait for the kernel.
inline constexpr absl::Duration kWaitTimeout = absl::Seconds(10);

bool PathExists(const std::string& path);

// Writes `value` to a cgroup file in one write(2). The error names the value,
// the file, and errno; EINVAL/ERANGE become InvalidArgument.
absl::Status WriteCgroupFile(const std::string& path, absl::string_view value);

// The file's contents without the trailing newline.
absl::StatusOr<std::string> ReadCgroupFile(const std::string& path);

// A file holding one integer ("max" reads as -1).
absl::StatusOr<int64_t> ReadCgroupInt(const std::string& path);

// The value of `key` in a flat keyed file ("key value" lines such as
// memory.stat, memory.events, memory.oom_control, cpu.stat); NotFound if the
// key is absent.
absl::StatusOr<int64_t> ReadKeyedInt(const std::string& path,
                                     absl::string_view key);

// The pids listed in a cgroup.procs file.
absl::StatusOr<std::vector<pid_t>> ReadProcs(const std::string& procs_path);

// Creates `dir` and missing parents; `created` receives the directories this
// call made, deepest last.
absl::Status MakeDirs(const std::string& dir,
                      std::vector<std::string>* created);

// Removes a cgroup directory and its child cgroups, deepest first, retrying
// EBUSY while exiting processes leave. A missing directory is OK.
absl::Status RemoveCgroupDir(const std::string& dir, absl::Time deadline);

// SIGKILLs every process listed in DIR/cgroup.procs and in the cgroup.procs
// of its descendants until none is left, or DeadlineExceeded.
absl::Status KillAllAndWait(const std::string& dir, absl::Time deadline);

// Checks the limits before any file is written, with Docker's messages.
absl::Status ValidateLimits(const Limits& limits, bool for_update);

// The memsw (v1) / memory+swap total to write for Create: memory_swap_bytes,
// or 2 x memory_bytes when it is unset; -1 for unlimited; 0 when no limit.
int64_t EffectiveMemorySwap(const Limits& limits);

// The CFS quota for nano_cpus with kCpuPeriodUs; -1 for nano_cpus == -1.
int64_t CpuQuotaUs(int64_t nano_cpus);

// The first of `files` (names in `dir`) that exists, as a path; "" if none.
// Kernels name some knobs differently by I/O scheduler (blkio.weight with
// CFQ, blkio.bfq.weight with BFQ).
std::string FirstExisting(const std::string& dir,
                          std::initializer_list<const char*> files);

// Docker's warning when no I/O weight file exists, as it discards the weight.
inline constexpr const char* kBlkioWeightDiscarded =
    "Your kernel does not support Block I/O weight or the cgroup is not "
    "mounted. Weight discarded.";

// v1 blkio weight [10, 1000] to v2 io.weight [1, 10000], as runc maps it.
int64_t BlkioWeightToIoWeight(int64_t weight);

// Joins `parent` and `id` under `root`, checking both are safe path parts.
absl::StatusOr<std::string> CgroupPath(const std::string& root,
                                       const std::string& parent,
                                       const std::string& id);

// Validates a container id: non-empty, no '/', not "." or "..".
absl::Status ValidateId(const std::string& id);

}  // namespace berth::containerd::cgroups::internal

#endif  // BERTH_SERVICES_CONTAINERD_CGROUPS_CGROUP_FS_H_
