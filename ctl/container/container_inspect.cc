#include "common/proto_util.h"
#include "ctl/container/container_inspect.h"
#include "ctl/cli/docker_json.h"

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ctl/container/container_format.h"
#include "ctl/cli/format.h"

namespace berth::ctl {
namespace {

using nlohmann::ordered_json;
using Strings = google::protobuf::RepeatedPtrField<std::string>;

constexpr char kZeroTime[] = "0001-01-01T00:00:00Z";

std::string Time(const google::protobuf::Timestamp& ts) {
  if (ts.seconds() == 0 && ts.nanos() == 0) return kZeroTime;
  return FormatRfc3339Nano(absl::FromUnixSeconds(ts.seconds()) +
                           absl::Nanoseconds(ts.nanos()));
}

ordered_json ListOrNull(const Strings& values) {
  if (values.empty()) return nullptr;
  return ordered_json(std::vector<std::string>(values.begin(), values.end()));
}

// Docker's []string fields that marshal as [] when empty.
ordered_json List(const Strings& values) {
  return ordered_json(std::vector<std::string>(values.begin(), values.end()));
}

// {"80/tcp": [{"HostIp": "", "HostPort": "8080"}]}; null when none.
ordered_json PortMap(
    const google::protobuf::RepeatedPtrField<types::v1::PortBinding>& ports,
    bool null_when_empty) {
  if (ports.empty()) {
    return null_when_empty ? ordered_json(nullptr) : ordered_json::object();
  }
  std::map<std::string, ordered_json> sorted;
  for (const types::v1::PortBinding& port : ports) {
    const std::string key =
        absl::StrCat(port.container_port(), "/", ProtocolName(port.protocol()));
    ordered_json& list = sorted[key];
    if (list.is_null()) list = ordered_json::array();
    if (port.host_port() != 0 || !port.host_ip().empty()) {
      list.push_back(ordered_json{
          {"HostIp", port.host_ip()},
          {"HostPort",
           port.host_port() == 0 ? "" : absl::StrCat(port.host_port())}});
    }
  }
  ordered_json out = ordered_json::object();
  for (auto& [key, list] : sorted) {
    out[key] = list.empty() ? ordered_json(nullptr) : list;
  }
  return out;
}

std::string RestartName(container::v1::RestartPolicy::Name name) {
  using container::v1::RestartPolicy;
  switch (name) {
    case RestartPolicy::NAME_ALWAYS:
      return "always";
    case RestartPolicy::NAME_ON_FAILURE:
      return "on-failure";
    case RestartPolicy::NAME_UNLESS_STOPPED:
      return "unless-stopped";
    default:
      return "no";
  }
}

// The --security-opt strings Docker keeps in HostConfig.SecurityOpt.
ordered_json SecurityOpt(const container::v1::SecurityOptions& s) {
  using container::v1::SecurityOptions;
  std::vector<std::string> out;
  if (s.seccomp_mode() == SecurityOptions::SECCOMP_MODE_UNCONFINED) {
    out.push_back("seccomp=unconfined");
  } else if (s.seccomp_mode() == SecurityOptions::SECCOMP_MODE_CUSTOM) {
    out.push_back(absl::StrCat("seccomp=", s.seccomp_profile_json()));
  }
  if (!s.apparmor_profile().empty()) {
    out.push_back(absl::StrCat("apparmor=", s.apparmor_profile()));
  }
  for (const std::string& label : s.selinux_options()) {
    out.push_back(absl::StrCat("label=", label));
  }
  if (s.no_new_privileges()) out.push_back("no-new-privileges");
  if (s.unconfined_system_paths()) out.push_back("systempaths=unconfined");
  if (out.empty()) return nullptr;
  return out;
}

ordered_json StateJson(const container::v1::ContainerState& state) {
  ordered_json out = ordered_json::object();
  out["Status"] = StateName(state.status());
  out["Running"] = state.running();
  out["Paused"] = state.paused();
  out["Restarting"] = state.restarting();
  out["OOMKilled"] = state.oom_killed();
  out["Dead"] = state.dead();
  out["Pid"] = state.pid();
  out["ExitCode"] = state.exit_code();
  out["Error"] = state.error();
  out["StartedAt"] = Time(state.started_at());
  out["FinishedAt"] = Time(state.finished_at());
  using container::v1::Health;
  if (state.has_health() && state.health().status() != Health::STATUS_NONE &&
      state.health().status() != Health::STATUS_UNSPECIFIED) {
    const Health& health = state.health();
    ordered_json log = ordered_json::array();
    for (const Health::Probe& probe : health.log()) {
      log.push_back(ordered_json{{"Start", Time(probe.start())},
                                 {"End", Time(probe.end())},
                                 {"ExitCode", probe.exit_code()},
                                 {"Output", probe.output()}});
    }
    const char* status = health.status() == Health::STATUS_STARTING  ? "starting"
                         : health.status() == Health::STATUS_HEALTHY ? "healthy"
                                                                      : "unhealthy";
    out["Health"] = ordered_json{{"Status", status},
                                 {"FailingStreak", health.failing_streak()},
                                 {"Log", log}};
  }
  return out;
}

const char* MountTypeName(types::v1::Mount::Type type) {
  switch (type) {
    case types::v1::Mount::TYPE_VOLUME:
      return "volume";
    case types::v1::Mount::TYPE_TMPFS:
      return "tmpfs";
    default:
      return "bind";
  }
}

// A --mount or --tmpfs as Docker's mount.Mount marshals in
// HostConfig.Mounts: every field omitempty, in Docker's order.
ordered_json MountSpecJson(const types::v1::Mount& m) {
  ordered_json out = ordered_json::object();
  out["Type"] = MountTypeName(m.type());
  if (!m.source().empty()) out["Source"] = m.source();
  if (!m.target().empty()) out["Target"] = m.target();
  if (m.read_only()) out["ReadOnly"] = true;
  if (m.has_bind_options()) {
    const types::v1::Mount::BindOptions& b = m.bind_options();
    ordered_json bind = ordered_json::object();
    const std::string propagation = PropagationName(b.propagation());
    if (!propagation.empty()) bind["Propagation"] = propagation;
    if (b.non_recursive()) bind["NonRecursive"] = true;
    if (b.create_host_path()) bind["CreateMountpoint"] = true;
    out["BindOptions"] = bind;
  }
  if (m.has_volume_options()) {
    const types::v1::Mount::VolumeOptions& v = m.volume_options();
    ordered_json volume = ordered_json::object();
    if (v.no_copy()) volume["NoCopy"] = true;
    if (!v.labels().empty()) volume["Labels"] = MapOrNull(v.labels());
    if (!v.subpath().empty()) volume["Subpath"] = v.subpath();
    // Docker's CLI always sends a DriverConfig with volume options.
    ordered_json driver = ordered_json::object();
    if (!v.driver().empty()) driver["Name"] = v.driver();
    if (!v.driver_options().empty()) {
      driver["Options"] = MapOrNull(v.driver_options());
    }
    volume["DriverConfig"] = driver;
    out["VolumeOptions"] = volume;
  }
  if (m.has_tmpfs_options()) {
    const types::v1::Mount::TmpfsOptions& t = m.tmpfs_options();
    ordered_json tmpfs = ordered_json::object();
    if (t.size_bytes() != 0) tmpfs["SizeBytes"] = t.size_bytes();
    if (t.mode() != 0) tmpfs["Mode"] = t.mode();
    // Docker's [][]string: each option as its key and value.
    if (!t.options().empty()) {
      ordered_json options = ordered_json::array();
      for (const std::string& option : t.options()) {
        const size_t eq = option.find('=');
        options.push_back(eq == std::string::npos
                              ? ordered_json{option}
                              : ordered_json{option.substr(0, eq),
                                             option.substr(eq + 1)});
      }
      tmpfs["Options"] = options;
    }
    out["TmpfsOptions"] = tmpfs;
  }
  return out;
}

ordered_json HostConfigJson(const container::v1::HostConfig& h) {
  const container::v1::Resources& r = h.resources();
  ordered_json out = ordered_json::object();
  out["Binds"] = ListOrNull(h.binds());
  out["ContainerIDFile"] = "";
  ordered_json log_config = ordered_json::object();
  log_config["Type"] =
      h.log_config().driver().empty() ? "json-file" : h.log_config().driver();
  log_config["Config"] = h.log_config().options().empty()
                             ? ordered_json::object()
                             : MapOrNull(h.log_config().options());
  out["LogConfig"] = log_config;
  out["NetworkMode"] = h.network_mode();
  out["PortBindings"] = PortMap(h.port_bindings(), false);
  out["RestartPolicy"] =
      ordered_json{{"Name", RestartName(h.restart_policy().name())},
                   {"MaximumRetryCount", h.restart_policy().maximum_retry_count()}};
  out["AutoRemove"] = h.auto_remove();
  out["VolumeDriver"] = "";
  out["VolumesFrom"] = ListOrNull(h.volumes_from());
  out["ConsoleSize"] = {h.console_height(), h.console_width()};
  out["CapAdd"] = ListOrNull(h.cap_add());
  out["CapDrop"] = ListOrNull(h.cap_drop());
  out["CgroupnsMode"] = h.cgroupns_mode();
  out["Dns"] = List(h.dns().servers());
  out["DnsOptions"] = List(h.dns().options());
  out["DnsSearch"] = List(h.dns().searches());
  std::vector<std::string> hosts;
  for (const types::v1::HostEntry& entry : h.extra_hosts()) {
    for (const std::string& name : entry.names()) {
      hosts.push_back(absl::StrCat(name, ":", entry.ip()));
    }
  }
  out["ExtraHosts"] = hosts.empty() ? ordered_json(nullptr) : ordered_json(hosts);
  out["GroupAdd"] = ListOrNull(h.group_add());
  out["IpcMode"] = h.ipc_mode();
  out["Cgroup"] = "";
  out["Links"] = nullptr;
  out["OomScoreAdj"] = r.oom_score_adj();
  out["PidMode"] = h.pid_mode();
  out["Privileged"] = h.privileged();
  out["PublishAllPorts"] = h.publish_all_ports();
  out["ReadonlyRootfs"] = h.read_only_rootfs();
  out["SecurityOpt"] = SecurityOpt(h.security());
  // Docker's is `omitempty`: absent unless --storage-opt was given.
  if (!h.storage_opt().empty()) out["StorageOpt"] = MapOrNull(h.storage_opt());
  // Likewise --tmpfs: {"/path": "options"}.
  if (!h.tmpfs().empty()) out["Tmpfs"] = MapOrNull(h.tmpfs());
  out["UTSMode"] = h.uts_mode();
  out["UsernsMode"] = h.userns_mode();
  out["ShmSize"] = r.shm_size() != 0 ? r.shm_size() : int64_t{67108864};
  out["Runtime"] = "runc";
  out["Isolation"] = "";
  out["CpuShares"] = r.cpu_shares();
  out["Memory"] = r.memory();
  out["NanoCpus"] = r.nano_cpus();
  out["CgroupParent"] = h.cgroup_parent();
  out["BlkioWeight"] = r.blkio_weight();
  out["CpuPeriod"] = r.cpu_period();
  out["CpuQuota"] = r.cpu_quota();
  out["CpusetCpus"] = r.cpuset_cpus();
  out["CpusetMems"] = r.cpuset_mems();
  ordered_json devices = ordered_json::array();
  for (const container::v1::DeviceMapping& d : h.devices()) {
    devices.push_back(ordered_json{
        {"PathOnHost", d.path_on_host()},
        {"PathInContainer", d.path_in_container().empty()
                                ? d.path_on_host()
                                : d.path_in_container()},
        {"CgroupPermissions",
         d.cgroup_permissions().empty() ? "rwm" : d.cgroup_permissions()}});
  }
  out["Devices"] = devices;
  out["DeviceCgroupRules"] = ListOrNull(r.device_cgroup_rules());
  out["MemoryReservation"] = r.memory_reservation();
  out["MemorySwap"] = r.memory_swap();
  out["MemorySwappiness"] = r.has_memory_swappiness()
                                ? ordered_json(r.memory_swappiness())
                                : ordered_json(nullptr);
  out["OomKillDisable"] = r.oom_kill_disable();
  out["PidsLimit"] =
      r.pids_limit() != 0 ? ordered_json(r.pids_limit()) : ordered_json(nullptr);
  ordered_json ulimits = ordered_json::array();
  for (const container::v1::Ulimit& u : r.ulimits()) {
    ulimits.push_back(
        ordered_json{{"Name", u.name()}, {"Hard", u.hard()}, {"Soft", u.soft()}});
  }
  out["Ulimits"] = ulimits.empty() ? ordered_json(nullptr) : ulimits;
  // Docker's is omitempty: there only when --mount was given.
  if (!h.mounts().empty()) {
    ordered_json mounts = ordered_json::array();
    for (const types::v1::Mount& m : h.mounts()) {
      mounts.push_back(MountSpecJson(m));
    }
    out["Mounts"] = mounts;
  }
  out["Init"] = h.init();
  out["MaskedPaths"] = ListOrNull(h.security().masked_paths());
  out["ReadonlyPaths"] = ListOrNull(h.security().readonly_paths());
  return out;
}

ordered_json ConfigJson(const container::v1::ContainerConfig& c) {
  ordered_json out = ordered_json::object();
  out["Hostname"] = c.hostname();
  out["Domainname"] = c.domainname();
  out["User"] = c.user();
  out["AttachStdin"] = c.attach_stdin();
  out["AttachStdout"] = c.attach_stdout();
  out["AttachStderr"] = c.attach_stderr();
  if (!c.exposed_ports().empty()) {
    ordered_json ports = ordered_json::object();
    for (const std::string& port : std::set<std::string>(
             c.exposed_ports().begin(), c.exposed_ports().end())) {
      ports[port] = ordered_json::object();
    }
    out["ExposedPorts"] = ports;
  }
  out["Tty"] = c.tty();
  out["OpenStdin"] = c.open_stdin();
  out["StdinOnce"] = c.stdin_once();
  out["Env"] = ListOrNull(c.env());
  out["Cmd"] = c.has_cmd() ? ListOrNull(c.cmd().values()) : nullptr;
  out["Image"] = c.image();
  if (c.volumes().empty()) {
    out["Volumes"] = nullptr;
  } else {
    ordered_json volumes = ordered_json::object();
    for (const std::string& v :
         std::set<std::string>(c.volumes().begin(), c.volumes().end())) {
      volumes[v] = ordered_json::object();
    }
    out["Volumes"] = volumes;
  }
  out["WorkingDir"] = c.working_dir();
  out["Entrypoint"] =
      c.has_entrypoint() ? ListOrNull(c.entrypoint().values()) : nullptr;
  out["OnBuild"] = nullptr;
  out["Labels"] =
      c.labels().empty() ? ordered_json::object() : MapOrNull(c.labels());
  if (!c.stop_signal().empty()) out["StopSignal"] = c.stop_signal();
  if (c.has_stop_timeout()) out["StopTimeout"] = c.stop_timeout();
  return out;
}

ordered_json MountsJson(
    const google::protobuf::RepeatedPtrField<container::v1::MountPoint>& mounts) {
  ordered_json out = ordered_json::array();
  for (const container::v1::MountPoint& m : mounts) {
    ordered_json mount = ordered_json::object();
    mount["Type"] = MountTypeName(m.type());
    if (!m.name().empty()) mount["Name"] = m.name();
    mount["Source"] = m.source();
    mount["Destination"] = m.destination();
    if (!m.driver().empty()) mount["Driver"] = m.driver();
    mount["Mode"] = m.mode();
    mount["RW"] = m.rw();
    // Docker shows a bind's propagation, rprivate unless set, and none
    // for volumes and tmpfs.
    std::string propagation = PropagationName(m.propagation());
    if (m.type() == types::v1::Mount::TYPE_BIND && propagation.empty()) {
      propagation = "rprivate";
    }
    mount["Propagation"] = propagation;
    out.push_back(mount);
  }
  return out;
}

ordered_json NetworkSettingsJson(const container::v1::Container& c) {
  const container::v1::NetworkSettings& n = c.network_settings();
  ordered_json out = ordered_json::object();
  out["Bridge"] = "";
  out["SandboxID"] = "";
  out["SandboxKey"] = n.sandbox_key();
  out["Ports"] = PortMap(n.ports(), false);
  ordered_json networks = ordered_json::object();
  std::map<std::string, const types::v1::NetworkEndpoint*> sorted;
  for (const auto& [name, endpoint] : n.networks()) sorted[name] = &endpoint;
  for (const auto& [name, e] : sorted) {
    networks[name] = ordered_json{
        {"IPAMConfig", nullptr},
        {"Links", nullptr},
        {"Aliases", ListOrNull(e->aliases())},
        {"MacAddress", e->mac_address()},
        {"NetworkID", e->network_id()},
        {"EndpointID", e->endpoint_id()},
        {"Gateway", e->ipv4_gateway()},
        {"IPAddress", e->ipv4_address()},
        {"IPPrefixLen", e->ipv4_prefix_length()},
        {"IPv6Gateway", e->ipv6_gateway()},
        {"GlobalIPv6Address", e->ipv6_address()},
        {"GlobalIPv6PrefixLen", e->ipv6_prefix_length()},
        {"DriverOpts", nullptr},
        {"DNSNames", ListOrNull(e->dns_names())}};
  }
  out["Networks"] = networks;
  return out;
}

}  // namespace

ordered_json ContainerInspectJson(const container::v1::Container& c) {
  ordered_json out = ordered_json::object();
  out["Id"] = c.id();
  out["Created"] = Time(c.created());
  out["Path"] = c.path();
  out["Args"] = List(c.args());
  out["State"] = StateJson(c.state());
  out["Image"] = c.image_id();
  out["ResolvConfPath"] = c.resolv_conf_path();
  out["HostnamePath"] = c.hostname_path();
  out["HostsPath"] = c.hosts_path();
  out["LogPath"] = c.log_path();
  out["Name"] = absl::StrCat("/", c.name());
  out["RestartCount"] = c.restart_count();
  out["Driver"] = c.driver();
  out["Platform"] = c.platform().os().empty() ? "linux" : c.platform().os();
  out["MountLabel"] = "";
  out["ProcessLabel"] = "";
  out["AppArmorProfile"] = c.host_config().security().apparmor_profile();
  out["ExecIDs"] = ListOrNull(c.exec_ids());
  out["HostConfig"] = HostConfigJson(c.host_config());
  if (c.has_graph_driver()) {
    const container::v1::GraphDriver& graph = c.graph_driver();
    out["GraphDriver"] = {
        {"Data",
         {{"LowerDir", absl::StrJoin(graph.lower_dirs(), ":")},
          {"MergedDir", graph.merged_dir()},
          {"UpperDir", graph.upper_dir()},
          {"WorkDir", graph.work_dir()}}},
        {"Name", c.driver()}};
  }
  if (c.size_rw() >= 0 && c.size_root_fs() > 0) {
    out["SizeRw"] = c.size_rw();
    out["SizeRootFs"] = c.size_root_fs();
  }
  out["Mounts"] = MountsJson(c.mounts());
  out["Config"] = ConfigJson(c.config());
  out["NetworkSettings"] = NetworkSettingsJson(c);
  return out;
}

}  // namespace berth::ctl
