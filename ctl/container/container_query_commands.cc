// `berth ps`, `berth logs`, `berth container inspect` and the generic
// `berth inspect` (a container first, then an image, as Docker looks).
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "berth/image/v1/image.grpc.pb.h"
#include "ctl/cli/args.h"
#include "ctl/cli/docker_template.h"
#include "ctl/container/container_args.h"
#include "ctl/container/container_commands.h"
#include "ctl/cli/client_config.h"
#include "ctl/container/container_format.h"
#include "ctl/container/container_inspect.h"
#include "ctl/image/image_commands.h"
#include "ctl/image/image_format.h"
#include "ctl/network/network_group.h"
#include "ctl/volume/volume_group.h"

namespace berth::ctl::container_cli {


absl::Status StreamLogs(CommandContext& context,
                        const container::v1::ContainerLogsRequest& request,
                        bool timestamps) {
  grpc::ClientContext call;  // no deadline: -f follows for as long as it runs
  std::unique_ptr<grpc::ClientReader<container::v1::ContainerLogsResponse>>
      reader = ContainerStub(context)->ContainerLogs(&call, request);
  container::v1::ContainerLogsResponse response;
  // Per stream: the next byte starts a line (for the -t prefix).
  bool line_start[2] = {true, true};
  while (reader->Read(&response)) {
    for (const container::v1::LogEntry& entry : response.entries()) {
      const bool is_err = entry.stream() == container::v1::STD_STREAM_STDERR;
      FILE* out = is_err ? stderr : stdout;
      if (timestamps && line_start[is_err]) {
        const std::string prefix = LogTimestamp(entry.time());
        std::fwrite(prefix.data(), 1, prefix.size(), out);
      }
      std::fwrite(entry.data().data(), 1, entry.data().size(), out);
      line_start[is_err] =
          !entry.partial() &&
          (entry.data().empty() || entry.data().back() == '\n');
    }
    std::fflush(stdout);
    std::fflush(stderr);
  }
  grpc::Status status = reader->Finish();
  if (!status.ok()) return ContainerdError(context, status, request.id());
  return absl::OkStatus();
}

namespace {

// ---- ps ---------------------------------------------------------------------

struct PsFlags {
  bool all = false;
  bool quiet = false;
  bool latest = false;
  int last = -1;
  bool no_trunc = false;
  bool size = false;
  std::vector<std::string> filters;
  std::string format;
};

void RunPs(CommandContext& context, const PsFlags& given) {
  PsFlags flags = given;
  // As Docker's: without --format, the config file's psFormat (a quiet
  // listing prints ids whatever it says).
  if (flags.format.empty() && !flags.quiet) {
    flags.format = ClientConfigOrDefaults().ps_format;
  }
  absl::StatusOr<std::vector<FilterTerm>> terms = SplitFilters(flags.filters);
  if (!terms.ok()) return context.Fail(terms.status(), kExitUsage);
  absl::StatusOr<container::v1::ContainerFilter> filter =
      BuildContainerFilter(*terms);
  if (!filter.ok()) return context.Fail(filter.status());

  // As `docker ps`, a template is checked before the daemon is asked, and
  // one that shows .Size asks for sizes.
  bool size = flags.size;
  const bool custom_format = !flags.quiet && !flags.format.empty() &&
                             flags.format != "table" && flags.format != "json";
  if (custom_format) {
    absl::Status valid = ValidateListTemplate(
        ContainerListTemplate(flags.format),
        ContainerTemplateRow(container::v1::ContainerSummary(), false,
                             absl::Now(), absl::LocalTimeZone()));
    if (!valid.ok()) return context.Fail(valid);
    size = size || absl::StrContains(flags.format, ".Size");
  }

  container::v1::ListContainersRequest request;
  int limit = flags.latest ? 1 : flags.last;
  // -n and -l look at containers of any state, as Docker's do.
  request.set_all(flags.all || limit > 0);
  request.set_limit(limit > 0 ? limit : 0);
  request.set_size(size);
  *request.mutable_filter() = *filter;
  container::v1::ListContainersResponse response;
  auto call = Connections::CallContext(absl::Minutes(size ? 5 : 1));
  grpc::Status status =
      ContainerStub(context)->ListContainers(call.get(), request, &response);
  if (!status.ok()) return context.Fail(ContainerdError(context, status));

  ContainerListOptions options;
  options.format = flags.format;
  options.quiet = flags.quiet;
  options.no_trunc = flags.no_trunc;
  options.size = flags.size;
  absl::StatusOr<std::string> out = RenderContainerList(
      response, options, absl::Now(), absl::LocalTimeZone());
  if (!out.ok()) return context.Fail(out.status());
  PrintOut(*out);
}

}  // namespace

CLI::App* AddPsCommand(CLI::App& parent, CommandContext& context,
                       const std::string& name, const std::string& path) {
  auto flags = std::make_shared<PsFlags>();
  CLI::App* command = AddCommand(
      parent, context, name, {path, "[OPTIONS]", "List containers"}, 0, 0,
      [&context, flags](const std::vector<std::string>&) {
        RunPs(context, *flags);
      });
  command->add_flag("-a,--all", flags->all,
                    "Show all containers (default shows just running)");
  command->add_flag("-q,--quiet", flags->quiet, "Only display container IDs");
  command->add_flag("-l,--latest", flags->latest,
                    "Show the latest created container (includes all "
                    "states)");
  command->add_option("-n,--last", flags->last,
                      "Show n last created containers (includes all "
                      "states)");
  command->add_flag("--no-trunc", flags->no_trunc, "Don't truncate output");
  command->add_flag("-s,--size", flags->size, "Display total file sizes");
  command
      ->add_option("-f,--filter", flags->filters,
                   "Filter output based on conditions provided: status=, "
                   "name=, id=, label=, ancestor=, exited=, before=, since=, "
                   "health=, network=, volume=, publish=, expose=")
      ->check(FilterFormatProblem)
      ->allow_extra_args(false);
  command->add_option("--format", flags->format,
                      "Format output: table (default), json, 'table "
                      "TEMPLATE' or a Go template such as '{{.ID}} "
                      "{{.Names}}'");
  return command;
}

// ---- logs -----------------------------------------------------------------

namespace {

struct LogsFlags {
  bool follow = false;
  bool timestamps = false;
  std::string tail = "all";
  std::string since;
  std::string until;
};

google::protobuf::Timestamp ToProto(absl::Time time) {
  google::protobuf::Timestamp ts;
  const int64_t seconds = absl::ToUnixSeconds(time);
  ts.set_seconds(seconds);
  ts.set_nanos(static_cast<int32_t>(
      absl::ToInt64Nanoseconds(time - absl::FromUnixSeconds(seconds))));
  return ts;
}

void RunLogs(CommandContext& context, const LogsFlags& flags,
             const std::string& id) {
  container::v1::ContainerLogsRequest request;
  request.set_id(id);
  request.set_follow(flags.follow);
  if (flags.tail != "all" && !flags.tail.empty()) {
    absl::StatusOr<int64_t> tail = ParseIntFlag("-n, --tail", flags.tail);
    if (!tail.ok()) return context.Fail(tail.status(), kExitUsage);
    if (*tail >= 0) request.set_tail(*tail);  // negative: all, as Docker
  }
  const absl::Time now = absl::Now();
  if (!flags.since.empty()) {
    absl::StatusOr<absl::Time> since =
        ParseTimestamp(flags.since, now, absl::LocalTimeZone());
    if (!since.ok()) return context.Fail(since.status(), kExitUsage);
    *request.mutable_since() = ToProto(*since);
  }
  if (!flags.until.empty()) {
    absl::StatusOr<absl::Time> until =
        ParseTimestamp(flags.until, now, absl::LocalTimeZone());
    if (!until.ok()) return context.Fail(until.status(), kExitUsage);
    *request.mutable_until() = ToProto(*until);
  }
  absl::Status status = StreamLogs(context, request, flags.timestamps);
  if (!status.ok()) context.Fail(status);
}

}  // namespace

void AddLogsCommand(CLI::App& parent, CommandContext& context,
                    const std::string& path) {
  auto flags = std::make_shared<LogsFlags>();
  CLI::App* command = AddCommand(
      parent, context, "logs",
      {path, "[OPTIONS] CONTAINER", "Fetch the logs of a container",
       {ArgKind::kContainer}},
      1, 1,
      [&context, flags](const std::vector<std::string>& args) {
        RunLogs(context, *flags, args[0]);
      });
  command->add_flag("-f,--follow", flags->follow, "Follow log output");
  command->add_flag("-t,--timestamps", flags->timestamps, "Show timestamps");
  command->add_option("-n,--tail", flags->tail,
                      "Number of lines to show from the end of the logs "
                      "(default \"all\")");
  command->add_option("--since", flags->since,
                      "Show logs since timestamp (e.g. "
                      "\"2013-01-02T13:23:37Z\") or relative (e.g. \"42m\")");
  command->add_option("--until", flags->until,
                      "Show logs before a timestamp or relative time");
}

// ---- inspect ----------------------------------------------------------------

namespace {

struct InspectFlags {
  std::string format;
  bool size = false;
  std::string type;  // generic inspect only
};

// What an inspect found: JSON objects, printed as Docker prints them. A
// template that does not parse fails the whole command with Docker's exit
// code 64; an item the template fails on adds to `errors`.
absl::Status PrintInspected(const std::string& format,
                            const std::vector<nlohmann::ordered_json>& found,
                            std::vector<absl::Status>* errors) {
  std::string out;
  absl::Status rendered = RenderInspected(format, found, &out, errors);
  if (rendered.ok()) PrintOut(out);
  return rendered;
}

// The kinds `berth inspect` looks in, in Docker's order.
struct InspectKinds {
  bool containers = false;
  bool images = false;
  bool networks = false;
  bool volumes = false;
};

// Looks `name` up in each kind asked for, in Docker's order (containers,
// images, networks, volumes); NOT_FOUND in Docker's words when none knows
// it ("No such object: X", or the one kind's own words).
absl::StatusOr<nlohmann::ordered_json> Lookup(CommandContext& context,
                                              const std::string& name,
                                              const InspectKinds& kinds,
                                              bool size) {
  const int asked = kinds.containers + kinds.images + kinds.networks + kinds.volumes;
  auto next = [&](const absl::Status& status) {
    return absl::IsNotFound(status) && asked > 1;
  };
  if (kinds.containers) {
    container::v1::InspectContainerRequest request;
    request.set_id(name);
    request.set_size(size);
    container::v1::InspectContainerResponse response;
    auto call = Connections::CallContext(absl::Minutes(size ? 5 : 1));
    grpc::Status status =
        ContainerStub(context)->InspectContainer(call.get(), request, &response);
    if (status.ok()) return ContainerInspectJson(response.container());
    absl::Status error = ContainerdError(context, status, name);
    if (!next(error)) return error;
  }
  if (kinds.images) {
    image::v1::InspectImageRequest request;
    request.set_image(name);
    image::v1::InspectImageResponse response;
    auto call = Connections::CallContext();
    grpc::Status status =
        image_cli::ImageStub(context)->InspectImage(call.get(), request, &response);
    if (status.ok()) return ImageInspectJson(response.image());
    absl::Status error = status.error_code() == grpc::StatusCode::NOT_FOUND
                             ? absl::NotFoundError(absl::StrCat("No such image: ", name))
                             : image_cli::ImagedError(context, status, name);
    if (!next(error)) return error;
  }
  for (auto [wanted, lookup] :
       {std::pair{kinds.networks, &InspectNetworkObject},
        std::pair{kinds.volumes, &InspectVolumeObject}}) {
    if (!wanted) continue;
    absl::StatusOr<nlohmann::ordered_json> found = lookup(context, name);
    if (found.ok() || !next(found.status())) return found;
  }
  return absl::NotFoundError(absl::StrCat("No such object: ", name));
}

void RunInspect(CommandContext& context, const InspectFlags& flags,
                const std::vector<std::string>& names, const InspectKinds& kinds) {
  if (!flags.format.empty() && flags.format != "json") {
    // A template that does not parse stops the command before any lookup.
    std::string ignored;
    std::vector<absl::Status> none;
    absl::Status parsed =
        RenderInspectTemplate(flags.format, {}, &ignored, &none);
    if (!parsed.ok()) return context.Fail(parsed, kExitTemplateParse);
  }
  std::vector<nlohmann::ordered_json> found;
  std::vector<absl::Status> errors;
  for (const std::string& name : names) {
    absl::StatusOr<nlohmann::ordered_json> item =
        Lookup(context, name, kinds, flags.size);
    if (item.ok()) {
      found.push_back(*std::move(item));
      continue;
    }
    if (item.status().code() == absl::StatusCode::kUnavailable) {
      return context.Fail(item.status());
    }
    errors.push_back(item.status());
  }
  absl::Status printed = PrintInspected(flags.format, found, &errors);
  if (!printed.ok()) return context.Fail(printed, kExitTemplateParse);
  for (const absl::Status& error : errors) context.Fail(error);
}

}  // namespace

void AddContainerInspectCommand(CLI::App& parent, CommandContext& context) {
  auto flags = std::make_shared<InspectFlags>();
  CLI::App* command = AddCommand(
      parent, context, "inspect",
      {"berth container inspect", "[OPTIONS] CONTAINER [CONTAINER...]",
       "Display detailed information on one or more containers",
       {ArgKind::kContainer}},
      1, kUnlimited, [&context, flags](const std::vector<std::string>& names) {
        RunInspect(context, *flags, names, InspectKinds{true, false, false, false});
      });
  command->add_option("-f,--format", flags->format,
                      "Format output: json (default) or a Go template such "
                      "as '{{.State.Status}}'");
  command->add_flag("-s,--size", flags->size, "Display total file sizes");
}

void AddGenericInspectCommand(CLI::App& parent, CommandContext& context) {
  auto flags = std::make_shared<InspectFlags>();
  CLI::App* command = AddCommand(
      parent, context, "inspect",
      {"berth inspect", "[OPTIONS] NAME|ID [NAME|ID...]",
       "Return low-level information on Berth objects", {ArgKind::kObject}},
      1, kUnlimited, [&context, flags](const std::vector<std::string>& names) {
        const std::string& type = flags->type;
        if (!type.empty() && type != "container" && type != "image" &&
            type != "network" && type != "volume") {
          return context.Fail(
              absl::InvalidArgumentError(absl::StrCat(
                  "\"", type,
                  "\" is not a valid value for --type (container, image, "
                  "network or volume)")),
              kExitUsage);
        }
        const bool any = type.empty();
        RunInspect(context, *flags, names,
                   InspectKinds{any || type == "container", any || type == "image",
                                any || type == "network", any || type == "volume"});
      });
  command->add_option("-f,--format", flags->format,
                      "Format output: json (default) or a Go template such "
                      "as '{{.Id}}'");
  command->add_flag("-s,--size", flags->size,
                    "Display total file sizes if the type is container");
  command->add_option("--type", flags->type,
                      "Only inspect objects of this type: container, image, "
                      "network or volume");
}

}  // namespace berth::ctl::container_cli
