// `berth events` (and `berth system events`): Docker's `docker events`. It
// asks containerd and imaged for their events at once, merges the two
// streams in time order and prints each event as Docker's CLI does. With
// --until it ends by itself; without, it follows until interrupted (Ctrl-C
// ends it by the default SIGINT, as it does `docker events`).
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "berth/container/v1/container.grpc.pb.h"
#include "berth/image/v1/image.grpc.pb.h"
#include "berth/network/v1/network.grpc.pb.h"
#include "ctl/cli/args.h"
#include "ctl/cli/cli.h"
#include "ctl/cli/command.h"
#include "ctl/cli/template.h"
#include "ctl/system/disk_commands.h"
#include "ctl/system/events_format.h"
#include "ctl/system/system_group.h"

namespace berth::ctl {
namespace {

// How long an event waits for an earlier one from the other service.
constexpr absl::Duration kReorderWindow = absl::Milliseconds(150);

// Docker's shapes plus events.Actor's Attributes, a map[string]string (so
// a missing key prints "<no value>" rather than failing).
const TemplateShapes& EventShapes() {
  static const TemplateShapes* shapes = [] {
    auto* made = new TemplateShapes(TemplateShapes::Docker());
    made->maps["Attributes"] = GoKind::kString;
    return made;
  }();
  return *shapes;
}

struct EventsFlags {
  std::string since;
  std::string until;
  std::vector<std::string> filters;
  std::string format;
};

google::protobuf::Timestamp ToProto(absl::Time time) {
  google::protobuf::Timestamp out;
  const int64_t ns = absl::ToUnixNanos(time);
  out.set_seconds(ns / 1000000000);
  out.set_nanos(static_cast<int>(ns % 1000000000));
  return out;
}

// What the streams share with the printer.
struct Fanin {
  absl::Mutex mu;
  EventMerger merged{kReorderWindow};
  int running = 0;
  absl::Status failure;  // the first stream's error
};

// Reads one service's stream into `fanin` until it ends.
template <typename Stub, typename Request, typename Response>
void ReadStream(CommandContext& context, const std::string& service,
                Stub& stub, const Request& request, grpc::ClientContext* call,
                const EventQuery& query, Fanin& fanin) {
  std::unique_ptr<grpc::ClientReader<Response>> reader =
      stub.Events(call, request);
  Response response;
  while (reader->Read(&response)) {
    if (!ClientSideMatch(response.event(), query)) continue;
    absl::MutexLock lock(&fanin.mu);
    fanin.merged.Add(response.event(), absl::Now());
  }
  grpc::Status status = reader->Finish();
  absl::MutexLock lock(&fanin.mu);
  --fanin.running;
  if (!status.ok() && status.error_code() != grpc::StatusCode::CANCELLED &&
      fanin.failure.ok()) {
    fanin.failure = context.connections().Explain(service, status);
  }
}

void RunEvents(CommandContext& context, const EventsFlags& flags) {
  std::unique_ptr<Template> tmpl;
  if (!flags.format.empty()) {
    // Docker's makeTemplate: parsed, then tried on an empty message.
    absl::StatusOr<Template> parsed =
        Template::Parse(flags.format == "json" ? "{{json .}}" : flags.format);
    TemplateOptions options;
    options.root_type = "*events.Message";
    options.shapes = &EventShapes();
    absl::Status tried = parsed.status();
    if (parsed.ok()) {
      tried = parsed->Execute(EventTemplateData(types::v1::Event()), options)
                  .status();
    }
    if (!tried.ok()) {
      std::fprintf(stderr, "Error parsing format: %s\n",
                   std::string(tried.message()).c_str());
      context.exit_code = kExitTemplateParse;
      return;
    }
    tmpl = std::make_unique<Template>(*std::move(parsed));
  }
  const absl::Time now = absl::Now();
  types::v1::EventFilter window;
  for (const auto& [flag, field] :
       {std::make_pair(&flags.since, window.mutable_since()),
        std::make_pair(&flags.until, window.mutable_until())}) {
    if (flag->empty()) continue;
    absl::StatusOr<absl::Time> at =
        ParseTimestamp(*flag, now, absl::LocalTimeZone());
    if (!at.ok()) {
      // Docker's CLI prints this one bare (it fails before the request).
      std::fprintf(stderr, "%s\n", std::string(at.status().message()).c_str());
      context.exit_code = kExitError;
      return;
    }
    *field = ToProto(*at);
  }
  if (flags.until.empty()) window.clear_until();
  if (flags.since.empty()) window.clear_since();
  absl::StatusOr<std::vector<FilterTerm>> terms = SplitFilters(flags.filters);
  if (!terms.ok()) return context.Fail(terms.status());
  absl::StatusOr<EventQuery> query = BuildEventQuery(*terms);
  if (!query.ok()) return context.Fail(query.status());
  query->container_filter.MergeFrom(window);
  query->image_filter.MergeFrom(window);
  query->network_filter.MergeFrom(window);

  Fanin fanin;
  grpc::ClientContext container_call;
  grpc::ClientContext image_call;
  grpc::ClientContext network_call;
  auto containers = container::v1::ContainerService::NewStub(
      context.connections().Channel("containerd"));
  auto images =
      image::v1::ImageService::NewStub(context.connections().Channel("imaged"));
  auto networks = network::v1::NetworkService::NewStub(
      context.connections().Channel("netd"));
  std::vector<std::thread> readers;
  if (query->containers) {
    container::v1::EventsRequest request;
    *request.mutable_filter() = query->container_filter;
    fanin.running++;
    readers.emplace_back([&, request] {
      ReadStream<container::v1::ContainerService::Stub,
                 container::v1::EventsRequest, container::v1::EventsResponse>(
          context, "containerd", *containers, request, &container_call,
          *query, fanin);
    });
  }
  if (query->images) {
    image::v1::EventsRequest request;
    *request.mutable_filter() = query->image_filter;
    fanin.running++;
    readers.emplace_back([&, request] {
      ReadStream<image::v1::ImageService::Stub, image::v1::EventsRequest,
                 image::v1::EventsResponse>(context, "imaged", *images,
                                            request, &image_call, *query,
                                            fanin);
    });
  }
  if (query->networks) {
    network::v1::EventsRequest request;
    *request.mutable_filter() = query->network_filter;
    fanin.running++;
    readers.emplace_back([&, request] {
      ReadStream<network::v1::NetworkService::Stub, network::v1::EventsRequest,
                 network::v1::EventsResponse>(context, "netd", *networks,
                                              request, &network_call, *query,
                                              fanin);
    });
  }

  absl::Status failure;
  while (true) {
    std::vector<types::v1::Event> due;
    bool done = false;
    {
      absl::MutexLock lock(&fanin.mu);
      auto ended = [&fanin] { return fanin.running == 0; };
      fanin.mu.AwaitWithTimeout(absl::Condition(&ended), kReorderWindow / 3);
      done = fanin.running == 0 || !fanin.failure.ok();
      failure = fanin.failure;
      due = fanin.merged.TakeDue(absl::Now(), done);
    }
    std::string out;
    for (const types::v1::Event& event : due) {
      if (tmpl == nullptr) {
        absl::StrAppend(&out, EventLine(event, absl::LocalTimeZone()), "\n");
        continue;
      }
      TemplateOptions options;
      options.root_type = "*events.Message";
      options.shapes = &EventShapes();
      // `json` marshals with the JSON names, a template sees the Go ones.
      options.root_json_escapes_html = flags.format == "json";
      absl::Status shown = tmpl->ExecuteTo(
          flags.format == "json" ? EventJson(event) : EventTemplateData(event),
          options, &out);
      if (!shown.ok()) {
        failure = shown;
        done = true;
        break;
      }
      out += "\n";
    }
    if (!out.empty()) PrintOut(out);
    if (done) break;
  }
  // A failed stream ends the other too.
  container_call.TryCancel();
  image_call.TryCancel();
  network_call.TryCancel();
  for (std::thread& reader : readers) reader.join();
  if (!failure.ok()) context.Fail(failure);
}

void AddEventsCommand(CLI::App& parent, CommandContext& context,
                      const std::string& path) {
  auto flags = std::make_shared<EventsFlags>();
  CLI::App* command = AddCommand(
      parent, context, "events",
      {path, "[OPTIONS]", "Get real time events from the server", {}}, 0, 0,
      [&context, flags](const std::vector<std::string>&) {
        RunEvents(context, *flags);
      });
  command->add_option("-f,--filter", flags->filters,
                      "Filter output based on conditions provided")
      ->check(FilterFormatProblem);
  command->add_option("--format", flags->format,
                      "Format output using a custom template:\n"
                      "'json':             Print in JSON format\n"
                      "'TEMPLATE':         Print output using the given Go "
                      "template.");
  command->add_option("--since", flags->since,
                      "Show all events created since timestamp");
  command->add_option("--until", flags->until,
                      "Stream events until this timestamp");
}

}  // namespace

std::vector<CommandSpec> EventsCommands() {
  return {
      {"system", "system", "Manage Berth",
       [](CLI::App& app, CommandContext& context) {
         AddCommandGroup(app, "system", "Manage Berth",
                         [&context](CLI::App& group) {
                           AddDfCommand(group, context);
                           AddEventsCommand(group, context,
                                            "berth system events");
                           AddSystemPruneCommand(group, context);
                         });
       }},
      {"events", "system", "Get real time events from the server",
       [](CLI::App& app, CommandContext& context) {
         AddEventsCommand(app, context, "berth events");
       }},
  };
}

}  // namespace berth::ctl
