// `berth pause|unpause|update|top` (and under `berth container`): what acts
// on a running container's processes and limits, as Docker's commands do.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ctl/cli/args.h"
#include "ctl/cli/tabwriter.h"
#include "ctl/cli/usage_errors.h"
#include "ctl/container/container_args.h"
#include "ctl/container/container_commands.h"
#include "ctl/container/container_format.h"
#include "ctl/container/update_flags.h"

namespace berth::ctl::container_cli {
namespace {

// Fails the command with pflag's framing of a bad flag value (exit 125).
void FailFlag(CommandContext& context, const absl::Status& status,
              const CommandUsage& usage) {
  std::fputs(FlagError(status.message(), UsageLine(usage), usage.path).c_str(),
             stderr);
  context.exit_code = kExitUsage;
}

}  // namespace

void AddPauseCommand(CLI::App& parent, CommandContext& context,
                     const std::string& name, const std::string& path) {
  const bool pause = name == "pause";
  AddCommand(parent, context, name,
             {path, "CONTAINER [CONTAINER...]",
              pause ? "Pause all processes within one or more containers"
                    : "Unpause all processes within one or more containers",
              {ArgKind::kContainer}},
             1, kUnlimited,
             [&context, pause](const std::vector<std::string>& names) {
               auto stub = ContainerStub(context);
               ForEach(context, names, true, [&](const std::string& id) {
                 auto call = Connections::CallContext(absl::Seconds(30));
                 if (pause) {
                   container::v1::PauseContainerRequest request;
                   request.set_id(id);
                   container::v1::PauseContainerResponse response;
                   return stub->PauseContainer(call.get(), request, &response);
                 }
                 container::v1::UnpauseContainerRequest request;
                 request.set_id(id);
                 container::v1::UnpauseContainerResponse response;
                 return stub->UnpauseContainer(call.get(), request, &response);
               });
             });
}

void AddUpdateCommand(CLI::App& parent, CommandContext& context,
                      const std::string& path) {
  auto flags = std::make_shared<UpdateFlags>();
  const CommandUsage usage{path, "[OPTIONS] CONTAINER [CONTAINER...]",
                           "Update configuration of one or more containers",
                           {ArgKind::kContainer}};
  // Each flag is kept only when typed (pflag's NFlag counts them).
  auto options = std::make_shared<std::vector<CLI::Option*>>();
  CLI::App* command = AddCommand(
      parent, context, "update", usage, 1, kUnlimited,
      [&context, flags, options, usage](const std::vector<std::string>& names) {
        absl::StatusOr<container::v1::Resources> resources =
            ParseUpdateResources(*flags);
        if (!resources.ok()) return FailFlag(context, resources.status(), usage);
        size_t given = 0;
        for (const CLI::Option* option : *options) given += option->count();
        if (given == 0) {
          // Docker's CLI says so itself, unframed, and exits 1.
          std::fputs(
              "you must provide one or more flags when using this command\n",
              stderr);
          context.exit_code = kExitError;
          return;
        }
        container::v1::UpdateContainerRequest request;
        *request.mutable_resources() = *std::move(resources);
        if (flags->restart && !flags->restart->empty()) {
          absl::StatusOr<container::v1::RestartPolicy> policy =
              ParseRestartPolicy(*flags->restart);
          if (!policy.ok()) return context.Fail(policy.status());
          *request.mutable_restart_policy() = *policy;
        }
        auto stub = ContainerStub(context);
        std::vector<std::string> warnings;
        ForEach(context, names, true, [&](const std::string& id) {
          request.set_id(id);
          container::v1::UpdateContainerResponse response;
          auto call = Connections::CallContext(absl::Seconds(30));
          grpc::Status status =
              stub->UpdateContainer(call.get(), request, &response);
          warnings.insert(warnings.end(), response.warnings().begin(),
                          response.warnings().end());
          return status;
        });
        if (!warnings.empty()) PrintOut(absl::StrJoin(warnings, "\n") + "\n");
      });
  // pflag would refuse the value as typed; these keep it as text so the
  // refusal has pflag's words (update_flags.h).
  // `type` is the value's name in the help, as Docker's.
  auto text = [&](const char* names, std::optional<std::string>& value,
                  const char* type, const char* help) {
    options->push_back(
        command
            ->add_option_function<std::string>(
                names, [&value](const std::string& v) { value = v; }, help)
            ->type_name(type));
  };
  text("--blkio-weight", flags->blkio_weight, "uint16",
       "Block IO (relative weight), between 10 and 1000, or 0 to disable "
       "(default 0)");
  text("--cpu-period", flags->cpu_period, "int",
       "Limit CPU CFS (Completely Fair Scheduler) period");
  text("--cpu-quota", flags->cpu_quota, "int",
       "Limit CPU CFS (Completely Fair Scheduler) quota");
  text("-c,--cpu-shares", flags->cpu_shares, "int",
       "CPU shares (relative weight)");
  text("--cpus", flags->cpus, "decimal", "Number of CPUs");
  text("--cpuset-cpus", flags->cpuset_cpus, "string",
       "CPUs in which to allow execution (0-3, 0,1)");
  text("--cpuset-mems", flags->cpuset_mems, "string",
       "MEMs in which to allow execution (0-3, 0,1)");
  text("-m,--memory", flags->memory, "bytes", "Memory limit");
  text("--memory-reservation", flags->memory_reservation, "bytes",
       "Memory soft limit");
  text("--memory-swap", flags->memory_swap, "bytes",
       "Swap limit equal to memory plus swap: -1 to enable unlimited swap");
  text("--pids-limit", flags->pids_limit, "int",
       "Tune container pids limit (set -1 for unlimited)");
  text("--restart", flags->restart, "string",
       "Restart policy to apply when a container exits");
}

void AddTopCommand(CLI::App& parent, CommandContext& context,
                   const std::string& path) {
  const CommandUsage usage{path, "CONTAINER [ps OPTIONS]",
                           "Display the running processes of a container",
                           {ArgKind::kContainer, ArgKind::kNone}};
  CLI::App* command = parent.add_subcommand("top", usage.summary);
  SetUsage(command, usage);
  // Everything after the container is ps's (cobra's SetInterspersed(false)).
  command->prefix_command();
  command->callback([&context, command, usage] {
    const std::vector<std::string> args = command->remaining();
    if (!args.empty() && absl::StartsWith(args[0], "-") && args[0] != "-") {
      std::fputs(FlagError(UnknownFlagProblem(args[0]), UsageLine(usage),
                           usage.path)
                     .c_str(),
                 stderr);
      context.exit_code = kExitUsage;
      return;
    }
    const std::string count = ArgCountError(usage, args.size(), 1, kUnlimited);
    if (!count.empty()) {
      std::fprintf(stderr, "%s\n", count.c_str());
      context.exit_code = kExitError;
      return;
    }
    container::v1::TopContainerRequest request;
    request.set_id(args[0]);
    // Docker sends the options joined by spaces; the daemon splits them.
    request.set_ps_args(absl::StrJoin(args.begin() + 1, args.end(), " "));
    container::v1::TopContainerResponse response;
    auto call = Connections::CallContext(absl::Seconds(60));
    grpc::Status status =
        ContainerStub(context)->TopContainer(call.get(), request, &response);
    if (!status.ok()) {
      return context.Fail(ContainerdError(context, status, args[0]));
    }
    std::string table = absl::StrJoin(response.titles(), "\t") + "\n";
    for (const container::v1::ProcessRow& row : response.processes()) {
      absl::StrAppend(&table, absl::StrJoin(row.values(), "\t"), "\n");
    }
    // Docker's tabwriter: minimum width 20, padding 3.
    PrintOut(GoTabwrite(table, 20, 3));
  });
}

void AddPortCommand(CLI::App& parent, CommandContext& context,
                    const std::string& path) {
  AddCommand(parent, context, "port",
             {path, "CONTAINER [PRIVATE_PORT[/PROTO]]",
              "List port mappings or a specific mapping for the container",
              {ArgKind::kContainer, ArgKind::kNone}},
             1, 2, [&context](const std::vector<std::string>& args) {
               container::v1::InspectContainerRequest request;
               request.set_id(args[0]);
               container::v1::InspectContainerResponse response;
               auto call = Connections::CallContext();
               grpc::Status status = ContainerStub(context)->InspectContainer(
                   call.get(), request, &response);
               if (!status.ok()) {
                 return context.Fail(ContainerdError(context, status, args[0]));
               }
               absl::StatusOr<std::string> out = RenderPortList(
                   response.container().network_settings().ports(),
                   args.size() > 1 ? args[1] : "", args[0]);
               if (!out.ok()) return context.Fail(out.status());
               PrintOut(*out);
             });
}

}  // namespace berth::ctl::container_cli
