// The volume command group: `berth volume create|ls|inspect|rm|prune`.
// Each command calls volumed's VolumeService and prints its answer with
// volume_format.h; requests are built by volume_request.h.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "berth/volume/v1/volume.grpc.pb.h"
#include "ctl/cli/args.h"
#include "ctl/cli/cli.h"
#include "ctl/cli/command.h"
#include "ctl/cli/docker_template.h"
#include "ctl/cli/exit_codes.h"
#include "ctl/volume/volume_format.h"
#include "ctl/volume/volume_group.h"
#include "ctl/volume/volume_request.h"

namespace berth::ctl {
namespace volume_cli {
namespace {

// Creating a volume may mount a filesystem, removing one deletes its tree.
constexpr absl::Duration kChangeTimeout = absl::Seconds(60);
// A prune deletes many trees and measures them first.
constexpr absl::Duration kPruneTimeout = absl::Minutes(10);

std::unique_ptr<volume::v1::VolumeService::Stub> VolumeStub(
    CommandContext& context) {
  return volume::v1::VolumeService::NewStub(
      context.connections().Channel("volumed"));
}

// An unreachable volumed is explained (its socket and how to start it); a
// NOT_FOUND about `name` reads as Docker's "No such volume: X".
absl::Status VolumedError(CommandContext& context, const grpc::Status& status,
                          const std::string& name = "") {
  return context.connections().ExplainAbout("volumed", status, "volume", name);
}

bool Unreachable(const grpc::Status& status) {
  return status.error_code() == grpc::StatusCode::UNAVAILABLE;
}

// ---- volume create --------------------------------------------------------

void RunCreate(CommandContext& context, const VolumeCreateFlags& flags) {
  absl::StatusOr<volume::v1::CreateVolumeRequest> request =
      BuildCreateVolumeRequest(flags);
  if (!request.ok()) return context.Fail(request.status());
  volume::v1::CreateVolumeResponse response;
  auto call = Connections::CallContext(kChangeTimeout);
  grpc::Status status =
      VolumeStub(context)->CreateVolume(call.get(), *request, &response);
  if (!status.ok()) return context.Fail(VolumedError(context, status));
  PrintOut(response.volume().name() + "\n");
}

void AddCreateCommand(CLI::App& parent, CommandContext& context) {
  auto flags = std::make_shared<VolumeCreateFlags>();
  CLI::App* command = AddCommand(
      parent, context, "create",
      {"berth volume create", "[OPTIONS] [VOLUME]", "Create a volume"}, 0, 1,
      [&context, flags](const std::vector<std::string>& args) {
        flags->positional = args;
        RunCreate(context, *flags);
      });
  command->add_option("-d,--driver", flags->driver,
                      "Specify volume driver name (default \"local\")");
  // Docker keeps --name hidden: the positional is the documented way.
  command->add_option("--name", flags->name_flag, "Specify volume name")
      ->group("");
  command
      ->add_option("-o,--opt", flags->options,
                   "Set driver specific options (e.g. type=tmpfs, "
                   "device=tmpfs, o=size=100m)")
      ->allow_extra_args(false);
  command->add_option("--label", flags->labels, "Set metadata for a volume")
      ->check(LabelProblem)
      ->allow_extra_args(false);
}

// ---- volume ls ----------------------------------------------------------------

struct ListFlags {
  bool quiet = false;
  std::string format;
  std::vector<std::string> filters;
};

void RunList(CommandContext& context, const ListFlags& flags) {
  absl::StatusOr<std::vector<FilterTerm>> terms = SplitFilters(flags.filters);
  if (!terms.ok()) return context.Fail(terms.status(), kExitUsage);
  absl::StatusOr<volume::v1::VolumeFilter> filter = BuildVolumeFilter(*terms);
  if (!filter.ok()) return context.Fail(filter.status());

  volume::v1::ListVolumesRequest request;
  *request.mutable_filter() = *std::move(filter);
  volume::v1::ListVolumesResponse response;
  auto call = Connections::CallContext();
  grpc::Status status =
      VolumeStub(context)->ListVolumes(call.get(), request, &response);
  // Docker's CLI prints the daemon's list warnings nowhere; neither does
  // Berth's.
  if (!status.ok()) return context.Fail(VolumedError(context, status));

  std::vector<const volume::v1::Volume*> volumes;
  for (const volume::v1::Volume& volume : response.volumes()) {
    volumes.push_back(&volume);
  }
  std::sort(volumes.begin(), volumes.end(),
            [](const volume::v1::Volume* a, const volume::v1::Volume* b) {
              return NaturalLess(a->name(), b->name());
            });
  absl::StatusOr<std::string> out =
      RenderVolumeList(volumes, VolumeListOptions{flags.format, flags.quiet});
  if (!out.ok()) return context.Fail(out.status());
  PrintOut(*out);
}

void AddListCommand(CLI::App& parent, CommandContext& context) {
  auto flags = std::make_shared<ListFlags>();
  CLI::App* command =
      AddCommand(parent, context, "ls",
                 {"berth volume ls", "[OPTIONS]", "List volumes"}, 0, 0,
                 [&context, flags](const std::vector<std::string>&) {
                   RunList(context, *flags);
                 });
  command->alias("list");
  command->add_flag("-q,--quiet", flags->quiet, "Only display volume names");
  command->add_option("--format", flags->format,
                      "Format output: table (default), json (one object "
                      "per line), 'table TEMPLATE' or a Go template such as "
                      "'{{.Name}} {{.Driver}}'");
  command
      ->add_option("-f,--filter", flags->filters,
                   "Provide filter values (e.g. \"dangling=true\"): "
                   "dangling=true|false, driver=, label=KEY[=VALUE], name=")
      ->check(FilterFormatProblem)
      ->allow_extra_args(false);
}

// ---- volume inspect ---------------------------------------------------------

void RunInspect(CommandContext& context, const std::string& format,
                const std::vector<std::string>& names) {
  std::string out;
  std::vector<absl::Status> errors;
  // A template that does not parse stops the command before any lookup.
  absl::Status parsed = RenderInspected(format, {}, &out, &errors);
  if (!parsed.ok()) return context.Fail(parsed, kExitTemplateParse);
  auto stub = VolumeStub(context);
  const absl::TimeZone zone = absl::LocalTimeZone();
  std::vector<nlohmann::ordered_json> found;
  for (const std::string& name : names) {
    volume::v1::InspectVolumeRequest request;
    request.set_name(name);
    volume::v1::InspectVolumeResponse response;
    auto call = Connections::CallContext();
    grpc::Status status = stub->InspectVolume(call.get(), request, &response);
    // volumed is not there: one explanation, not one per volume.
    if (Unreachable(status)) return context.Fail(VolumedError(context, status));
    if (status.ok()) {
      found.push_back(VolumeInspectJson(response.volume(), zone));
    } else {
      errors.push_back(VolumedError(context, status, name));
    }
  }
  // Docker prints what it found, then an error per volume it did not (or
  // its template failed on).
  (void)RenderInspected(format, found, &out, &errors);
  PrintOut(out);
  for (const absl::Status& error : errors) context.Fail(error);
}

void AddInspectCommand(CLI::App& parent, CommandContext& context) {
  auto format = std::make_shared<std::string>();
  CLI::App* command = AddCommand(
      parent, context, "inspect",
      {"berth volume inspect", "[OPTIONS] VOLUME [VOLUME...]",
       "Display detailed information on one or more volumes",
       {ArgKind::kVolume}},
      1, kUnlimited, [&context, format](const std::vector<std::string>& names) {
        RunInspect(context, *format, names);
      });
  command->add_option("-f,--format", *format,
                      "Format output: json (the default) or a Go template "
                      "such as '{{.Mountpoint}}'");
}

// ---- volume rm ------------------------------------------------------------------

void RunRemove(CommandContext& context, bool force,
               const std::vector<std::string>& names) {
  auto stub = VolumeStub(context);
  for (const std::string& name : names) {
    volume::v1::RemoveVolumeRequest request;
    request.set_name(name);
    request.set_force(force);
    volume::v1::RemoveVolumeResponse response;
    auto call = Connections::CallContext(kChangeTimeout);
    grpc::Status status = stub->RemoveVolume(call.get(), request, &response);
    if (Unreachable(status)) return context.Fail(VolumedError(context, status));
    if (status.ok()) {
      PrintOut(name + "\n");
      continue;
    }
    // As Docker: each failure is reported, the others still go.
    context.Fail(VolumedError(context, status, name));
  }
}

void AddRemoveCommand(CLI::App& parent, CommandContext& context) {
  auto force = std::make_shared<bool>(false);
  CLI::App* command = AddCommand(
      parent, context, "rm",
      {"berth volume rm", "[OPTIONS] VOLUME [VOLUME...]",
       "Remove one or more volumes",
       {ArgKind::kVolume}},
      1, kUnlimited, [&context, force](const std::vector<std::string>& names) {
        RunRemove(context, *force, names);
      });
  command->alias("remove");
  command->add_flag("-f,--force", *force,
                    "Force the removal of one or more volumes");
}

// ---- volume prune ---------------------------------------------------------------

struct PruneFlags {
  bool all = false;
  bool force = false;
  std::vector<std::string> filters;
};

void RunPrune(CommandContext& context, const PruneFlags& flags) {
  absl::StatusOr<std::vector<FilterTerm>> terms = SplitFilters(flags.filters);
  if (!terms.ok()) return context.Fail(terms.status(), kExitUsage);
  absl::StatusOr<volume::v1::PruneVolumesRequest> request =
      BuildPruneVolumesRequest(flags.all, *terms, absl::Now(),
                               absl::LocalTimeZone());
  if (!request.ok()) return context.Fail(request.status());
  // A "no" cancels quietly and successfully, as in Docker.
  if (!flags.force &&
      !Confirm(flags.all ? kAllVolumesPruneWarning : kVolumePruneWarning)) {
    return;
  }
  volume::v1::PruneVolumesResponse response;
  auto call = Connections::CallContext(kPruneTimeout);
  grpc::Status status =
      VolumeStub(context)->PruneVolumes(call.get(), *request, &response);
  if (!status.ok()) return context.Fail(VolumedError(context, status));
  PrintOut(RenderPrunedVolumes(response));
}

void AddPruneCommand(CLI::App& parent, CommandContext& context) {
  auto flags = std::make_shared<PruneFlags>();
  CLI::App* command =
      AddCommand(parent, context, "prune",
                 {"berth volume prune", "[OPTIONS]",
                  "Remove unused local volumes"},
                 0, 0, [&context, flags](const std::vector<std::string>&) {
                   RunPrune(context, *flags);
                 });
  command->add_flag("-a,--all", flags->all,
                    "Remove all unused volumes, not just anonymous ones");
  command->add_flag("-f,--force", flags->force,
                    "Do not prompt for confirmation");
  command
      ->add_option("--filter", flags->filters,
                   "Provide filter values (e.g. \"label=<label>\"): "
                   "label=KEY[=VALUE], label!=KEY[=VALUE], until=, "
                   "all=true|false")
      ->check(FilterFormatProblem)
      ->allow_extra_args(false);
}

}  // namespace
}  // namespace volume_cli

std::vector<CommandSpec> VolumeCommands() {
  using namespace volume_cli;  // NOLINT: the group's own commands
  auto group = [](CLI::App& app, CommandContext& context) {
    AddCommandGroup(app, "volume", "Manage volumes",
                    [&context](CLI::App& volume) {
                      AddCreateCommand(volume, context);
                      AddInspectCommand(volume, context);
                      AddListCommand(volume, context);
                      AddPruneCommand(volume, context);
                      AddRemoveCommand(volume, context);
                    },
                    /*usage_names_command=*/true);
  };
  return {{"volume", "volume", "Manage volumes", group}};
}

absl::StatusOr<nlohmann::ordered_json> InspectVolumeObject(CommandContext& context,
                                                         const std::string& name) {
  volume::v1::InspectVolumeRequest request;
  request.set_name(name);
  volume::v1::InspectVolumeResponse response;
  auto call = Connections::CallContext();
  const grpc::Status status =
      volume_cli::VolumeStub(context)->InspectVolume(call.get(), request, &response);
  if (!status.ok()) return volume_cli::VolumedError(context, status, name);
  return VolumeInspectJson(response.volume(), absl::LocalTimeZone());
}

std::vector<NameSource> VolumeNameSources() {
  auto volumes = [](CommandContext& context)
      -> absl::StatusOr<std::vector<std::string>> {
    volume::v1::ListVolumesRequest request;
    volume::v1::ListVolumesResponse response;
    auto call = Connections::CallContext(absl::Seconds(10));
    const grpc::Status status = volume_cli::VolumeStub(context)->ListVolumes(
        call.get(), request, &response);
    if (!status.ok()) return volume_cli::VolumedError(context, status);
    std::vector<std::string> names;
    for (const volume::v1::Volume& volume : response.volumes()) {
      names.push_back(volume.name());
    }
    return names;
  };
  return {{ArgKind::kVolume, volumes}};
}

}  // namespace berth::ctl
