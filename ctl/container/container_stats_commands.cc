// `berth stats [OPTIONS] [CONTAINER...]` (and `berth container stats`), as
// Docker's CLI runs it: named containers must all exist (every missing one
// is reported, nothing printed); without names every running container
// (with -a every container); --no-stream prints one table, else a table
// per sample, redrawn in place on a terminal.
#include <unistd.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ctl/cli/args.h"
#include "ctl/container/container_commands.h"
#include "ctl/container/stats_format.h"

namespace berth::ctl::container_cli {
namespace {

struct StatsFlags {
  bool all = false;
  bool no_stream = false;
  bool no_trunc = false;
  std::string format;
};

// The ids to ask for (none: every running container, as they come and
// go), and for named containers what the user typed for each id. False
// when an error was reported.
bool Targets(CommandContext& context, const StatsFlags& flags,
             const std::vector<std::string>& names,
             std::vector<std::string>* ids,
             std::map<std::string, std::string>* typed) {
  auto stub = ContainerStub(context);
  if (names.empty()) {
    if (!flags.all) return true;
    container::v1::ListContainersRequest request;
    request.set_all(true);
    container::v1::ListContainersResponse response;
    auto call = Connections::CallContext();
    grpc::Status status = stub->ListContainers(call.get(), request, &response);
    if (!status.ok()) {
      context.Fail(ContainerdError(context, status));
      return false;
    }
    for (const auto& c : response.containers()) ids->push_back(c.id());
    return true;
  }
  // Docker asks for each container's stats apart and reports every one
  // that failed; looking each up first does the same.
  bool ok = true;
  for (const std::string& name : names) {
    container::v1::InspectContainerRequest request;
    request.set_id(name);
    container::v1::InspectContainerResponse response;
    auto call = Connections::CallContext();
    grpc::Status status =
        stub->InspectContainer(call.get(), request, &response);
    if (!status.ok()) {
      context.Fail(ContainerdError(context, status, name));
      if (status.error_code() == grpc::StatusCode::UNAVAILABLE) return false;
      ok = false;
      continue;
    }
    ids->push_back(response.container().id());
    (*typed)[response.container().id()] = name;
  }
  return ok;
}

void RunStats(CommandContext& context, const StatsFlags& flags,
              const std::vector<std::string>& names) {
  std::vector<std::string> ids;
  std::map<std::string, std::string> typed;
  if (!Targets(context, flags, names, &ids, &typed)) return;
  const bool listing_all = names.empty() && flags.all;
  if (listing_all && ids.empty()) {
    // Docker prints the table's header for no container.
    absl::StatusOr<std::string> table =
        RenderStats({}, flags.format, flags.no_trunc);
    if (!table.ok()) return context.Fail(table.status());
    return PrintOut(*table);
  }
  container::v1::ContainerStatsRequest request;
  for (const std::string& id : ids) request.add_ids(id);
  request.set_stream(!flags.no_stream);
  // No deadline: a stream runs until the user ends it.
  grpc::ClientContext call;
  auto reader = ContainerStub(context)->ContainerStats(&call, request);
  const bool terminal = isatty(STDOUT_FILENO) == 1;
  container::v1::ContainerStatsResponse response;
  while (reader->Read(&response)) {
    std::vector<StatsEntry> entries;
    for (const container::v1::ContainerStats& s : response.stats()) {
      // The Container column is what the user typed, or the full id.
      auto it = typed.find(s.id());
      entries.push_back(StatsEntryOf(s, it != typed.end() ? it->second : s.id()));
    }
    absl::StatusOr<std::string> table =
        RenderStats(entries, flags.format, flags.no_trunc);
    if (!table.ok()) {
      call.TryCancel();
      return context.Fail(table.status());
    }
    PrintOut(flags.no_stream || !terminal ? *table : StatsTerminalFrame(*table));
  }
  grpc::Status status = reader->Finish();
  if (!status.ok()) {
    context.Fail(
        ContainerdError(context, status, names.size() == 1 ? names[0] : ""));
  }
}

}  // namespace

void AddStatsCommand(CLI::App& parent, CommandContext& context,
                     const std::string& path) {
  auto flags = std::make_shared<StatsFlags>();
  CLI::App* command = AddCommand(
      parent, context, "stats",
      {path, "[OPTIONS] [CONTAINER...]",
       "Display a live stream of container(s) resource usage statistics",
       {ArgKind::kContainer}},
      0, kUnlimited,
      [&context, flags](const std::vector<std::string>& names) {
        RunStats(context, *flags, names);
      });
  command->add_flag("-a,--all", flags->all,
                    "Show all containers (default shows just running)");
  command->add_option("--format", flags->format,
                      "Format output: table (default), json, 'table "
                      "TEMPLATE' or a Go template such as '{{.Name}} "
                      "{{.CPUPerc}}'");
  command->add_flag("--no-stream", flags->no_stream,
                    "Disable streaming stats and only pull the first result");
  command->add_flag("--no-trunc", flags->no_trunc, "Do not truncate output");
}

}  // namespace berth::ctl::container_cli
