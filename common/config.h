// Daemon configuration: built-in defaults, then the config file, then flags.
//
// The file is the JSON form of berth.config.v1.Config. A daemon resolves it
// once at start into a DaemonConfig, from which every service takes its
// directories, socket and log level.
#ifndef BERTH_COMMON_CONFIG_H_
#define BERTH_COMMON_CONFIG_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "berth/config/v1/config.pb.h"
#include "common/default_paths.h"

namespace berth {

inline constexpr char kDefaultLogLevel[] = "info";

// Values given on the command line; unset ones leave the file's value.
struct ConfigOverrides {
  std::optional<std::string> root;
  std::optional<std::string> run_root;
  std::optional<std::string> log_level;
  std::optional<std::string> log_file;
};

// Parses the JSON text of a config file. InvalidArgument naming the key for
// an unknown key or a badly typed or invalid value.
absl::StatusOr<config::v1::Config> ParseConfig(const std::string& json);

// Reads and parses `path`. A missing file is NotFound.
absl::StatusOr<config::v1::Config> LoadConfigFile(const std::string& path);

// Applies defaults and overrides: the result has root, run_root and log.level
// set, every service's socket filled in (RUN_ROOT/<service>.sock unless the
// file named one) and every service's log level (inheriting the top level).
absl::StatusOr<config::v1::Config> ResolveConfig(
    config::v1::Config file_config, const ConfigOverrides& overrides);

// What every service's section has, whatever else its own section holds.
struct ServiceSettings {
  std::string socket;
  config::v1::LogConfig log;
};

// The settings of a service name's section ("imaged", ...), or nullopt for
// a name without one.
std::optional<ServiceSettings> ServiceSection(const config::v1::Config& config,
                                              const std::string& service);

}  // namespace berth

#endif  // BERTH_COMMON_CONFIG_H_
