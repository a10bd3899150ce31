// containerd's composition root: reads the config, finds berth-shim, and
// wires the supervisor with the clients it works through (imaged over gRPC,
// the shims over their sockets, the host's cgroups, delayed tasks). The
// gRPC adapter (grpc_service.cc) and the logic only receive them.
#include "services/containerd/containerd.h"

#include <limits.h>
#include <unistd.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/service_adapter.h"
#include "common/status_macros.h"
#include "services/containerd/container_records.h"
#include "services/containerd/grpc_service.h"

namespace berth::containerd {
namespace {

// berth-shim: configured, else beside the daemon's executable, else in PATH.
std::string FindShim(const std::string& configured) {
  if (!configured.empty()) return configured;
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  if (n > 0) {
    exe[n] = '\0';
    std::string dir(exe);
    dir = dir.substr(0, dir.rfind('/'));
    const std::string beside = dir + "/berth-shim";
    if (access(beside.c_str(), X_OK) == 0) return beside;
  }
  for (const char* dir : {"/usr/local/bin", "/usr/bin", "/bin"}) {
    const std::string candidate = absl::StrCat(dir, "/berth-shim");
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "berth-shim";
}

}  // namespace

StoreSchema Schema() { return ContainerdSchema(); }

ServiceDefinition Definition() {
  return DefineService<ContainerGrpcService>("containerd", Schema());
}

absl::StatusOr<std::unique_ptr<ContainerGrpcService>>
ContainerGrpcService::Create(std::unique_ptr<ServiceCore> core) {
  const config::v1::Config& config = core->config();
  SupervisorOptions options;
  options.containers_dir = core->identity().root + "/containers";
  const std::string run_root =
      config.run_root().empty() ? "/run/berth" : config.run_root();
  options.shims_dir = run_root + "/shims";
  if (!config.runtime().cgroup_parent().empty()) {
    options.cgroup_parent = config.runtime().cgroup_parent();
  }
  if (config.runtime().has_userns_range()) {
    const config::v1::UsernsRange& range = config.runtime().userns_range();
    options.userns_range = {range.host_uid(), range.host_gid(), range.size()};
  }
  ASSIGN_OR_RETURN(options.default_cgroupns_mode,
                   cgroups::DefaultCgroupnsMode());
  const std::string imaged_socket = config.imaged().socket().empty()
                                        ? run_root + "/imaged.sock"
                                        : config.imaged().socket();
  SupervisorDeps deps;
  deps.images = NewImagedClient(imaged_socket);
  deps.netd = NewGrpcNetdClient(config.netd().socket().empty()
                                    ? run_root + "/netd.sock"
                                    : config.netd().socket());
  deps.volumes = NewGrpcVolumeClient(config.volumed().socket().empty()
                                         ? run_root + "/volumed.sock"
                                         : config.volumed().socket());
  // The namespaces of containers on networks, kept like the shims' sockets
  // for as long as the containers run (not across reboots).
  deps.netns = NewBoundNetnsStore(run_root + "/netns", core->log());
  ShimClientOptions shim_options;
  shim_options.shim_path = FindShim(config.runtime().shim_path());
  ASSIGN_OR_RETURN(deps.shims, NewSocketShimClient(std::move(shim_options)));
  deps.cgroups = [](const std::string& parent) {
    return cgroups::DetectCgroupDriver(parent);
  };
  deps.scheduler = std::make_unique<DelayedTasks>();
  deps.commands = NewProcessRunner();  // ps for `top`
  ASSIGN_OR_RETURN(std::unique_ptr<ContainerSupervisor> supervisor,
                   ContainerSupervisor::Open(core->store(), core->log(),
                                             std::move(deps),
                                             std::move(options)));
  return std::unique_ptr<ContainerGrpcService>(
      new ContainerGrpcService(std::move(core), std::move(supervisor)));
}

}  // namespace berth::containerd
