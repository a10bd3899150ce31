// `berth create` and `berth run`: the flags as typed, and the
// CreateContainerRequest they make, validated the way Docker's CLI validates
// them before it calls the daemon. Pure: the environment and files come in
// through `SpecInputs`.
#ifndef BERTH_CTL_CONTAINER_CONTAINER_SPEC_H_
#define BERTH_CTL_CONTAINER_CONTAINER_SPEC_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "berth/container/v1/container.pb.h"
#include "ctl/container/container_args.h"

namespace berth::ctl {

// Every create/run flag, as strings where Docker reports bad values itself.
struct ContainerFlags {
  bool detach = false;  // run only
  bool interactive = false;
  bool tty = false;
  bool auto_remove = false;
  bool read_only = false;
  bool privileged = false;
  bool init = false;
  std::string name;
  std::string workdir;
  std::string user;
  std::string hostname;
  std::string restart;
  std::string network;
  std::vector<std::string> network_aliases;  // --network-alias
  std::string ip;                            // --ip
  std::vector<std::string> links;            // --link NAME[:ALIAS]
  std::vector<std::string> publish;          // -p
  bool publish_all = false;                  // -P
  std::vector<std::string> expose;           // --expose
  std::optional<std::string> memory;  // set, possibly to "" (an error)
  std::string memory_swap;
  std::string cpus;
  std::string cpu_shares;
  std::string pids_limit;
  std::string stop_signal;
  std::string stop_timeout;  // "" = unset
  std::string log_driver;
  std::string userns;  // "", "host", "private"
  std::string cgroupns;  // "" (the daemon's default), "private", "host"
  // --health-*: Go durations and a count, "" = unset.
  std::string health_cmd;
  std::string health_interval;
  std::string health_timeout;
  std::string health_start_period;
  std::string health_start_interval;
  std::string health_retries;
  bool no_healthcheck = false;
  std::optional<std::string> entrypoint;  // set, possibly to ""
  std::vector<std::string> env;
  std::vector<std::string> env_files;
  std::vector<std::string> labels;
  std::vector<std::string> label_files;
  std::vector<std::string> cap_add;
  std::vector<std::string> cap_drop;
  std::vector<std::string> security_opts;
  std::vector<std::string> ulimits;
  std::vector<std::string> log_opts;
  std::vector<std::string> storage_opts;  // KEY=VALUE
  std::vector<std::string> uid_maps;  // CONTAINER:HOST:SIZE
  std::vector<std::string> gid_maps;
  // Storage (mount_specs.h): -v, --mount, --tmpfs, --volumes-from
  // CONTAINER[:ro|rw] (passed as given) and --device.
  std::vector<std::string> volumes;
  std::vector<std::string> mounts;
  std::vector<std::string> tmpfs;
  std::vector<std::string> volumes_from;
  std::vector<std::string> devices;
  // IMAGE [COMMAND [ARG...]]: everything from the first positional on.
  std::vector<std::string> positional;
};

struct SpecInputs {
  EnvLookup lookup_env;
  FileReader read_file;
  // Absolute; what relative bind sources ("./data") are resolved against.
  std::string working_dir = "/";
};

// The request `flags` describe. INVALID_ARGUMENT with Docker's message for
// any bad value (the command exits 125).
absl::StatusOr<container::v1::CreateContainerRequest> BuildCreateRequest(
    const ContainerFlags& flags, const SpecInputs& inputs);

// `-e` and `--env-file` as Docker reads them: the files first, in order,
// then every -e ("KEY" alone from the CLI's environment).
absl::StatusOr<std::vector<std::string>> CollectEnv(
    const std::vector<std::string>& env_files,
    const std::vector<std::string>& env, const SpecInputs& inputs);

// `berth exec`'s flags.
struct ExecFlags {
  bool detach = false;
  std::string detach_keys;
  std::vector<std::string> env;
  std::vector<std::string> env_files;
  bool interactive = false;
  bool privileged = false;
  bool tty = false;
  std::string user;
  std::string workdir;
  std::vector<std::string> command;  // COMMAND [ARG...]
};

// The exec `flags` describe; Docker's messages for what it refuses.
absl::StatusOr<container::v1::ExecConfig> BuildExecConfig(
    const ExecFlags& flags, const SpecInputs& inputs);

// Docker's check before attaching: keys for a terminal in the container
// (tty with stdin attached) need a terminal on the CLI's stdin.
absl::Status CheckInputTerminal(bool tty, bool attach_stdin,
                                bool stdin_is_terminal);

}  // namespace berth::ctl

#endif  // BERTH_CTL_CONTAINER_CONTAINER_SPEC_H_
