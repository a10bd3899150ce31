// Internals shared by the files of the container command group
// (container_commands.cc: stop, kill, restart, rm, wait, rename, prune
// and the group itself; container_attach_commands.cc: start, attach;
// container_runtime_commands.cc: pause, unpause, update, top;
// container_query_commands.cc: ps, inspect,
// logs; container_run_commands.cc: create, run). The group's table,
// ContainerCommands, is declared in container_group.h.
#ifndef BERTH_CTL_CONTAINER_CONTAINER_COMMANDS_H_
#define BERTH_CTL_CONTAINER_CONTAINER_COMMANDS_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "berth/container/v1/container.grpc.pb.h"
#include "ctl/cli/cli.h"
#include "ctl/cli/command.h"
#include "ctl/container/signal_proxy.h"

namespace berth::ctl::container_cli {

// The container service, dialed through the invocation's connections.
std::unique_ptr<container::v1::ContainerService::Stub> ContainerStub(
    CommandContext& context);

// The error the user sees for a failed containerd call: an unreachable
// containerd is explained, and NOT_FOUND says Docker's "No such container:
// X" when containerd's message does not already.
absl::Status ContainerdError(CommandContext& context,
                             const grpc::Status& status,
                             absl::string_view container = "");

// Runs `call` for every container named; prints the name on success (when
// `echo`), an error otherwise. Stops at an unreachable containerd. Returns
// the names that failed.
std::vector<std::string> ForEach(
    CommandContext& context, const std::vector<std::string>& names, bool echo,
    const std::function<grpc::Status(const std::string&)>& call);

// `pause`, `unpause`, `update` and `top` (container_runtime_commands.cc).
void AddPauseCommand(CLI::App& parent, CommandContext& context,
                     const std::string& name, const std::string& path);
void AddUpdateCommand(CLI::App& parent, CommandContext& context,
                      const std::string& path);
// `port`: the published ports of a container (container_runtime_commands.cc).
void AddPortCommand(CLI::App& parent, CommandContext& context,
                    const std::string& path);
void AddTopCommand(CLI::App& parent, CommandContext& context,
                   const std::string& path);

// `stats` (container_stats_commands.cc).
void AddStatsCommand(CLI::App& parent, CommandContext& context,
                     const std::string& path);

// Streams a ContainerLogs call: stdout entries to stdout, stderr entries to
// stderr, raw bytes, each prefixed with its time when `timestamps`.
absl::Status StreamLogs(CommandContext& context,
                        const container::v1::ContainerLogsRequest& request,
                        bool timestamps);

// `ps` (`name`: "ps", "ls"), `logs`, `container inspect` and the generic
// `inspect` (container_query_commands.cc). `path` names the command in
// usage errors.
CLI::App* AddPsCommand(CLI::App& parent, CommandContext& context,
                       const std::string& name, const std::string& path);
void AddLogsCommand(CLI::App& parent, CommandContext& context,
                    const std::string& path);
void AddContainerInspectCommand(CLI::App& parent, CommandContext& context);
void AddGenericInspectCommand(CLI::App& parent, CommandContext& context);

// `create` and `run` (container_run_commands.cc).
void AddCreateCommand(CLI::App& parent, CommandContext& context,
                      const std::string& path);
void AddRunCommand(CLI::App& parent, CommandContext& context,
                   const std::string& path);

// `start` (plain, or attached with -a/-i) and `attach`
// (container_attach_commands.cc).
void AddStartCommand(CLI::App& parent, CommandContext& context,
                     const std::string& path);
void AddAttachCommand(CLI::App& parent, CommandContext& context,
                      const std::string& path);

// The container `name` names, as containerd's record; the error is
// ContainerdError's ("No such container: X").
absl::StatusOr<container::v1::Container> FindContainer(
    CommandContext& context, container::v1::ContainerService::Stub& stub,
    const std::string& name);

// For commands whose trailing arguments are another command's (run,
// create, exec: CLI11's prefix_command): a flag Berth does not know before
// the first of them is Docker's unknown-flag error (exit 125), fewer than
// `min` is Docker's argument-count error (exit 1). False when printed.
bool CheckPrefixArgs(CommandContext& context, const CommandUsage& usage,
                     const std::vector<std::string>& positional, size_t min);

// `commit` (container_commit_commands.cc).
void AddCommitCommand(CLI::App& parent, CommandContext& context,
                      const std::string& path);

// `exec` (container_exec_commands.cc).
void AddExecCommand(CLI::App& parent, CommandContext& context,
                    const std::string& path);

// The detach keys of an attached command: its --detach-keys, else the
// client config file's "detachKeys", else "" (the daemon's ctrl-p,ctrl-q).
std::string DetachKeysOrConfigured(const std::string& flag);

// From now on the signals `proxy` catches are sent to container `id`.
void ForwardSignals(SignalProxy& proxy,
                    const std::shared_ptr<container::v1::ContainerService::Stub>& stub,
                    const std::string& id);

}  // namespace berth::ctl::container_cli

#endif  // BERTH_CTL_CONTAINER_CONTAINER_COMMANDS_H_
