// `berth stats [OPTIONS] [CONTAINER...]` (and `berth container stats`), as
// Docker's CLI runs it: named containers must all exist (every missing one
// is reported, nothing printed); without names every running container
// (with -a every container); --no-stream prints one table, else a table
// per sample, redrawn in place on a terminal. Streaming without names
// follows containerd's events as Docker's CLI does (stats_board.h): each
// container has a stream of its own, and the table is drawn at most every
// half second. Without --format, the config file's statsFormat.
#include <unistd.h>

#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "ctl/cli/args.h"
#include "ctl/cli/client_config.h"
#include "ctl/container/container_commands.h"
#include "ctl/container/stats_board.h"
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

// The containers of a streaming stats without names: the events first, so
// that nothing starting between the listing and the subscription is
// missed, then the listing, then a stream per container into `board()`.
class StatsFollower {
 public:
  StatsFollower(CommandContext& context, bool all)
      : context_(context), all_(all), stub_(ContainerStub(context)) {}
  ~StatsFollower() {
    events_call_.TryCancel();
    if (events_thread_.joinable()) events_thread_.join();
    std::vector<std::unique_ptr<Stream>> streams;
    {
      absl::MutexLock lock(&mu_);
      for (auto& [id, stream] : streams_) streams.push_back(std::move(stream));
      streams_.clear();
    }
    for (auto& stream : streams) stream->call.TryCancel();
    for (auto& stream : streams) stream->thread.join();
  }
  StatsFollower(const StatsFollower&) = delete;
  StatsFollower& operator=(const StatsFollower&) = delete;

  absl::Status Start() {
    container::v1::EventsRequest events;
    events.mutable_filter()->add_types(types::v1::OBJECT_TYPE_CONTAINER);
    for (const std::string& action : StatsEventActions(all_)) {
      events.mutable_filter()->add_actions(action);
    }
    std::unique_ptr<grpc::ClientReader<container::v1::EventsResponse>> reader =
        stub_->Events(&events_call_, events);
    // containerd sends the headers once the subscription is in place.
    reader->WaitForInitialMetadata();
    container::v1::ListContainersRequest request;
    request.set_all(all_);
    container::v1::ListContainersResponse response;
    auto call = Connections::CallContext();
    grpc::Status status = stub_->ListContainers(call.get(), request, &response);
    if (!status.ok()) {
      events_call_.TryCancel();
      reader->Finish();
      return ContainerdError(context_, status);
    }
    for (const auto& c : response.containers()) Add(c.id());
    events_thread_ = std::thread(
        [this, reader = std::move(reader)]() mutable { ReadEvents(*reader); });
    return absl::OkStatus();
  }

  StatsBoard& board() { return board_; }

  // Why the events stream ended (OK: containerd ended it).
  absl::Status failure() {
    absl::MutexLock lock(&mu_);
    return failure_;
  }

 private:
  struct Stream {
    grpc::ClientContext call;
    std::thread thread;
    bool ended = false;  // guarded by mu_
  };

  void Add(const std::string& id) {
    std::unique_ptr<Stream> old;
    {
      absl::MutexLock lock(&mu_);
      auto it = streams_.find(id);
      if (it != streams_.end()) {
        if (!it->second->ended) return;  // followed already
        old = std::move(it->second);
        streams_.erase(it);
      }
    }
    if (old != nullptr) old->thread.join();
    if (!board_.Add(id)) return;
    absl::MutexLock lock(&mu_);
    auto stream = std::make_unique<Stream>();
    Stream* raw = stream.get();
    streams_[id] = std::move(stream);
    raw->thread = std::thread([this, raw, id] { Follow(*raw, id); });
  }

  void Remove(const std::string& id) {
    board_.Remove(id);
    std::unique_ptr<Stream> stream;
    {
      absl::MutexLock lock(&mu_);
      auto it = streams_.find(id);
      if (it == streams_.end()) return;
      stream = std::move(it->second);
      streams_.erase(it);
    }
    stream->call.TryCancel();
    stream->thread.join();
  }

  void Follow(Stream& stream, const std::string& id) {
    container::v1::ContainerStatsRequest request;
    request.add_ids(id);
    request.set_stream(true);
    auto reader = stub_->ContainerStats(&stream.call, request);
    container::v1::ContainerStatsResponse response;
    while (reader->Read(&response)) {
      for (const container::v1::ContainerStats& s : response.stats()) {
        board_.Update(s);
      }
    }
    // Ended by containerd: the container is gone (NOT_FOUND when it went
    // before the stream began); by us: it was removed already.
    reader->Finish();
    board_.Ended(id);
    absl::MutexLock lock(&mu_);
    stream.ended = true;
  }

  void ReadEvents(grpc::ClientReader<container::v1::EventsResponse>& reader) {
    container::v1::EventsResponse response;
    while (reader.Read(&response)) {
      const std::string& id = response.event().actor().id();
      switch (StatsChangeFor(response.event().action(), all_)) {
        case StatsChange::kAdd:
          Add(id);
          break;
        case StatsChange::kRemove:
          Remove(id);
          break;
        case StatsChange::kNone:
          break;
      }
    }
    grpc::Status status = reader.Finish();
    if (!status.ok() && status.error_code() != grpc::StatusCode::CANCELLED) {
      absl::MutexLock lock(&mu_);
      failure_ = ContainerdError(context_, status);
    }
    board_.Close();
  }

  CommandContext& context_;
  const bool all_;
  std::unique_ptr<container::v1::ContainerService::Stub> stub_;
  StatsBoard board_;
  grpc::ClientContext events_call_;
  std::thread events_thread_;
  absl::Mutex mu_;
  std::map<std::string, std::unique_ptr<Stream>> streams_ ABSL_GUARDED_BY(mu_);
  absl::Status failure_ ABSL_GUARDED_BY(mu_);
};

// Docker draws at most every half second.
constexpr absl::Duration kStatsFrame = absl::Milliseconds(500);

void RunFollowingStats(CommandContext& context, const StatsFlags& flags) {
  StatsFollower follower(context, flags.all);
  if (absl::Status started = follower.Start(); !started.ok()) {
    return context.Fail(started);
  }
  const bool terminal = isatty(STDOUT_FILENO) == 1;
  while (true) {
    const bool changed = follower.board().AwaitChange(kStatsFrame);
    if (follower.board().closed()) {
      // containerd ended the stream (it is stopping), or failed.
      if (absl::Status failed = follower.failure(); !failed.ok()) {
        context.Fail(failed);
      }
      return;
    }
    if (!changed) continue;
    std::vector<StatsEntry> entries;
    for (const container::v1::ContainerStats& s : follower.board().Rows()) {
      entries.push_back(StatsEntryOf(s, s.id()));
    }
    absl::StatusOr<std::string> table =
        RenderStats(entries, flags.format, flags.no_trunc);
    if (!table.ok()) return context.Fail(table.status());
    PrintOut(terminal ? StatsTerminalFrame(*table) : *table);
  }
}

void RunStats(CommandContext& context, const StatsFlags& given,
              const std::vector<std::string>& names) {
  StatsFlags flags = given;
  if (flags.format.empty()) flags.format = ClientConfigOrDefaults().stats_format;
  if (names.empty() && !flags.no_stream) return RunFollowingStats(context, flags);
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
