#include "services/containerd/shim/spec.h"

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

// JSON of the runtime's own id map (in its namespace, for lookup).
namespace berth::containerd::runtime {
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(IdMap, container_id, host_id, size)
}  // namespace berth::containerd::runtime

namespace berth::containerd::shim {

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(MountSpec, source, destination,
                                                read_only)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(RlimitSpec, name, soft, hard)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(
    ShimSpec, id, state_dir, socket_path, log_path, log_max_size, log_max_file,
    rootfs_dir, overlay_options, readonly_rootfs, args, env, cwd, user,
    group_add, hostname, domainname, network_mode, mounts, rlimits, privileged,
    run_init, tty, uid_map, gid_map, capabilities, no_new_privileges, seccomp, seccomp_profile_json,
    masked_paths, readonly_paths, cgroupns_private, cgroup_parent, memory, memory_swap,
    nano_cpus, cpu_shares, pids_limit, cpuset_cpus)

std::string SerializeShimSpec(const ShimSpec& spec) {
  return nlohmann::json(spec).dump();
}

absl::StatusOr<ShimSpec> ParseShimSpec(absl::string_view json) {
  nlohmann::json parsed = nlohmann::json::parse(json.begin(), json.end(),
                                                nullptr, /*exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return absl::InvalidArgumentError("shim spec is not a JSON object");
  }
  // from_json throws on a mistyped field; keep exceptions inside.
  try {
    return parsed.get<ShimSpec>();
  } catch (const nlohmann::json::exception& error) {
    return absl::InvalidArgumentError(
        absl::StrCat("malformed shim spec: ", error.what()));
  }
}

}  // namespace berth::containerd::shim
