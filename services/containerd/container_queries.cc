// ps, prune and logs: reading many records or a container's log.
#include <algorithm>
#include <functional>
#include <optional>
#include <regex>
#include <set>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/fs_util.h"
#include "common/proto_util.h"
#include "common/status_macros.h"
#include "services/containerd/container_records.h"
#include "services/containerd/container_supervisor.h"
#include "services/containerd/logs/log_reader.h"

namespace berth::containerd {

using container::v1::Container;
using container::v1::ContainerStatus;

namespace {

constexpr size_t kLogBatchEntries = 256;
constexpr size_t kLogBatchBytes = 64 * 1024;


bool AnyOfTerms(const google::protobuf::RepeatedPtrField<std::string>& terms,
                const std::function<bool(const std::string&)>& match) {
  return terms.empty() || std::any_of(terms.begin(), terms.end(), match);
}

// `volume=`: a volume's name or a mount's destination.
bool MountsVolume(const Container& container, const std::string& term) {
  return std::any_of(container.mounts().begin(), container.mounts().end(),
                     [&](const container::v1::MountPoint& mount) {
                       return (!mount.name().empty() && mount.name() == term) ||
                              mount.destination() == term;
                     });
}

// `network=`: a network's name or (a prefix of) its id.
bool OnNetwork(const Container& container, const std::string& term) {
  for (const auto& [name, endpoint] : container.network_settings().networks()) {
    if (name == term || (!endpoint.network_id().empty() &&
                         absl::StartsWith(endpoint.network_id(), term))) {
      return true;
    }
  }
  return container.network_settings().networks().empty() &&
         container.host_config().network_mode() == term;
}

// A `publish=`/`expose=` term, "PORT[-PORT][/PROTO]" (tcp by default),
// against one container port; a malformed term matches nothing.
bool PortTermMatches(const std::string& term, uint32_t port,
                     types::v1::Protocol protocol) {
  absl::string_view ports = term;
  types::v1::Protocol wanted = types::v1::PROTOCOL_TCP;
  if (const size_t slash = ports.find('/'); slash != absl::string_view::npos) {
    std::optional<types::v1::Protocol> named = ProtocolNamed(ports.substr(slash + 1));
    if (!named.has_value()) return false;
    wanted = *named;
    ports = ports.substr(0, slash);
  }
  const size_t dash = ports.find('-');
  uint32_t low = 0, high = 0;
  if (!absl::SimpleAtoi(ports.substr(0, dash), &low)) return false;
  high = low;
  if (dash != absl::string_view::npos &&
      !absl::SimpleAtoi(ports.substr(dash + 1), &high)) {
    return false;
  }
  return protocol == wanted && port >= low && port <= high;
}

bool PublishesPort(const Container& container, const std::string& term) {
  for (const types::v1::PortBinding& binding : container.host_config().port_bindings()) {
    if (PortTermMatches(term, binding.container_port(), binding.protocol())) return true;
  }
  return false;
}

bool ExposesPort(const Container& container, const std::string& term) {
  for (const std::string& exposed : container.config().exposed_ports()) {
    const size_t slash = exposed.find('/');
    uint32_t port = 0;
    if (!absl::SimpleAtoi(absl::string_view(exposed).substr(0, slash), &port)) continue;
    std::optional<types::v1::Protocol> protocol =
        slash == std::string::npos ? types::v1::PROTOCOL_TCP
                                   : ProtocolNamed(exposed.substr(slash + 1));
    if (protocol.has_value() && PortTermMatches(term, port, *protocol)) return true;
  }
  return PublishesPort(container, term);
}

// The health `ps` shows and filters on: NONE without a check.
container::v1::Health::Status HealthOf(const Container& container) {
  const container::v1::Health::Status status = container.state().health().status();
  return status == container::v1::Health::STATUS_UNSPECIFIED
             ? container::v1::Health::STATUS_NONE
             : status;
}

void FillSummary(const Container& container,
                 container::v1::ContainerSummary* out) {
  container::v1::ContainerSummary& summary = *out;
  summary.set_id(container.id());
  summary.set_name(container.name());
  summary.set_image(container.config().image());
  summary.set_image_id(container.image_id());
  // Docker's COMMAND: the path and the arguments, those holding a space in
  // single quotes.
  std::vector<std::string> command = {container.path()};
  for (const std::string& arg : container.args()) {
    command.push_back(absl::StrContains(arg, ' ') ? absl::StrCat("'", arg, "'")
                                                  : arg);
  }
  summary.set_command(absl::StrJoin(command, " "));
  *summary.mutable_created() = container.created();
  summary.set_status(container.state().status());
  summary.set_exit_code(container.state().exit_code());
  *summary.mutable_started_at() = container.state().started_at();
  *summary.mutable_finished_at() = container.state().finished_at();
  *summary.mutable_labels() = container.config().labels();
  // The networks it is (or will be) attached to, by name; else its mode
  // (none, host).
  if (!container.network_settings().networks().empty()) {
    std::set<std::string> names;
    for (const auto& [name, endpoint] : container.network_settings().networks()) {
      names.insert(name);
    }
    for (const std::string& name : names) summary.add_networks(name);
  } else if (!container.host_config().network_mode().empty()) {
    summary.add_networks(container.host_config().network_mode());
  }
  // ps PORTS of a running container: what it publishes, then what it
  // exposes without publishing (Docker's "80/tcp").
  if (HasProcess(container.state().status())) {
    *summary.mutable_ports() = container.network_settings().ports();
    for (const std::string& exposed : container.config().exposed_ports()) {
      const size_t slash = exposed.find('/');
      uint32_t port = 0;
      if (!absl::SimpleAtoi(exposed.substr(0, slash), &port)) continue;
      const std::optional<types::v1::Protocol> protocol = ProtocolNamed(
          slash == std::string::npos ? "" : exposed.substr(slash + 1));
      if (!protocol.has_value()) continue;
      types::v1::PortBinding unpublished;
      unpublished.set_container_port(port);
      unpublished.set_protocol(*protocol);
      const bool published = std::any_of(
          summary.ports().begin(), summary.ports().end(),
          [&](const types::v1::PortBinding& binding) {
            return binding.container_port() == port &&
                   (binding.protocol() == unpublished.protocol() ||
                    (binding.protocol() == types::v1::PROTOCOL_UNSPECIFIED &&
                     unpublished.protocol() == types::v1::PROTOCOL_TCP));
          });
      if (!published) *summary.add_ports() = unpublished;
    }
  }
  *summary.mutable_mounts() = container.mounts();
  summary.set_restart_count(container.restart_count());
  summary.set_health(HealthOf(container));
  summary.set_size_rw(-1);
  summary.set_size_root_fs(-1);
  summary.set_pod_sandbox_id(container.host_config().pod_sandbox_id());
}

bool AnyOf(const google::protobuf::RepeatedPtrField<std::string>& terms,
           const std::function<bool(const std::string&)>& match) {
  if (terms.empty()) return true;
  return std::any_of(terms.begin(), terms.end(), match);
}

}  // namespace

bool ContainerSupervisor::Matches(
    const Container& container, const container::v1::ContainerFilter& filter,
    const std::map<std::string, std::string>& ancestor_ids,
    const std::vector<std::regex>& names) {
  const ContainerStatus status = container.state().status();
  if (!filter.statuses().empty() &&
      std::find(filter.statuses().begin(), filter.statuses().end(), status) ==
          filter.statuses().end()) {
    return false;
  }
  // A name filter is a regular expression found anywhere in the name, with
  // or without Docker's leading "/" ("^/web" and "^web" both match "web1").
  if (!names.empty() &&
      std::none_of(names.begin(), names.end(), [&](const std::regex& name) {
        return std::regex_search(container.name(), name) ||
               std::regex_search("/" + container.name(), name);
      })) {
    return false;
  }
  if (!AnyOf(filter.ids(), [&](const std::string& id) {
        return absl::StartsWith(container.id(), id);
      })) {
    return false;
  }
  if (!MatchesLabels(container.config().labels(), filter.labels())) {
    return false;
  }
  if (!filter.ancestors().empty()) {
    bool match = false;
    for (const std::string& ancestor : filter.ancestors()) {
      auto it = ancestor_ids.find(ancestor);
      if ((it != ancestor_ids.end() && it->second == container.image_id()) ||
          container.config().image() == ancestor) {
        match = true;
      }
    }
    if (!match) return false;
  }
  if (!filter.health().empty() &&
      std::find(filter.health().begin(), filter.health().end(),
                HealthOf(container)) == filter.health().end()) {
    return false;
  }
  auto holds = [&](bool (*test)(const Container&, const std::string&)) {
    return [&container, test](const std::string& term) { return test(container, term); };
  };
  if (!AnyOfTerms(filter.volumes(), holds(MountsVolume)) ||
      !AnyOfTerms(filter.networks(), holds(OnNetwork)) ||
      !AnyOfTerms(filter.publish(), holds(PublishesPort)) ||
      !AnyOfTerms(filter.expose(), holds(ExposesPort))) {
    return false;
  }
  if (!filter.exit_codes().empty()) {
    if (status != container::v1::CONTAINER_STATUS_EXITED) return false;
    if (std::find(filter.exit_codes().begin(), filter.exit_codes().end(),
                  container.state().exit_code()) ==
        filter.exit_codes().end()) {
      return false;
    }
  }
  return true;
}

absl::StatusOr<container::v1::ListContainersResponse>
ContainerSupervisor::List(const container::v1::ListContainersRequest& request) {
  const container::v1::ContainerFilter& filter = request.filter();
  std::vector<std::regex> names;
  for (const std::string& name : filter.names()) {
    try {
      names.emplace_back(name, std::regex::ECMAScript);
    } catch (const std::regex_error& error) {
      return absl::InvalidArgumentError(absl::StrCat(
          "invalid filter 'name=", name, "': not a regular expression (",
          error.what(), ")"));
    }
  }
  std::map<std::string, std::string> ancestor_ids;
  for (const std::string& ancestor : filter.ancestors()) {
    absl::StatusOr<image::v1::Image> image = images_->InspectImage(ancestor);
    if (image.ok()) ancestor_ids[ancestor] = image->id();
  }
  absl::Time before = absl::InfiniteFuture();
  absl::Time since = absl::InfinitePast();
  if (!filter.before().empty()) {
    ASSIGN_OR_RETURN(Container other, records_->Find(filter.before()));
    before = FromTimestamp(other.created());
  }
  if (!filter.since().empty()) {
    ASSIGN_OR_RETURN(Container other, records_->Find(filter.since()));
    since = FromTimestamp(other.created());
  }
  // -n/-l and an explicit status filter include stopped containers.
  const bool all = request.all() || request.limit() > 0 ||
                   !filter.statuses().empty() || !filter.exit_codes().empty();
  // Newest first, as Docker lists them; summaries only for what is sent.
  std::vector<std::pair<absl::Time, const Container*>> matched;
  const std::vector<ContainerRecords::Record> records = records_->Snapshot();
  for (const ContainerRecords::Record& record : records) {
    const Container& c = *record;
    const absl::Time created = FromTimestamp(c.created());
    if ((all || IsActive(c.state().status())) && created < before &&
        created > since && Matches(c, filter, ancestor_ids, names)) {
      matched.emplace_back(created, &c);
    }
  }
  std::sort(matched.begin(), matched.end(),
            [](const auto& a, const auto& b) { return a.first > b.first; });
  if (request.limit() > 0 &&
      matched.size() > static_cast<size_t>(request.limit())) {
    matched.resize(static_cast<size_t>(request.limit()));
  }
  container::v1::ListContainersResponse response;
  response.mutable_containers()->Reserve(static_cast<int>(matched.size()));
  ImageSizes image_sizes;
  for (const auto& [created, container] : matched) {
    container::v1::ContainerSummary* summary = response.add_containers();
    FillSummary(*container, summary);
    if (request.size()) {
      const auto [rw, root_fs] = SizesOf(*container, image_sizes);
      summary->set_size_rw(rw);
      summary->set_size_root_fs(root_fs);
    }
  }
  return response;
}

absl::StatusOr<container::v1::PruneContainersResponse>
ContainerSupervisor::Prune(
    const container::v1::PruneContainersRequest& request) {
  const absl::Time until = request.filter().has_until()
                               ? FromTimestamp(request.filter().until())
                               : absl::InfiniteFuture();
  std::vector<Container> candidates;
  for (const ContainerRecords::Record& record : records_->Snapshot()) {
    const Container& c = *record;
    const ContainerStatus status = c.state().status();
    if ((status == container::v1::CONTAINER_STATUS_EXITED ||
         status == container::v1::CONTAINER_STATUS_CREATED ||
         status == container::v1::CONTAINER_STATUS_DEAD) &&
        FromTimestamp(c.created()) < until &&
        MatchesLabels(c.config().labels(), request.filter().labels())) {
      candidates.push_back(c);
    }
  }
  container::v1::PruneContainersResponse response;
  for (const Container& container : candidates) {
    int64_t size = 0;
    // imaged measures its own directories.
    absl::StatusOr<image::v1::InspectRootfsResponse> rootfs =
        images_->InspectRootfs(container.rootfs_key(), /*with_size=*/true);
    if (rootfs.ok()) size = rootfs->upper_size();
    absl::Status removed = Remove(container.id(), /*force=*/false);
    if (removed.ok()) {
      response.add_deleted(container.id());
      response.set_space_reclaimed(response.space_reclaimed() + size);
    } else if (!absl::IsNotFound(removed)) {
      log_.warn("prune: container {}: {}", container.id(),
                       std::string(removed.message()));
    }
  }
  // Docker's daemon logs every prune, of nothing too: no actor, what it
  // reclaimed in bytes.
  events_.Emit(types::v1::OBJECT_TYPE_CONTAINER, "prune", "",
               {{"reclaimed", std::to_string(response.space_reclaimed())}});
  return response;
}

absl::Status ContainerSupervisor::Logs(
    const container::v1::ContainerLogsRequest& request,
    const std::function<bool(const container::v1::ContainerLogsResponse&)>&
        send,
    const Cancelled& cancelled) {
  ASSIGN_OR_RETURN(Container container,
                   records_->Find(request.id()));
  if (container.log_path().empty()) {
    return absl::FailedPreconditionError(
        "configured logging driver does not support reading");
  }
  logs::ReadOptions options;
  options.tail = request.has_tail() ? request.tail() : -1;
  if (request.has_since()) options.since = FromTimestamp(request.since());
  if (request.has_until()) options.until = FromTimestamp(request.until());
  options.follow = request.follow();
  // `berth run` ends when the follow does: notice the exit quickly.
  options.poll_interval = absl::Milliseconds(5);
  options.stop = cancelled;
  const std::string id = container.id();
  options.still_running = [this, id]() {
    absl::StatusOr<Container> current = Load(id);
    return current.ok() && IsActive(current->state().status());
  };
  options.idle = [this, id](absl::Duration at_most) {
    AwaitNextExit(id, at_most);
  };
  const bool want_stdout =
      request.include_stdout() || !request.include_stderr();
  const bool want_stderr =
      request.include_stderr() || !request.include_stdout();

  container::v1::ContainerLogsResponse batch;
  size_t batch_bytes = 0;
  auto flush = [&]() -> absl::Status {
    if (batch.entries_size() == 0) return absl::OkStatus();
    if (!send(batch)) return absl::CancelledError("the client went away");
    batch.Clear();
    batch_bytes = 0;
    return absl::OkStatus();
  };
  logs::LogReader reader(container.log_path(), options);
  absl::Status read = reader.Read([&](const logs::LogRecord& record) {
    const bool is_stdout = record.stream == logs::Stream::kStdout;
    if ((is_stdout && !want_stdout) || (!is_stdout && !want_stderr)) {
      return absl::OkStatus();
    }
    container::v1::LogEntry* entry = batch.add_entries();
    entry->set_stream(is_stdout ? container::v1::STD_STREAM_STDOUT
                                : container::v1::STD_STREAM_STDERR);
    *entry->mutable_time() = ToTimestamp(record.time);
    entry->set_data(record.bytes);
    entry->set_partial(record.bytes.empty() || record.bytes.back() != '\n');
    batch_bytes += record.bytes.size();
    // While following, send at once so output appears live.
    if (options.follow || batch.entries_size() >= int{kLogBatchEntries} ||
        batch_bytes >= kLogBatchBytes) {
      return flush();
    }
    return absl::OkStatus();
  });
  RETURN_IF_ERROR(read);
  return flush();
}

absl::StatusOr<Container> ContainerSupervisor::Inspect(
    const std::string& reference, bool size) {
  ASSIGN_OR_RETURN(Container container, records_->Find(reference));
  if (size) {
    ImageSizes images;
    const auto [rw, root_fs] = SizesOf(container, images);
    container.set_size_rw(rw);
    container.set_size_root_fs(root_fs);
  }
  for (const std::string& exec_id : execs_.RunningIds(container.id())) {
    container.add_exec_ids(exec_id);
  }
  return container;
}

std::pair<int64_t, int64_t> ContainerSupervisor::SizesOf(
    const Container& container, ImageSizes& images) {
  // imaged measures its own directories; a size it cannot give is unknown
  // (-1 and 0, which Docker's CLI shows as no size), not an error.
  absl::StatusOr<image::v1::InspectRootfsResponse> rootfs =
      images_->InspectRootfs(container.rootfs_key(), /*with_size=*/true);
  if (!rootfs.ok()) return {-1, 0};
  const int64_t rw = rootfs->upper_size();
  auto image = images.find(container.image_id());
  if (image == images.end()) {
    absl::StatusOr<image::v1::Image> found =
        images_->InspectImage(container.image_id());
    image = images.emplace(container.image_id(), found.ok() ? found->size() : 0)
                .first;
  }
  return {rw, rw + image->second};
}

absl::StatusOr<int64_t> ContainerSupervisor::RunningCount() {
  return CountInStatus(container::v1::CONTAINER_STATUS_RUNNING);
}

int64_t ContainerSupervisor::CountInStatus(ContainerStatus status) {
  int64_t count = 0;
  for (const ContainerRecords::Record& record : records_->Snapshot()) {
    if (record->state().status() == status) ++count;
  }
  return count;
}

}  // namespace berth::containerd
