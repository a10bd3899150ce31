#include "common/config.h"

#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/log_level.h"
#include "common/status_macros.h"
#include "google/protobuf/util/json_util.h"

namespace berth {
namespace {

using config::v1::Config;

constexpr const char* kServices[] = {"imaged", "containerd", "netd", "volumed"};

absl::Status ValidateLevel(const std::string& level, const std::string& key) {
  if (level.empty() || ParseLogLevel(level).ok()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      "config key ", key, ": invalid log level \"", level,
      "\" (use trace, debug, info, warn, error, critical or off)"));
}

absl::Status ValidatePath(const std::string& path, const std::string& key) {
  if (path.empty() || path[0] == '/') return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      "config key ", key, ": \"", path, "\" must be an absolute path"));
}

absl::Status Validate(const Config& config) {
  RETURN_IF_ERROR(ValidatePath(config.root(), "root"));
  RETURN_IF_ERROR(ValidatePath(config.run_root(), "runRoot"));
  RETURN_IF_ERROR(ValidateLevel(config.log().level(), "log.level"));
  RETURN_IF_ERROR(ValidatePath(config.log().file(), "log.file"));
  for (const char* name : kServices) {
    const std::optional<ServiceSettings> section = ServiceSection(config, name);
    RETURN_IF_ERROR(
        ValidatePath(section->socket, absl::StrCat(name, ".socket")));
    RETURN_IF_ERROR(ValidateLevel(section->log.level(),
                                  absl::StrCat(name, ".log.level")));
    RETURN_IF_ERROR(
        ValidatePath(section->log.file(), absl::StrCat(name, ".log.file")));
  }
  RETURN_IF_ERROR(ValidatePath(config.runtime().shim_path(), "runtime.shimPath"));
  const std::string& parent = config.runtime().cgroup_parent();
  if (parent.find("..") != std::string::npos || absl::StartsWith(parent, "/")) {
    return absl::InvalidArgumentError(absl::StrCat(
        "config key runtime.cgroupParent: \"", parent,
        "\" must be a relative cgroup name without \"..\""));
  }
  if (config.runtime().has_userns_range()) {
    const config::v1::UsernsRange& range = config.runtime().userns_range();
    if (range.host_uid() == 0 || range.host_gid() == 0 || range.size() == 0) {
      return absl::InvalidArgumentError(
          "config key runtime.usernsRange: hostUid, hostGid and size must all "
          "be set and above 0 (mapping to host root would defeat the user "
          "namespace)");
    }
    if (uint64_t{range.host_uid()} + range.size() > UINT32_MAX ||
        uint64_t{range.host_gid()} + range.size() > UINT32_MAX) {
      return absl::InvalidArgumentError(
          "config key runtime.usernsRange: the range overflows 32-bit ids");
    }
  }
  return absl::OkStatus();
}

// The socket under the run root and the top-level log settings, where a
// service's section (any section type: they share these fields) names none.
template <typename Section>
void FillServiceDefaults(const Config& config, const char* name,
                         Section* section) {
  if (section->socket().empty()) {
    section->set_socket(absl::StrCat(config.run_root(), "/", name, ".sock"));
  }
  if (section->log().level().empty()) {
    section->mutable_log()->set_level(config.log().level());
  }
  if (section->log().file().empty()) {
    section->mutable_log()->set_file(config.log().file());
  }
}

}  // namespace

absl::StatusOr<Config> ParseConfig(const std::string& json) {
  Config config;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto status =
      google::protobuf::util::JsonStringToMessage(json, &config, options);
  if (!status.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid config: ", status.message().as_string()));
  }
  RETURN_IF_ERROR(Validate(config));
  return config;
}

absl::StatusOr<Config> LoadConfigFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return ErrnoStatus(errno, "open config file", path);
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<Config> parsed = ParseConfig(text.str());
  if (!parsed.ok()) return Annotate(parsed.status(), path);
  return parsed;
}

absl::StatusOr<Config> ResolveConfig(Config config,
                                     const ConfigOverrides& overrides) {
  if (overrides.root) config.set_root(*overrides.root);
  if (overrides.run_root) config.set_run_root(*overrides.run_root);
  if (overrides.log_level)
    config.mutable_log()->set_level(*overrides.log_level);
  if (overrides.log_file) config.mutable_log()->set_file(*overrides.log_file);
  if (config.root().empty()) config.set_root(kDefaultRoot);
  if (config.run_root().empty()) config.set_run_root(kDefaultRunRoot);
  if (config.runtime().cgroup_parent().empty()) {
    config.mutable_runtime()->set_cgroup_parent("berth");
  }
  if (!config.runtime().has_userns_range()) {
    config::v1::UsernsRange* range = config.mutable_runtime()->mutable_userns_range();
    range->set_host_uid(100000);
    range->set_host_gid(100000);
    range->set_size(65536);
  }
  if (config.log().level().empty()) {
    config.mutable_log()->set_level(kDefaultLogLevel);
  }
  // Flags are validated like file values, naming the flag instead of the key.
  RETURN_IF_ERROR(ValidatePath(config.root(), "root (--root)"));
  RETURN_IF_ERROR(ValidatePath(config.run_root(), "runRoot (--run-root)"));
  RETURN_IF_ERROR(
      ValidateLevel(config.log().level(), "log.level (--log-level)"));
  RETURN_IF_ERROR(ValidatePath(config.log().file(), "log.file (--log-file)"));
  FillServiceDefaults(config, "imaged", config.mutable_imaged());
  FillServiceDefaults(config, "containerd", config.mutable_containerd());
  FillServiceDefaults(config, "netd", config.mutable_netd());
  FillServiceDefaults(config, "volumed", config.mutable_volumed());
  return config;
}

std::optional<ServiceSettings> ServiceSection(const Config& config,
                                              const std::string& service) {
  auto settings = [](const auto& section) {
    return ServiceSettings{section.socket(), section.log()};
  };
  if (service == "imaged") return settings(config.imaged());
  if (service == "containerd") return settings(config.containerd());
  if (service == "netd") return settings(config.netd());
  if (service == "volumed") return settings(config.volumed());
  return std::nullopt;
}

}  // namespace berth
