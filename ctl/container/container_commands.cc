// The container command group: `berth container create|run|start|stop|
// kill|restart|rm|wait|rename|prune|ls|inspect|logs|pause|unpause|update|
// top` and Docker's top-level shortcuts (`run`, `ps`, `start`, ...). This file holds the
// lifecycle commands that act on named containers one by one, as Docker's
// do: each success prints the name given, each failure an error, and the
// command exits 1 if any failed.
#include "ctl/container/container_commands.h"

#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "ctl/cli/args.h"
#include "ctl/cli/exit_codes.h"
#include "ctl/cli/usage_errors.h"
#include "ctl/container/container_args.h"
#include "ctl/container/container_files_commands.h"
#include "ctl/container/container_format.h"
#include "ctl/container/container_group.h"

namespace berth::ctl {
namespace container_cli {


std::unique_ptr<container::v1::ContainerService::Stub> ContainerStub(
    CommandContext& context) {
  return container::v1::ContainerService::NewStub(
      context.connections().Channel("containerd"));
}

absl::Status ContainerdError(CommandContext& context,
                             const grpc::Status& status,
                             absl::string_view container) {
  return context.connections().ExplainAbout("containerd", status, "container",
                                           container);
}

absl::StatusOr<container::v1::Container> FindContainer(
    CommandContext& context, container::v1::ContainerService::Stub& stub,
    const std::string& name) {
  container::v1::InspectContainerRequest request;
  request.set_id(name);
  container::v1::InspectContainerResponse response;
  auto call = Connections::CallContext();
  grpc::Status status = stub.InspectContainer(call.get(), request, &response);
  if (!status.ok()) return ContainerdError(context, status, name);
  return response.container();
}

bool CheckPrefixArgs(CommandContext& context, const CommandUsage& usage,
                     const std::vector<std::string>& positional, size_t min) {
  if (!positional.empty() && absl::StartsWith(positional[0], "-") &&
      positional[0] != "-") {
    std::fputs(FlagError(UnknownFlagProblem(positional[0]), UsageLine(usage),
                         usage.path)
                   .c_str(),
               stderr);
    context.exit_code = kExitUsage;
    return false;
  }
  const std::string error =
      ArgCountError(usage, positional.size(), min, kUnlimited);
  if (!error.empty()) {
    std::fprintf(stderr, "%s\n", error.c_str());
    context.exit_code = kExitError;  // Docker's code for a wrong count
    return false;
  }
  return true;
}

std::vector<std::string> ForEach(
    CommandContext& context, const std::vector<std::string>& names,
    bool echo, const std::function<grpc::Status(const std::string&)>& call) {
  std::vector<std::string> failed;
  for (const std::string& name : names) {
    grpc::Status status = call(name);
    if (status.ok()) {
      if (echo) PrintOut(name + "\n");
      continue;
    }
    context.Fail(ContainerdError(context, status, name));
    failed.push_back(name);
    if (status.error_code() == grpc::StatusCode::UNAVAILABLE) break;
  }
  return failed;
}

namespace {

// A deadline-free call: stop, wait and friends can take as long as the
// container does.
std::unique_ptr<grpc::ClientContext> UnboundedCall() {
  return std::make_unique<grpc::ClientContext>();
}

// ---- stop / restart ---------------------------------------------------------

struct StopFlags {
  std::string timeout;  // "" = the container's own
  std::string signal;
};

// The deadline of a stop: its timeout and a margin for the kill, or none
// for -1 (wait forever).
std::unique_ptr<grpc::ClientContext> StopCall(const StopFlags& flags,
                                              int64_t timeout) {
  if (flags.timeout.empty()) return Connections::CallContext(absl::Minutes(5));
  if (timeout < 0) return UnboundedCall();
  return Connections::CallContext(absl::Seconds(timeout) + absl::Minutes(1));
}

void AddStopOrRestartCommand(CLI::App& parent, CommandContext& context,
                             const std::string& path, bool restart) {
  auto flags = std::make_shared<StopFlags>();
  CLI::App* command = AddCommand(
      parent, context, restart ? "restart" : "stop",
      {path, "[OPTIONS] CONTAINER [CONTAINER...]",
       restart ? "Restart one or more containers"
               : "Stop one or more running containers",
       {ArgKind::kContainer}},
      1, kUnlimited,
      [&context, flags, restart](const std::vector<std::string>& names) {
        int64_t timeout = 0;
        if (!flags->timeout.empty()) {
          absl::StatusOr<int64_t> parsed =
              ParseIntFlag("-t, --timeout", flags->timeout);
          if (!parsed.ok()) return context.Fail(parsed.status(), kExitUsage);
          timeout = *parsed;
        }
        auto stub = ContainerStub(context);
        ForEach(context, names, true, [&](const std::string& id) {
          auto call = StopCall(*flags, timeout);
          if (restart) {
            container::v1::RestartContainerRequest request;
            request.set_id(id);
            if (!flags->timeout.empty()) {
              request.set_timeout(static_cast<int32_t>(timeout));
            }
            request.set_signal(flags->signal);
            container::v1::RestartContainerResponse response;
            return stub->RestartContainer(call.get(), request, &response);
          }
          container::v1::StopContainerRequest request;
          request.set_id(id);
          if (!flags->timeout.empty()) {
            request.set_timeout(static_cast<int32_t>(timeout));
          }
          request.set_signal(flags->signal);
          container::v1::StopContainerResponse response;
          return stub->StopContainer(call.get(), request, &response);
        });
      });
  command->add_option("-t,--timeout,--time", flags->timeout,
                      "Seconds to wait before killing the container "
                      "(-1: wait forever)");
  command->add_option("-s,--signal", flags->signal,
                      "Signal to send to the container");
}

// ---- kill -----------------------------------------------------------------

void AddKillCommand(CLI::App& parent, CommandContext& context,
                    const std::string& path) {
  auto signal = std::make_shared<std::string>();
  CLI::App* command = AddCommand(
      parent, context, "kill",
      {path, "[OPTIONS] CONTAINER [CONTAINER...]",
       "Kill one or more running containers", {ArgKind::kContainer}},
      1, kUnlimited, [&context, signal](const std::vector<std::string>& names) {
        auto stub = ContainerStub(context);
        ForEach(context, names, true, [&](const std::string& id) {
          container::v1::KillContainerRequest request;
          request.set_id(id);
          request.set_signal(*signal);
          container::v1::KillContainerResponse response;
          auto call = Connections::CallContext(absl::Seconds(30));
          return stub->KillContainer(call.get(), request, &response);
        });
      });
  command->add_option("-s,--signal", *signal,
                      "Signal to send to the container (default \"KILL\")");
}

// ---- rm -------------------------------------------------------------------

struct RemoveFlags {
  bool force = false;
  bool volumes = false;
};

CLI::App* AddRemoveCommand(CLI::App& parent, CommandContext& context,
                           const std::string& name, const std::string& path) {
  auto flags = std::make_shared<RemoveFlags>();
  CLI::App* command = AddCommand(
      parent, context, name,
      {path, "[OPTIONS] CONTAINER [CONTAINER...]",
       "Remove one or more containers", {ArgKind::kContainer}},
      1, kUnlimited, [&context, flags](const std::vector<std::string>& names) {
        auto stub = ContainerStub(context);
        for (const std::string& id : names) {
          container::v1::RemoveContainerRequest request;
          request.set_id(id);
          request.set_force(flags->force);
          request.set_remove_volumes(flags->volumes);
          container::v1::RemoveContainerResponse response;
          auto call = Connections::CallContext(absl::Minutes(2));
          grpc::Status status =
              stub->RemoveContainer(call.get(), request, &response);
          if (status.ok()) {
            PrintOut(id + "\n");
            continue;
          }
          // As Docker: with -f a container that is not there is no error.
          if (flags->force &&
              status.error_code() == grpc::StatusCode::NOT_FOUND) {
            continue;
          }
          // Any failure, a running container without -f too, exits 1, as
          // Docker's rm does.
          context.Fail(ContainerdError(context, status, id));
          if (status.error_code() == grpc::StatusCode::UNAVAILABLE) return;
        }
      });
  command->add_flag("-f,--force",
                    flags->force, "Force the removal of a running container "
                                  "(uses SIGKILL)");
  command->add_flag("-v,--volumes", flags->volumes,
                    "Remove anonymous volumes associated with the container");
  return command;
}

// ---- wait -----------------------------------------------------------------

void AddWaitCommand(CLI::App& parent, CommandContext& context,
                    const std::string& path) {
  AddCommand(parent, context, "wait",
             {path, "CONTAINER [CONTAINER...]",
              "Block until one or more containers stop, then print their "
              "exit codes",
              {ArgKind::kContainer}},
             1, kUnlimited, [&context](const std::vector<std::string>& names) {
               auto stub = ContainerStub(context);
               ForEach(context, names, false, [&](const std::string& id) {
                 container::v1::WaitContainerRequest request;
                 request.set_id(id);
                 request.set_condition(
                     container::v1::WAIT_CONDITION_NOT_RUNNING);
                 container::v1::WaitContainerResponse response;
                 auto call = UnboundedCall();
                 grpc::Status status =
                     stub->WaitContainer(call.get(), request, &response);
                 if (status.ok()) PrintOut(absl::StrCat(response.exit_code(), "\n"));
                 return status;
               });
             });
}

// ---- rename ---------------------------------------------------------------

void AddRenameCommand(CLI::App& parent, CommandContext& context,
                      const std::string& path) {
  AddCommand(parent, context, "rename",
             {path, "CONTAINER NEW_NAME", "Rename a container",
              {ArgKind::kContainer, ArgKind::kNone}},
             2, 2,
             [&context](const std::vector<std::string>& args) {
               container::v1::RenameContainerRequest request;
               request.set_id(args[0]);
               request.set_new_name(args[1]);
               container::v1::RenameContainerResponse response;
               auto call = Connections::CallContext();
               grpc::Status status = ContainerStub(context)->RenameContainer(
                   call.get(), request, &response);
               if (!status.ok()) {
                 context.Fail(ContainerdError(context, status, args[0]));
               }
             });
}

// ---- container prune ------------------------------------------------------

struct PruneFlags {
  bool force = false;
  std::vector<std::string> filters;
};

void RunPrune(CommandContext& context, const PruneFlags& flags) {
  std::optional<PruneFilters> filters = ParsePruneFilters(context, flags.filters);
  if (!filters.has_value()) return;
  if (!flags.force &&
      !Confirm("WARNING! This will remove all stopped "
                          "containers.\nAre you sure you want to continue?")) {
    return;
  }
  container::v1::PruneContainersRequest request;
  *request.mutable_filter() = filters->filter;
  container::v1::PruneContainersResponse response;
  auto call = Connections::CallContext(absl::Minutes(10));
  grpc::Status status =
      ContainerStub(context)->PruneContainers(call.get(), request, &response);
  if (!status.ok()) return context.Fail(ContainerdError(context, status));
  PrintOut(RenderContainerPruned(response));
}

void AddPruneCommand(CLI::App& parent, CommandContext& context) {
  auto flags = std::make_shared<PruneFlags>();
  CLI::App* command =
      AddCommand(parent, context, "prune",
                 {"berth container prune", "[OPTIONS]",
                  "Remove all stopped containers"},
                 0, 0, [&context, flags](const std::vector<std::string>&) {
                   RunPrune(context, *flags);
                 });
  command->add_flag("-f,--force", flags->force,
                    "Do not prompt for confirmation");
  AddPruneFilterOption(command, flags->filters);
}

}  // namespace
}  // namespace container_cli

std::vector<CommandSpec> ContainerCommands() {
  using namespace container_cli;  // NOLINT: the group's own commands
  auto group = [](CLI::App& app, CommandContext& context) {
    AddCommandGroup(app, "container", "Manage containers",
                    [&context](CLI::App& group) {
      AddAttachCommand(group, context, "berth container attach");
      AddCpCommand(group, context, "berth container cp");
      AddCreateCommand(group, context, "berth container create");
      AddDiffCommand(group, context, "berth container diff");
      AddCommitCommand(group, context, "berth container commit");
      AddExecCommand(group, context, "berth container exec");
      AddExportCommand(group, context, "berth container export");
      AddContainerInspectCommand(group, context);
      AddKillCommand(group, context, "berth container kill");
      AddLogsCommand(group, context, "berth container logs");
      AddPauseCommand(group, context, "pause", "berth container pause");
      AddPortCommand(group, context, "berth container port");
      CLI::App* ls = AddPsCommand(group, context, "ls", "berth container ls");
      ls->alias("ps");
      ls->alias("list");
      AddPruneCommand(group, context);
      AddRenameCommand(group, context, "berth container rename");
      AddStopOrRestartCommand(group, context, "berth container restart", true);
      AddRemoveCommand(group, context, "rm", "berth container rm")
          ->alias("remove");
      AddRunCommand(group, context, "berth container run");
      AddStartCommand(group, context, "berth container start");
      AddStatsCommand(group, context, "berth container stats");
      AddStopOrRestartCommand(group, context, "berth container stop", false);
      AddTopCommand(group, context, "berth container top");
      AddPauseCommand(group, context, "unpause", "berth container unpause");
      AddUpdateCommand(group, context, "berth container update");
      AddWaitCommand(group, context, "berth container wait");
    });
  };
  // The rest are Docker's top-level shortcuts for the group's commands.
  return {
      {"container", "container", "Manage containers", group},
      {"attach", "container",
       "Attach local standard input, output, and error streams to a running "
       "container",
       [](CLI::App& app, CommandContext& context) {
         AddAttachCommand(app, context, "berth attach");
       }},
      {"commit", "container", "Create a new image from a container's changes",
       [](CLI::App& app, CommandContext& context) {
         AddCommitCommand(app, context, "berth commit");
       }},
      {"cp", "container",
       "Copy files/folders between a container and the local filesystem",
       [](CLI::App& app, CommandContext& context) {
         AddCpCommand(app, context, "berth cp");
       }},
      {"create", "container", "Create a new container",
       [](CLI::App& app, CommandContext& context) {
         AddCreateCommand(app, context, "berth create");
       }},
      {"diff", "container",
       "Inspect changes to files or directories on a container's filesystem",
       [](CLI::App& app, CommandContext& context) {
         AddDiffCommand(app, context, "berth diff");
       }},
      {"exec", "container", "Execute a command in a running container",
       [](CLI::App& app, CommandContext& context) {
         AddExecCommand(app, context, "berth exec");
       }},
      {"export", "container", "Export a container's filesystem as a tar archive",
       [](CLI::App& app, CommandContext& context) {
         AddExportCommand(app, context, "berth export");
       }},
      {"inspect", "container", "Return low-level information on Berth objects",
       [](CLI::App& app, CommandContext& context) {
         AddGenericInspectCommand(app, context);
       }},
      {"kill", "container", "Kill one or more running containers",
       [](CLI::App& app, CommandContext& context) {
         AddKillCommand(app, context, "berth kill");
       }},
      {"logs", "container", "Fetch the logs of a container",
       [](CLI::App& app, CommandContext& context) {
         AddLogsCommand(app, context, "berth logs");
       }},
      {"pause", "container",
       "Pause all processes within one or more containers",
       [](CLI::App& app, CommandContext& context) {
         AddPauseCommand(app, context, "pause", "berth pause");
       }},
      {"port", "container",
       "List port mappings or a specific mapping for the container",
       [](CLI::App& app, CommandContext& context) {
         AddPortCommand(app, context, "berth port");
       }},
      {"ps", "container", "List containers",
       [](CLI::App& app, CommandContext& context) {
         AddPsCommand(app, context, "ps", "berth ps");
       }},
      {"rename", "container", "Rename a container",
       [](CLI::App& app, CommandContext& context) {
         AddRenameCommand(app, context, "berth rename");
       }},
      {"restart", "container", "Restart one or more containers",
       [](CLI::App& app, CommandContext& context) {
         AddStopOrRestartCommand(app, context, "berth restart", true);
       }},
      {"rm", "container", "Remove one or more containers",
       [](CLI::App& app, CommandContext& context) {
         AddRemoveCommand(app, context, "rm", "berth rm");
       }},
      {"run", "container", "Create and run a new container from an image",
       [](CLI::App& app, CommandContext& context) {
         AddRunCommand(app, context, "berth run");
       }},
      {"start", "container", "Start one or more stopped containers",
       [](CLI::App& app, CommandContext& context) {
         AddStartCommand(app, context, "berth start");
       }},
      {"stats", "container",
       "Display a live stream of container(s) resource usage statistics",
       [](CLI::App& app, CommandContext& context) {
         AddStatsCommand(app, context, "berth stats");
       }},
      {"stop", "container", "Stop one or more running containers",
       [](CLI::App& app, CommandContext& context) {
         AddStopOrRestartCommand(app, context, "berth stop", false);
       }},
      {"top", "container", "Display the running processes of a container",
       [](CLI::App& app, CommandContext& context) {
         AddTopCommand(app, context, "berth top");
       }},
      {"unpause", "container",
       "Unpause all processes within one or more containers",
       [](CLI::App& app, CommandContext& context) {
         AddPauseCommand(app, context, "unpause", "berth unpause");
       }},
      {"update", "container", "Update configuration of one or more containers",
       [](CLI::App& app, CommandContext& context) {
         AddUpdateCommand(app, context, "berth update");
       }},
      {"wait", "container",
       "Block until one or more containers stop, then print their exit codes",
       [](CLI::App& app, CommandContext& context) {
         AddWaitCommand(app, context, "berth wait");
       }},
  };
}

}  // namespace berth::ctl
