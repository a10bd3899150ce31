// Device access rules for a container's cgroup: written to the v1 devices
// controller as text, or compiled into the eBPF program cgroup v2 uses
// instead (BPF_PROG_TYPE_CGROUP_DEVICE, attached to the container's cgroup).
#ifndef BERTH_SERVICES_CONTAINERD_CGROUPS_DEVICE_FILTER_H_
#define BERTH_SERVICES_CONTAINERD_CGROUPS_DEVICE_FILTER_H_

#include <linux/bpf.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace berth::containerd::cgroups {

// One allow rule, "c 1:3 rwm" in devices.allow syntax.
struct DeviceRule {
  char type = 'a';      // 'a' (any), 'b' (block) or 'c' (char)
  int64_t major = -1;   // -1: any
  int64_t minor = -1;   // -1: any
  uint32_t access = 0;  // BPF_DEVCG_ACC_MKNOD | _READ | _WRITE
};

// Parses "TYPE MAJOR:MINOR ACCESS" ("c *:* m", "b 8:0 rw", "a").
absl::StatusOr<DeviceRule> ParseDeviceRule(absl::string_view text);

// The devices.allow rule giving `permissions` ("rwm" or a subset) on the
// host's device node `host_path` (symlinks followed): "c 1:3 rw".
// INVALID_ARGUMENT when it is no device node or the permissions are not
// letters of "rwm", with errno and the path when it cannot be read.
absl::StatusOr<std::string> DeviceRuleFor(const std::string& host_path,
                                          const std::string& permissions);

// The eBPF program allowing exactly `rules` (everything else is denied).
std::vector<bpf_insn> DeviceFilterProgram(const std::vector<DeviceRule>& rules);

// Loads the program for `rules` and attaches it to the cgroup v2 directory
// `cgroup_dir`; it stays attached for as long as the cgroup exists.
absl::Status AttachDeviceFilter(const std::string& cgroup_dir,
                                const std::vector<DeviceRule>& rules);

}  // namespace berth::containerd::cgroups

#endif  // BERTH_SERVICES_CONTAINERD_CGROUPS_DEVICE_FILTER_H_
