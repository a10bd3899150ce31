// ShimSpec: everything berth-shim needs to run one container, written by
// containerd as JSON into the container's state directory before it starts
// the shim. JSON (not protobuf) keeps the shim free of protobuf's runtime,
// which matters for a process that lives as long as its container.
#ifndef BERTH_SERVICES_CONTAINERD_SHIM_SPEC_H_
#define BERTH_SERVICES_CONTAINERD_SHIM_SPEC_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/containerd/runtime/runtime.h"

namespace berth::containerd::shim {

struct MountSpec {
  std::string source;
  std::string destination;
  bool read_only = false;
};

struct RlimitSpec {
  std::string name;  // "nofile", "nproc", ...
  uint64_t soft = 0;
  uint64_t hard = 0;
};

struct ShimSpec {
  std::string id;
  std::string state_dir;    // ROOT/containerd/containers/ID
  std::string socket_path;  // control socket
  std::string log_path;     // "" = log driver none
  int64_t log_max_size = 0;  // bytes, 0 = no rotation
  int log_max_file = 1;

  // The init.
  std::string rootfs_dir;
  std::string overlay_options;
  bool readonly_rootfs = false;
  std::vector<std::string> args;
  std::vector<std::string> env;
  std::string cwd;
  std::string user;
  std::vector<std::string> group_add;
  std::string hostname;
  std::string domainname;
  std::string network_mode = "none";  // "none" | "host"
  std::vector<MountSpec> mounts;
  std::vector<RlimitSpec> rlimits;
  bool privileged = false;
  bool run_init = false;
  // -t: the init's stdio is a pseudo-terminal; its output is logged as
  // stdout (with the terminal's \r\n), as Docker does.
  bool tty = false;
  // --userns private: the container's user namespace maps; empty: none.
  std::vector<runtime::IdMap> uid_map;
  std::vector<runtime::IdMap> gid_map;

  // Confinement.
  std::vector<std::string> capabilities;  // "CAP_CHOWN", ...
  bool no_new_privileges = false;
  // "default" | "profile" (compiled by the shim) | "compiled" (state_dir/
  // seccomp.bpf, compiled by containerd) | "unconfined"
  std::string seccomp = "default";
  std::string seccomp_profile_json;  // with seccomp == "profile"
  std::vector<std::string> masked_paths;
  std::vector<std::string> readonly_paths;

  // --cgroupns private: the init gets a cgroup namespace rooted at its own
  // cgroup. Absent from older specs, which read as false (host), as before.
  bool cgroupns_private = false;

  // Cgroup (parent/id) and its limits; 0 = unlimited.
  std::string cgroup_parent = "berth";
  int64_t memory = 0;
  int64_t memory_swap = 0;
  int64_t nano_cpus = 0;
  int64_t cpu_shares = 0;
  int64_t pids_limit = 0;
  std::string cpuset_cpus;
};

std::string SerializeShimSpec(const ShimSpec& spec);
absl::StatusOr<ShimSpec> ParseShimSpec(absl::string_view json);

}  // namespace berth::containerd::shim

#endif  // BERTH_SERVICES_CONTAINERD_SHIM_SPEC_H_
