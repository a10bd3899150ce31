#include "ctl/container/container_spec.h"

#include <algorithm>
#include <functional>
#include <map>
#include <tuple>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "common/go_duration.h"
#include "common/status_macros.h"
#include "ctl/container/mount_specs.h"
#include "ctl/container/port_specs.h"

namespace berth::ctl {
namespace {

using container::v1::CreateContainerRequest;

absl::Status AddEnv(const ContainerFlags& flags, const SpecInputs& inputs,
                    container::v1::ContainerConfig* config) {
  absl::StatusOr<std::vector<std::string>> env =
      CollectEnv(flags.env_files, flags.env, inputs);
  if (!env.ok()) return env.status();
  for (std::string& entry : *env) config->add_env(std::move(entry));
  return absl::OkStatus();
}

absl::Status AddLabels(const ContainerFlags& flags, const SpecInputs& inputs,
                       container::v1::ContainerConfig* config) {
  std::vector<std::string> all;
  for (const std::string& file : flags.label_files) {
    absl::StatusOr<std::string> content = inputs.read_file(file);
    if (!content.ok()) return content.status();
    absl::StatusOr<std::vector<std::string>> lines =
        ParseEnvFile(*content, file, nullptr);
    if (!lines.ok()) return lines.status();
    all.insert(all.end(), lines->begin(), lines->end());
  }
  all.insert(all.end(), flags.labels.begin(), flags.labels.end());
  absl::StatusOr<std::map<std::string, std::string>> labels = ParseLabels(all);
  if (!labels.ok()) return labels.status();
  for (const auto& [key, value] : *labels) (*config->mutable_labels())[key] = value;
  return absl::OkStatus();
}

// A --health-* duration: Go's syntax, not negative.
absl::Status SetHealthDuration(
    const std::string& flag, const std::string& value,
    const std::function<google::protobuf::Duration*()>& field) {
  if (value.empty()) return absl::OkStatus();
  absl::StatusOr<absl::Duration> parsed = ParseGoDuration(value);
  if (!parsed.ok()) {
    return FlagValueError(flag, value,
                          absl::StrCat("time: invalid duration \"", value, "\""));
  }
  if (*parsed < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(absl::StrCat(flag, " cannot be negative"));
  }
  const int64_t nanos = absl::ToInt64Nanoseconds(*parsed);
  google::protobuf::Duration* out = field();
  out->set_seconds(nanos / 1000000000);
  out->set_nanos(static_cast<int32_t>(nanos % 1000000000));
  return absl::OkStatus();
}

// Docker's --health-* and --no-healthcheck (docker/cli's opts.go rules).
absl::Status SetHealthcheck(const ContainerFlags& flags,
                            container::v1::ContainerConfig* config) {
  const bool any = !flags.health_cmd.empty() || !flags.health_interval.empty() ||
                   !flags.health_timeout.empty() ||
                   !flags.health_start_period.empty() ||
                   !flags.health_start_interval.empty() ||
                   !flags.health_retries.empty();
  if (flags.no_healthcheck) {
    if (any) {
      return absl::InvalidArgumentError(
          "--no-healthcheck conflicts with --health-* options");
    }
    config->mutable_healthcheck()->add_test("NONE");
    return absl::OkStatus();
  }
  if (!any) return absl::OkStatus();
  types::v1::Healthcheck* check = config->mutable_healthcheck();
  if (!flags.health_cmd.empty()) {
    check->add_test("CMD-SHELL");
    check->add_test(flags.health_cmd);
  }
  const std::tuple<const char*, const std::string*,
                   std::function<google::protobuf::Duration*()>>
      durations[] = {
          {"--health-interval", &flags.health_interval,
           [check] { return check->mutable_interval(); }},
          {"--health-timeout", &flags.health_timeout,
           [check] { return check->mutable_timeout(); }},
          {"--health-start-period", &flags.health_start_period,
           [check] { return check->mutable_start_period(); }},
          {"--health-start-interval", &flags.health_start_interval,
           [check] { return check->mutable_start_interval(); }},
      };
  for (const auto& [flag, value, field] : durations) {
    if (absl::Status s = SetHealthDuration(flag, *value, field); !s.ok()) return s;
  }
  if (!flags.health_retries.empty()) {
    absl::StatusOr<int64_t> retries =
        ParseIntFlag("--health-retries", flags.health_retries);
    if (!retries.ok()) return retries.status();
    if (*retries < 0) {
      return absl::InvalidArgumentError("--health-retries cannot be negative");
    }
    check->set_retries(static_cast<int32_t>(*retries));
  }
  return absl::OkStatus();
}

absl::Status SetResources(const ContainerFlags& flags,
                          container::v1::Resources* resources) {
  if (flags.memory.has_value()) {
    absl::StatusOr<int64_t> bytes = ParseRamBytes(*flags.memory);
    if (!bytes.ok()) {
      return FlagValueError("-m, --memory", *flags.memory,
                            bytes.status().message());
    }
    resources->set_memory(*bytes);
  }
  if (!flags.memory_swap.empty()) {
    if (flags.memory_swap == "-1") {
      resources->set_memory_swap(-1);
    } else {
      absl::StatusOr<int64_t> bytes = ParseRamBytes(flags.memory_swap);
      if (!bytes.ok()) {
        return FlagValueError("--memory-swap", flags.memory_swap,
                              bytes.status().message());
      }
      resources->set_memory_swap(*bytes);
    }
  }
  if (!flags.cpus.empty()) {
    absl::StatusOr<int64_t> nanos = ParseNanoCpus(flags.cpus);
    if (!nanos.ok()) {
      return FlagValueError("--cpus", flags.cpus, nanos.status().message());
    }
    resources->set_nano_cpus(*nanos);
  }
  if (!flags.cpu_shares.empty()) {
    absl::StatusOr<int64_t> shares =
        ParseIntFlag("-c, --cpu-shares", flags.cpu_shares);
    if (!shares.ok()) return shares.status();
    resources->set_cpu_shares(*shares);
  }
  if (!flags.pids_limit.empty()) {
    absl::StatusOr<int64_t> limit =
        ParseIntFlag("--pids-limit", flags.pids_limit);
    if (!limit.ok()) return limit.status();
    resources->set_pids_limit(*limit);
  }
  for (const std::string& value : flags.ulimits) {
    absl::StatusOr<container::v1::Ulimit> ulimit = ParseUlimit(value);
    if (!ulimit.ok()) {
      return FlagValueError("--ulimit", value, ulimit.status().message());
    }
    *resources->add_ulimits() = *std::move(ulimit);
  }
  return absl::OkStatus();
}

// -p, -P and --expose: published ports are exposed too (Docker's
// ExposedPorts lists them).
absl::Status SetPorts(const ContainerFlags& flags,
                      container::v1::CreateContainerRequest* request) {
  container::v1::HostConfig* host = request->mutable_host_config();
  container::v1::ContainerConfig* config = request->mutable_config();
  auto expose = [config](const std::string& port) {
    if (std::find(config->exposed_ports().begin(), config->exposed_ports().end(),
                  port) == config->exposed_ports().end()) {
      config->add_exposed_ports(port);
    }
  };
  for (const std::string& spec : flags.expose) {
    ASSIGN_OR_RETURN(std::vector<std::string> ports, ParseExpose(spec));
    for (const std::string& port : ports) expose(port);
  }
  for (const std::string& spec : flags.publish) {
    ASSIGN_OR_RETURN(std::vector<types::v1::PortBinding> bindings, ParsePublish(spec));
    for (types::v1::PortBinding& binding : bindings) {
      expose(ExposedName(binding));
      *host->add_port_bindings() = std::move(binding);
    }
  }
  host->set_publish_all_ports(flags.publish_all);
  return absl::OkStatus();
}

absl::Status SetNetwork(const ContainerFlags& flags,
                        container::v1::CreateContainerRequest* request) {
  // "" leaves the choice to the daemon: its default bridge, as Docker's.
  request->mutable_host_config()->set_network_mode(flags.network);
  for (const std::string& link : flags.links) {
    request->mutable_host_config()->add_links(link);
  }
  RETURN_IF_ERROR(SetPorts(flags, request));
  if (flags.network_aliases.empty() && flags.ip.empty()) {
    return absl::OkStatus();
  }
  if (flags.network.empty() || flags.network == "none" ||
      flags.network == "host" || flags.network == "bridge" ||
      absl::StartsWith(flags.network, "container:")) {
    return absl::InvalidArgumentError(
        flags.ip.empty()
            ? "network-scoped aliases are only supported for user-defined "
              "networks: add --network NAME"
            : "user specified IP address is supported on user defined "
              "networks only: add --network NAME");
  }
  types::v1::EndpointConfig& endpoint =
      (*request->mutable_networking_config()->mutable_endpoints())[flags.network];
  for (const std::string& alias : flags.network_aliases) {
    endpoint.add_aliases(alias);
  }
  endpoint.set_ipv4_address(flags.ip);
  return absl::OkStatus();
}

// -v, --mount, --tmpfs, --volumes-from and --device, in Docker's places:
// -v without a source is an anonymous volume (Config.Volumes), with one a
// bind string containerd parses; --mount is a structured mount and --tmpfs
// Docker's Tmpfs map (checked here, read again by containerd).
absl::Status SetStorage(const ContainerFlags& flags, const SpecInputs& inputs,
                        container::v1::CreateContainerRequest* request) {
  container::v1::HostConfig* host = request->mutable_host_config();
  container::v1::ContainerConfig* config = request->mutable_config();
  for (const std::string& value : flags.volumes) {
    ASSIGN_OR_RETURN(VolumeFlag volume,
                     ParseVolumeFlag(value, inputs.working_dir));
    if (!volume.anonymous) {
      host->add_binds(std::move(volume.value));
    } else if (std::find(config->volumes().begin(), config->volumes().end(),
                         volume.value) == config->volumes().end()) {
      config->add_volumes(std::move(volume.value));
    }
  }
  for (const std::string& value : flags.mounts) {
    ASSIGN_OR_RETURN(*host->add_mounts(),
                     ParseMountFlag(value, inputs.working_dir));
  }
  for (const std::string& value : flags.tmpfs) {
    ASSIGN_OR_RETURN(types::v1::Mount tmpfs, ParseTmpfsFlag(value));
    const size_t colon = value.find(':');
    (*host->mutable_tmpfs())[tmpfs.target()] =
        colon == std::string::npos ? "" : value.substr(colon + 1);
  }
  for (const std::string& value : flags.volumes_from) {
    host->add_volumes_from(value);
  }
  for (const std::string& value : flags.devices) {
    ASSIGN_OR_RETURN(*host->add_devices(), ParseDeviceFlag(value));
  }
  return absl::OkStatus();
}

// "CONTAINER:HOST:SIZE" (Podman's --uidmap/--gidmap).
absl::StatusOr<container::v1::IdMapping> ParseIdMapping(const std::string& flag,
                                                       const std::string& value) {
  std::vector<std::string> parts = absl::StrSplit(value, ':');
  uint32_t ids[3];
  if (parts.size() != 3 || !absl::SimpleAtoi(parts[0], &ids[0]) ||
      !absl::SimpleAtoi(parts[1], &ids[1]) || !absl::SimpleAtoi(parts[2], &ids[2])) {
    return FlagValueError(flag, value, "expected CONTAINER_ID:HOST_ID:SIZE");
  }
  container::v1::IdMapping mapping;
  mapping.set_container_id(ids[0]);
  mapping.set_host_id(ids[1]);
  mapping.set_size(ids[2]);
  return mapping;
}

absl::Status SetUserns(const ContainerFlags& flags,
                       container::v1::HostConfig* host) {
  if (!flags.userns.empty() && flags.userns != "host" &&
      flags.userns != "private") {
    return FlagValueError("--userns", flags.userns, "use host or private");
  }
  // Mappings ask for a user namespace; the uid map serves for gids too
  // unless --gidmap is given (as in Podman).
  const bool mapped = !flags.uid_maps.empty() || !flags.gid_maps.empty();
  host->set_userns_mode(flags.userns.empty() && mapped ? "private" : flags.userns);
  for (const std::string& value : flags.uid_maps) {
    absl::StatusOr<container::v1::IdMapping> m = ParseIdMapping("--uidmap", value);
    if (!m.ok()) return m.status();
    *host->add_uid_mappings() = *m;
  }
  for (const std::string& value : flags.gid_maps) {
    absl::StatusOr<container::v1::IdMapping> m = ParseIdMapping("--gidmap", value);
    if (!m.ok()) return m.status();
    *host->add_gid_mappings() = *m;
  }
  if (flags.gid_maps.empty()) *host->mutable_gid_mappings() = host->uid_mappings();
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<std::string>> CollectEnv(
    const std::vector<std::string>& env_files,
    const std::vector<std::string>& env, const SpecInputs& inputs) {
  std::vector<std::string> all;
  // Docker: the files first, in order, then every -e.
  for (const std::string& file : env_files) {
    absl::StatusOr<std::string> content = inputs.read_file(file);
    if (!content.ok()) return content.status();
    absl::StatusOr<std::vector<std::string>> lines =
        ParseEnvFile(*content, file, &inputs.lookup_env);
    if (!lines.ok()) return lines.status();
    for (std::string& line : *lines) all.push_back(std::move(line));
  }
  for (const std::string& value : env) {
    absl::StatusOr<std::string> expanded = ExpandEnv(value, inputs.lookup_env);
    if (!expanded.ok()) return expanded.status();
    all.push_back(*std::move(expanded));
  }
  return all;
}

absl::StatusOr<container::v1::ExecConfig> BuildExecConfig(
    const ExecFlags& flags, const SpecInputs& inputs) {
  container::v1::ExecConfig config;
  if (flags.command.empty()) {
    return absl::InvalidArgumentError("No exec command specified");
  }
  for (const std::string& arg : flags.command) config.add_cmd(arg);
  absl::StatusOr<std::vector<std::string>> env =
      CollectEnv(flags.env_files, flags.env, inputs);
  if (!env.ok()) return env.status();
  for (std::string& entry : *env) config.add_env(std::move(entry));
  config.set_user(flags.user);
  config.set_working_dir(flags.workdir);
  config.set_tty(flags.tty);
  config.set_privileged(flags.privileged);
  config.set_detach(flags.detach);
  config.set_detach_keys(flags.detach_keys);
  // Docker: stdin only with -i; output always, unless detached.
  config.set_attach_stdin(flags.interactive && !flags.detach);
  config.set_attach_stdout(!flags.detach);
  config.set_attach_stderr(!flags.detach && !flags.tty);
  return config;
}

absl::StatusOr<CreateContainerRequest> BuildCreateRequest(
    const ContainerFlags& flags, const SpecInputs& inputs) {
  if (flags.positional.empty()) {
    return absl::InvalidArgumentError("an image is required");
  }
  CreateContainerRequest request;
  request.set_name(flags.name);
  container::v1::ContainerConfig* config = request.mutable_config();
  container::v1::HostConfig* host = request.mutable_host_config();

  config->set_image(flags.positional[0]);
  if (flags.positional.size() > 1) {
    auto* cmd = config->mutable_cmd();
    for (size_t i = 1; i < flags.positional.size(); ++i) {
      cmd->add_values(flags.positional[i]);
    }
  }
  if (flags.entrypoint.has_value()) {
    // Docker takes the flag as one word; "" clears the image's entrypoint.
    auto* entrypoint = config->mutable_entrypoint();
    if (!flags.entrypoint->empty()) entrypoint->add_values(*flags.entrypoint);
  }
  if (absl::Status s = AddEnv(flags, inputs, config); !s.ok()) return s;
  if (absl::Status s = AddLabels(flags, inputs, config); !s.ok()) return s;
  config->set_working_dir(flags.workdir);
  config->set_user(flags.user);
  config->set_hostname(flags.hostname);
  config->set_tty(flags.tty);
  config->set_open_stdin(flags.interactive);
  // As Docker: a client that stays attached wants stdout and stderr, and
  // stdin with -i (closed once it detaches).
  config->set_attach_stdout(!flags.detach);
  config->set_attach_stderr(!flags.detach);
  config->set_attach_stdin(flags.interactive && !flags.detach);
  config->set_stdin_once(flags.interactive && !flags.detach);
  config->set_stop_signal(flags.stop_signal);
  if (absl::Status s = SetHealthcheck(flags, config); !s.ok()) return s;
  if (!flags.stop_timeout.empty()) {
    absl::StatusOr<int64_t> timeout =
        ParseIntFlag("--stop-timeout", flags.stop_timeout);
    if (!timeout.ok()) return timeout.status();
    config->set_stop_timeout(static_cast<int32_t>(*timeout));
  }

  absl::StatusOr<container::v1::RestartPolicy> restart =
      ParseRestartPolicy(flags.restart);
  if (!restart.ok()) return restart.status();
  if (flags.auto_remove && !IsNoRestart(*restart)) {
    return absl::InvalidArgumentError(
        "Conflicting options: --restart and --rm");
  }
  if (!flags.restart.empty()) *host->mutable_restart_policy() = *restart;
  host->set_auto_remove(flags.auto_remove);
  if (absl::Status s = SetNetwork(flags, &request); !s.ok()) return s;
  if (absl::Status s = SetUserns(flags, host); !s.ok()) return s;
  RETURN_IF_ERROR(SetStorage(flags, inputs, &request));
  // Checked here too so a typo fails before an image is pulled; "" leaves
  // the choice to the daemon, which knows the host's cgroup layout.
  if (!flags.cgroupns.empty() && flags.cgroupns != "private" &&
      flags.cgroupns != "host") {
    return FlagValueError("--cgroupns", flags.cgroupns, "use private or host");
  }
  host->set_cgroupns_mode(flags.cgroupns);
  host->set_read_only_rootfs(flags.read_only);
  host->set_privileged(flags.privileged);
  host->set_init(flags.init);
  for (const std::string& cap : flags.cap_add) host->add_cap_add(cap);
  for (const std::string& cap : flags.cap_drop) host->add_cap_drop(cap);
  if (!flags.security_opts.empty()) {
    absl::Status s = ApplySecurityOpts(flags.security_opts, inputs.read_file,
                                       host->mutable_security());
    if (!s.ok()) return s;
  }
  if (absl::Status s = SetResources(flags, host->mutable_resources()); !s.ok())
    return s;
  absl::StatusOr<std::map<std::string, std::string>> storage =
      ParseStorageOpts(flags.storage_opts);
  if (!storage.ok()) return storage.status();
  host->mutable_storage_opt()->insert(storage->begin(), storage->end());
  if (!flags.log_driver.empty() || !flags.log_opts.empty()) {
    container::v1::LogConfig* log = host->mutable_log_config();
    log->set_driver(flags.log_driver);
    for (const std::string& opt : flags.log_opts) {
      std::pair<std::string, std::string> kv;
      const size_t eq = opt.find('=');
      if (eq == 0 || opt.empty()) {
        return FlagValueError("--log-opt", opt, "expected KEY=VALUE");
      }
      kv.first = opt.substr(0, eq);
      kv.second = eq == std::string::npos ? "" : opt.substr(eq + 1);
      (*log->mutable_options())[kv.first] = kv.second;
    }
  }
  return request;
}

absl::Status CheckInputTerminal(bool tty, bool attach_stdin,
                                bool stdin_is_terminal) {
  if (tty && attach_stdin && !stdin_is_terminal) {
    return absl::FailedPreconditionError("the input device is not a TTY");
  }
  return absl::OkStatus();
}

}  // namespace berth::ctl
