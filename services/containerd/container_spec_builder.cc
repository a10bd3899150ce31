#include "services/containerd/container_spec_builder.h"

#include <signal.h>
#include <unistd.h>

#include <map>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/etc_files.h"
#include "common/proto_util.h"
#include "common/signals.h"
#include "common/status_macros.h"
#include "services/containerd/cgroups/cgroups.h"
#include "services/containerd/container_records.h"
#include "services/containerd/health/health_check.h"
#include "services/containerd/logs/log_writer.h"
#include "services/containerd/mount_plan.h"
#include "services/containerd/device_mappings.h"
#include "services/containerd/network_mode.h"
#include "services/containerd/runtime/runtime.h"
#include "services/containerd/runtime/userns.h"
#include "services/containerd/security/capabilities.h"
#include "services/containerd/security/paths.h"

namespace berth::containerd {

using container::v1::Container;
using container::v1::ContainerConfig;
using container::v1::HostConfig;
using container::v1::IdMapping;
using container::v1::RestartPolicy;
using container::v1::SecurityOptions;

namespace {

constexpr int64_t kMinimumMemory = 6 * 1024 * 1024;

std::string EnvKey(const std::string& entry) {
  return entry.substr(0, entry.find('='));
}

// Image env first; the container's entries replace same-named ones. Linear
// in the entries: an --env-file of 50k variables once took half a minute of
// daemon CPU comparing every pair.
std::vector<std::string> MergeEnv(const std::vector<std::string>& image,
                                  const std::vector<std::string>& container) {
  std::vector<std::string> merged = image;
  merged.reserve(image.size() + container.size());
  // Where each name stands in `merged` (an image may repeat a name).
  absl::flat_hash_map<std::string, std::vector<size_t>> positions;
  positions.reserve(merged.size() + container.size());
  for (size_t i = 0; i < merged.size(); ++i) {
    positions[EnvKey(merged[i])].push_back(i);
  }
  for (const std::string& entry : container) {
    std::vector<size_t>& at = positions[EnvKey(entry)];
    if (at.empty()) {
      at.push_back(merged.size());
      merged.push_back(entry);
    } else {
      for (size_t i : at) merged[i] = entry;
    }
  }
  return merged;
}

std::map<std::string, std::string> LogOptionsOf(const HostConfig& host) {
  return {host.log_config().options().begin(),
          host.log_config().options().end()};
}

}  // namespace

namespace {

std::vector<runtime::IdMap> ToIdMaps(
    const google::protobuf::RepeatedPtrField<IdMapping>& mappings) {
  std::vector<runtime::IdMap> maps;
  for (const IdMapping& m : mappings) {
    maps.push_back({m.container_id(), m.host_id(), m.size()});
  }
  return maps;
}

// "" stands for the daemon's default (DefaultCgroupnsMode), resolved by
// NewContainer.
absl::Status ValidateCgroupnsMode(const std::string& mode) {
  if (mode.empty() || mode == "private" || mode == "host") {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "invalid --cgroupns \"", mode, "\": use private or host"));
}

// Settings the contract has but this containerd cannot honour yet: refused,
// never accepted and ignored.
absl::Status RejectUnsupported(const HostConfig& host) {
  auto unsupported = [](absl::string_view what, absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " is not available yet: ", why));
  };
  if (!host.sysctls().empty()) {
    return unsupported("setting sysctls (--sysctl)", "no namespaced sysctl is set");
  }
  if (!host.ipc_mode().empty() && host.ipc_mode() != "private") {
    return unsupported(absl::StrCat("--ipc ", host.ipc_mode()),
                       "containers get a private IPC namespace");
  }
  if (!host.pid_mode().empty()) {
    return unsupported(absl::StrCat("--pid ", host.pid_mode()),
                       "containers get a private PID namespace");
  }
  if (!host.uts_mode().empty()) {
    return unsupported(absl::StrCat("--uts ", host.uts_mode()),
                       "containers get a private UTS namespace");
  }
  // containerd never opens a path a client names: the log always goes to
  // the container's own directory.
  if (!host.log_config().path().empty()) {
    return unsupported(
        absl::StrCat("a caller-chosen log path (\"", host.log_config().path(),
                     "\")"),
        "the log is written in the container's directory; leave the path "
        "empty and read it with `berth logs`");
  }
  return ValidateCgroupnsMode(host.cgroupns_mode());
}

absl::Status ValidateUserns(const HostConfig& host) {
  const std::string& mode = host.userns_mode();
  if (mode != "" && mode != "host" && mode != "private") {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid --userns \"", mode, "\": use host or private"));
  }
  if (mode != "private") {
    if (!host.uid_mappings().empty() || !host.gid_mappings().empty()) {
      return absl::InvalidArgumentError(
          "--uidmap and --gidmap need --userns private");
    }
    return absl::OkStatus();
  }
  if (host.privileged()) {
    return absl::InvalidArgumentError(
        "privileged mode is incompatible with user namespaces: use --userns "
        "host with --privileged");
  }
  ASSIGN_OR_RETURN(NetworkMode network, ParseNetworkMode(host.network_mode()));
  if (network.IsHost()) {
    return absl::InvalidArgumentError(
        "cannot share the host's network namespace when user namespaces are "
        "enabled: use --userns host with --network host");
  }
  if (!host.uid_mappings().empty()) {
    RETURN_IF_ERROR(runtime::ValidateIdMap(ToIdMaps(host.uid_mappings()), "uid"));
  }
  if (!host.gid_mappings().empty()) {
    RETURN_IF_ERROR(runtime::ValidateIdMap(ToIdMaps(host.gid_mappings()), "gid"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<StorageLimits> StorageLimitsOf(const HostConfig& host) {
  StorageLimits limits;
  for (const auto& [key, value] : host.storage_opt()) {
    RETURN_IF_ERROR(ApplyStorageOpt(key, value, &limits));
  }
  return limits;
}

absl::StatusOr<std::vector<std::string>> ValidateHostConfig(
    const HostConfig& host) {
  std::vector<std::string> warnings;
  // Mounts and devices are checked before anything is made; the volumes
  // they name are acquired later, with the image's and --volumes-from's.
  RETURN_IF_ERROR(PlanMounts(host, {}, {}).status());
  for (const std::string& from : host.volumes_from()) {
    RETURN_IF_ERROR(ParseVolumesFrom(from).status());
  }
  RETURN_IF_ERROR(ValidateDevices(host));

  RETURN_IF_ERROR(StorageLimitsOf(host).status());
  if (!host.cgroup_parent().empty()) {
    // Checked here, not first at start: a bad parent would otherwise be
    // stored and fail every start.
    RETURN_IF_ERROR(cgroups::NormalizeCgroupParent(host.cgroup_parent()).status());
  }
  ASSIGN_OR_RETURN(NetworkMode network, ParseNetworkMode(host.network_mode()));
  if (network.kind == NetworkMode::Kind::kHost &&
      (!host.port_bindings().empty() || host.publish_all_ports())) {
    warnings.push_back("Published ports are discarded when using host network mode");
  }
  if (network.kind == NetworkMode::Kind::kContainer) {
    // Docker's checks: the other container's network comes whole.
    if (!host.port_bindings().empty() || host.publish_all_ports()) {
      return absl::InvalidArgumentError(
          "conflicting options: port publishing and the container type "
          "network mode");
    }
    if (!host.dns().servers().empty() || !host.extra_hosts().empty()) {
      return absl::InvalidArgumentError(
          "conflicting options: dns and the network mode");
    }
  }
  ASSIGN_OR_RETURN(std::vector<int> caps,
                   security::ContainerCapabilities(
                       host.privileged(),
                       {host.cap_add().begin(), host.cap_add().end()},
                       {host.cap_drop().begin(), host.cap_drop().end()}));
  (void)caps;
  const RestartPolicy& restart = host.restart_policy();
  if (restart.maximum_retry_count() != 0 &&
      restart.name() != RestartPolicy::NAME_ON_FAILURE) {
    return absl::InvalidArgumentError(
        "maximum retry count cannot be used with restart policy other than "
        "on-failure");
  }
  if (restart.maximum_retry_count() < 0) {
    return absl::InvalidArgumentError(
        "maximum retry count cannot be negative");
  }
  if (host.auto_remove() && restart.name() != RestartPolicy::NAME_NO &&
      restart.name() != RestartPolicy::NAME_UNSPECIFIED) {
    return absl::InvalidArgumentError(
        "conflicting options: cannot specify both --restart and --rm");
  }
  const container::v1::Resources& resources = host.resources();
  if (resources.memory() < 0 ||
      (resources.memory() > 0 && resources.memory() < kMinimumMemory)) {
    return absl::InvalidArgumentError("Minimum memory limit allowed is 6MB");
  }
  if (resources.memory_swap() > 0 && resources.memory() > 0 &&
      resources.memory_swap() < resources.memory()) {
    return absl::InvalidArgumentError(
        "Minimum memoryswap limit should be larger than memory limit, see "
        "usage");
  }
  if (resources.memory_swap() != 0 && resources.memory() == 0 &&
      resources.memory_swap() != -1) {
    return absl::InvalidArgumentError(
        "You should always set the Memory limit when using Memoryswap limit, "
        "see usage");
  }
  const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  if (resources.nano_cpus() < 0 ||
      resources.nano_cpus() > int64_t{cpus} * 1000000000) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "Range of CPUs is from 0.01 to %d.00, as there are only %d CPUs "
        "available",
        cpus, cpus));
  }
  if (resources.nano_cpus() > 0 && resources.nano_cpus() < 10000000) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "Range of CPUs is from 0.01 to %d.00, as there are only %d CPUs "
        "available",
        cpus, cpus));
  }
  if (resources.cpu_shares() < 0) {
    return absl::InvalidArgumentError("invalid CPU shares: must be positive");
  }
  const std::string& driver = host.log_config().driver();
  if (!driver.empty() && driver != "json-file" && driver != "none") {
    return absl::InvalidArgumentError(absl::StrCat(
        "logging driver \"", driver,
        "\" is not available: use json-file (the default) or none"));
  }
  if (driver != "none") {
    RETURN_IF_ERROR(logs::ParseLogOptions(LogOptionsOf(host)).status());
  } else if (!host.log_config().options().empty()) {
    return absl::InvalidArgumentError(
        "log driver none does not take --log-opt options");
  }
  if (host.security().seccomp_mode() == SecurityOptions::SECCOMP_MODE_CUSTOM &&
      host.security().seccomp_profile_json().empty()) {
    return absl::InvalidArgumentError(
        "seccomp profile is empty: give a JSON profile file with "
        "--security-opt seccomp=FILE");
  }
  RETURN_IF_ERROR(RejectUnsupported(host));
  RETURN_IF_ERROR(ValidateUserns(host));
  for (const container::v1::Ulimit& ulimit : host.resources().ulimits()) {
    RETURN_IF_ERROR(runtime::RlimitFromName(ulimit.name()).status());
    if (ulimit.soft() > ulimit.hard()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "ulimit soft limit must be less than or equal to hard limit: ",
          ulimit.soft(), " > ", ulimit.hard()));
    }
  }
  return warnings;
}

std::pair<std::vector<runtime::IdMap>, std::vector<runtime::IdMap>>
UsernsMapsOf(const HostConfig& host, const UsernsRange& userns_range) {
  std::vector<runtime::IdMap> uid_map, gid_map;
  if (host.userns_mode() == "private") {
    uid_map = ToIdMaps(host.uid_mappings());
    gid_map = ToIdMaps(host.gid_mappings());
    if (uid_map.empty()) {
      uid_map.push_back({0, userns_range.host_uid, userns_range.size});
    }
    if (gid_map.empty()) {
      gid_map.push_back({0, userns_range.host_gid, userns_range.size});
    }
  }
  return {uid_map, gid_map};
}

std::pair<uint32_t, uint32_t> HostRootOf(const HostConfig& host,
                                         const UsernsRange& userns_range) {
  const auto [uid_map, gid_map] = UsernsMapsOf(host, userns_range);
  return {runtime::HostIdOfRoot(uid_map).value_or(0),
          runtime::HostIdOfRoot(gid_map).value_or(0)};
}

absl::StatusOr<Container> NewContainer(
    const container::v1::CreateContainerRequest& request,
    const image::v1::PrepareRootfsResponse& rootfs, const std::string& id,
    const std::string& name, const ContainerPaths& paths, absl::Time now,
    const std::string& default_cgroupns_mode) {
  const ContainerConfig& asked = request.config();
  const image::v1::ImageConfig& image = rootfs.config();
  ContainerConfig config = asked;

  std::vector<std::string> entrypoint(image.entrypoint().begin(),
                                      image.entrypoint().end());
  std::vector<std::string> cmd(image.cmd().begin(), image.cmd().end());
  if (asked.has_entrypoint()) {
    entrypoint.assign(asked.entrypoint().values().begin(),
                      asked.entrypoint().values().end());
    // Docker drops the image's CMD when the entrypoint is overridden.
    cmd.clear();
  }
  if (asked.has_cmd()) {
    cmd.assign(asked.cmd().values().begin(), asked.cmd().values().end());
  }
  std::vector<std::string> argv = entrypoint;
  argv.insert(argv.end(), cmd.begin(), cmd.end());
  if (argv.empty() || argv[0].empty()) {
    return absl::InvalidArgumentError(
        "no command specified: the image has no CMD or ENTRYPOINT; give a "
        "command after the image name");
  }
  config.mutable_entrypoint()->mutable_values()->Assign(entrypoint.begin(),
                                                        entrypoint.end());
  config.mutable_cmd()->mutable_values()->Assign(cmd.begin(), cmd.end());
  std::vector<std::string> env = MergeEnv(
      {image.env().begin(), image.env().end()},
      {asked.env().begin(), asked.env().end()});
  config.mutable_env()->Assign(env.begin(), env.end());
  if (config.working_dir().empty()) config.set_working_dir(image.working_dir());
  if (!config.working_dir().empty() && config.working_dir()[0] != '/') {
    return absl::InvalidArgumentError(absl::StrCat(
        "the working directory '", config.working_dir(), "' is invalid, it "
        "needs to be an absolute path"));
  }
  if (config.user().empty()) config.set_user(image.user());
  *config.mutable_healthcheck() =
      health::MergeHealthcheck(asked.healthcheck(), image.healthcheck());
  RETURN_IF_ERROR(health::ValidateHealthcheck(config.healthcheck()));
  if (config.stop_signal().empty()) config.set_stop_signal(image.stop_signal());
  if (!config.stop_signal().empty()) {
    RETURN_IF_ERROR(ParseSignal(config.stop_signal()).status());
  }
  if (config.hostname().empty()) config.set_hostname(id.substr(0, 12));
  for (const auto& [key, value] : image.labels()) {
    config.mutable_labels()->insert({key, value});
  }
  for (const std::string& port : image.exposed_ports()) {
    if (std::find(config.exposed_ports().begin(), config.exposed_ports().end(),
                  port) == config.exposed_ports().end()) {
      config.add_exposed_ports(port);
    }
  }

  Container container;
  container.set_id(id);
  container.set_name(name);
  *container.mutable_created() = ToTimestamp(now);
  container.set_path(argv[0]);
  for (size_t i = 1; i < argv.size(); ++i) container.add_args(argv[i]);
  container.mutable_state()->set_status(
      container::v1::CONTAINER_STATUS_CREATED);
  container.set_image_id(rootfs.rootfs().image_id());
  *container.mutable_config() = std::move(config);
  *container.mutable_host_config() = request.host_config();
  *container.mutable_networking_config() = request.networking_config();
  // The daemon's default stands in the record as what it means.
  ASSIGN_OR_RETURN(NetworkMode network,
                   ParseNetworkMode(container.host_config().network_mode()));
  container.mutable_host_config()->set_network_mode(network.ToString());
  // Resolved now, as Docker does: inspect shows the mode the container runs
  // with, and a later change of the host's layout does not change it.
  RETURN_IF_ERROR(ValidateCgroupnsMode(default_cgroupns_mode));
  if (container.host_config().cgroupns_mode().empty()) {
    container.mutable_host_config()->set_cgroupns_mode(
        default_cgroupns_mode.empty() ? "host" : default_cgroupns_mode);
  }
  if (container.host_config().log_config().driver().empty()) {
    container.mutable_host_config()->mutable_log_config()->set_driver(
        "json-file");
  }
  if (container.host_config().log_config().driver() == "json-file") {
    container.set_log_path(
        absl::StrCat(paths.state_dir, "/", id, "-json.log"));
  }
  container.set_hostname_path(paths.state_dir + "/hostname");
  container.set_hosts_path(paths.state_dir + "/hosts");
  container.set_resolv_conf_path(paths.state_dir + "/resolv.conf");
  container.set_rootfs_key(id);
  container.set_driver("overlay2");
  container.set_state_dir(paths.state_dir);
  const image::v1::OverlayMount& mount = rootfs.rootfs().mount();
  container::v1::GraphDriver* graph = container.mutable_graph_driver();
  *graph->mutable_lower_dirs() = mount.lower_dirs();
  graph->set_upper_dir(mount.upper_dir());
  graph->set_work_dir(mount.work_dir());
  graph->set_merged_dir(paths.state_dir + "/rootfs");
  graph->set_mount_options(mount.options());
  container.set_size_rw(-1);
  container.set_size_root_fs(-1);
  return container;
}

absl::StatusOr<shim::ShimSpec> BuildShimSpec(const Container& container,
                                             const std::string& overlay_options,
                                             const ContainerPaths& paths,
                                             const std::string& cgroup_parent,
                                             const UsernsRange& userns_range) {
  const ContainerConfig& config = container.config();
  const HostConfig& host = container.host_config();
  shim::ShimSpec spec;
  spec.set_id(container.id());
  spec.set_state_dir(paths.state_dir);
  spec.set_socket_path(paths.socket_path);
  spec.set_log_path(container.log_path());
  spec.set_log_max_file(1);
  if (!spec.log_path().empty()) {
    ASSIGN_OR_RETURN(logs::LogOptions options,
                     logs::ParseLogOptions(LogOptionsOf(host)));
    spec.set_log_max_size(options.max_size);
    spec.set_log_max_file(options.max_file);
  }
  spec.set_rootfs_dir(paths.state_dir + "/rootfs");
  spec.set_overlay_options(overlay_options);
  spec.set_readonly_rootfs(host.read_only_rootfs());
  spec.add_args(container.path());
  spec.mutable_args()->MergeFrom(container.args());
  *spec.mutable_env() = config.env();
  spec.set_cwd(config.working_dir());
  spec.set_user(config.user());
  *spec.mutable_group_add() = host.group_add();
  spec.set_hostname(config.hostname());
  spec.set_domainname(config.domainname());
  ASSIGN_OR_RETURN(NetworkMode network, ParseNetworkMode(host.network_mode()));
  spec.set_network_mode(network.IsHost() ? ::berth::shim::v1::NETWORK_MODE_HOST
                                         : ::berth::shim::v1::NETWORK_MODE_NONE);
  for (const auto& [source, destination] :
       {std::pair<std::string, const char*>{container.hostname_path(),
                                            "/etc/hostname"},
        {container.hosts_path(), "/etc/hosts"},
        {container.resolv_conf_path(), "/etc/resolv.conf"}}) {
    ::berth::shim::v1::Mount* mount = spec.add_mounts();
    mount->set_source(source);
    mount->set_destination(destination);
    // As Docker: a read-only container cannot write them either (they are
    // files in containerd's state dir, on the host's disk).
    mount->set_read_only(host.read_only_rootfs());
  }
  for (const container::v1::Ulimit& ulimit : host.resources().ulimits()) {
    ::berth::shim::v1::Rlimit* rlimit = spec.add_rlimits();
    rlimit->set_name(ulimit.name());
    rlimit->set_soft(static_cast<uint64_t>(ulimit.soft()));
    rlimit->set_hard(static_cast<uint64_t>(ulimit.hard()));
  }
  RETURN_IF_ERROR(AddShimMounts(container, &spec));
  ASSIGN_OR_RETURN(std::vector<::berth::shim::v1::Device> devices,
                   ShimDevicesOf(host));
  for (::berth::shim::v1::Device& device : devices) {
    *spec.add_devices() = std::move(device);
  }
  spec.set_run_init(host.init());
  spec.set_tty(config.tty());
  spec.set_open_stdin(config.open_stdin());
  spec.set_stdin_once(config.stdin_once());
  spec.set_console_height(host.console_height());
  spec.set_console_width(host.console_width());
  const auto [uid_map, gid_map] = UsernsMapsOf(host, userns_range);
  for (const runtime::IdMap& map : uid_map) {
    ::berth::shim::v1::IdMap* to = spec.add_uid_map();
    to->set_container_id(map.container_id);
    to->set_host_id(map.host_id);
    to->set_size(map.size);
  }
  for (const runtime::IdMap& map : gid_map) {
    ::berth::shim::v1::IdMap* to = spec.add_gid_map();
    to->set_container_id(map.container_id);
    to->set_host_id(map.host_id);
    to->set_size(map.size);
  }
  // Records made before the mode was resolved at create hold "": they ran
  // in the host's namespace, and keep doing so.
  spec.set_cgroupns_private(host.cgroupns_mode() == "private");

  // Every confinement field is set explicitly, empty lists included: the
  // shim refuses a spec that lacks one.
  ::berth::shim::v1::Confinement* confinement = spec.mutable_confinement();
  confinement->set_privileged(host.privileged());
  ASSIGN_OR_RETURN(std::vector<int> caps,
                   security::ContainerCapabilities(
                       host.privileged(),
                       {host.cap_add().begin(), host.cap_add().end()},
                       {host.cap_drop().begin(), host.cap_drop().end()}));
  for (const std::string& name : security::CapabilityNames(caps)) {
    confinement->mutable_capabilities()->add_items(name);
  }
  const SecurityOptions& security = host.security();
  confinement->set_no_new_privileges(security.no_new_privileges());
  if (host.privileged() ||
      security.seccomp_mode() == SecurityOptions::SECCOMP_MODE_UNCONFINED) {
    confinement->set_seccomp(::berth::shim::v1::SECCOMP_MODE_UNCONFINED);
  } else if (security.seccomp_mode() == SecurityOptions::SECCOMP_MODE_CUSTOM) {
    confinement->set_seccomp(::berth::shim::v1::SECCOMP_MODE_PROFILE);
    confinement->set_seccomp_profile_json(security.seccomp_profile_json());
  } else {
    confinement->set_seccomp(::berth::shim::v1::SECCOMP_MODE_DEFAULT);
  }
  ::berth::shim::v1::StringList* masked = confinement->mutable_masked_paths();
  ::berth::shim::v1::StringList* readonly =
      confinement->mutable_readonly_paths();
  if (!host.privileged() && !security.unconfined_system_paths()) {
    if (security.masked_paths().empty()) {
      for (const std::string& path : security::DefaultMaskedPaths()) {
        masked->add_items(path);
      }
    } else {
      *masked->mutable_items() = security.masked_paths();
    }
    if (security.readonly_paths().empty()) {
      for (const std::string& path : security::DefaultReadonlyPaths()) {
        readonly->add_items(path);
      }
    } else {
      *readonly->mutable_items() = security.readonly_paths();
    }
  }
  const container::v1::Resources& resources = host.resources();
  spec.set_cgroup_parent(host.cgroup_parent().empty() ? cgroup_parent
                                                      : host.cgroup_parent());
  spec.set_memory(resources.memory());
  spec.set_memory_swap(resources.memory_swap());
  spec.set_nano_cpus(resources.nano_cpus());
  spec.set_cpu_shares(resources.cpu_shares());
  spec.set_pids_limit(resources.pids_limit());
  spec.set_cpuset_cpus(resources.cpuset_cpus());
  spec.set_cpu_period_us(resources.cpu_period());
  spec.set_cpu_quota_us(resources.cpu_quota());
  spec.set_cpuset_mems(resources.cpuset_mems());
  spec.set_memory_reservation(resources.memory_reservation());
  spec.set_blkio_weight(resources.blkio_weight());
  RETURN_IF_ERROR(shim::ValidateShimSpec(spec));
  return spec;
}

std::string HostnameFileFor(const Container& container) {
  return container.config().hostname() + "\n";
}

std::string HostsFileFor(const Container& container) {
  std::string hosts = LoopbackHostsLines();
  absl::StatusOr<NetworkMode> network =
      ParseNetworkMode(container.host_config().network_mode());
  if (!network.ok() || !network->IsHost()) {
    // Without a network the hostname still resolves, to the loopback.
    absl::StrAppend(&hosts, "127.0.1.1\t", container.config().hostname(),
                    "\n");
  }
  return hosts;
}

}  // namespace berth::containerd
