// `berth stats`: readings of the containers' cgroups and of the host, put
// together as Docker's daemon reports them (stats/sample.h), the CPU %
// taken between two readings an interval apart (a short window for
// `--no-stream`).
#include <algorithm>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/proto_util.h"
#include "common/status_macros.h"
#include "services/containerd/container_supervisor.h"
#include "services/containerd/network_mode.h"
#include "services/containerd/stats/sample.h"

namespace berth::containerd {
namespace {

using container::v1::Container;
using container::v1::ContainerStats;

// How often a wait between samples looks at the client and the daemon.
constexpr absl::Duration kWaitStep = absl::Milliseconds(50);

}  // namespace

// Containers one reading thread takes at least: below that a thread costs
// more than the files it reads.
constexpr size_t kContainersPerThread = 8;
constexpr size_t kMaxReadThreads = 4;

absl::StatusOr<ContainerStats> ContainerSupervisor::ReadStats(
    const Container& container, const stats::HostCpu& host,
    uint64_t host_memory) {
  const absl::Time now = clock_.Now();
  const ContainerStats empty =
      stats::EmptySample(container.id(), container.name(), now);
  if (!HasProcess(container.state().status())) return empty;
  ASSIGN_OR_RETURN(cgroups::CgroupDriver * driver, CgroupsOf(container));
  stats::SampleInput in;
  in.id = container.id();
  in.name = container.name();
  in.read = now;
  absl::StatusOr<cgroups::CgroupStats> cgroup = driver->Stats(container.id());
  // The container ended since its record was read: it has no figures.
  if (absl::IsNotFound(cgroup.status())) return empty;
  RETURN_IF_ERROR(cgroup.status());
  in.cgroup = *std::move(cgroup);
  in.host = host;
  in.host_memory = host_memory;
  in.pids_limit = container.host_config().resources().pids_limit();
  // In the host's namespace the interfaces are the host's, which Docker
  // does not count as the container's.
  absl::StatusOr<NetworkMode> mode =
      ParseNetworkMode(container.host_config().network_mode());
  if (container.state().pid() > 0 && !(mode.ok() && mode->IsHost())) {
    absl::StatusOr<std::vector<stats::NetDevice>> networks =
        host_stats_->Network(container.state().pid());
    if (networks.ok()) {
      in.networks = *std::move(networks);
    } else if (!absl::IsNotFound(networks.status())) {
      return networks.status();
    }
  }
  return stats::BuildSample(in);
}

absl::Status ContainerSupervisor::Stats(
    const container::v1::ContainerStatsRequest& request,
    const std::function<bool(const container::v1::ContainerStatsResponse&)>&
        send,
    const Cancelled& cancelled) {
  // Named containers are resolved once: a name reused later is another
  // container.
  std::vector<std::string> named;
  for (const std::string& reference : request.ids()) {
    ASSIGN_OR_RETURN(Container found, records_->Find(reference));
    named.push_back(found.id());
  }
  auto targets = [&] {
    std::vector<Container> containers;
    if (named.empty()) {
      std::vector<std::pair<absl::Time, Container>> active;
      for (const ContainerRecords::Record& record : records_->Snapshot()) {
        if (IsActive(record->state().status())) {
          active.emplace_back(FromTimestamp(record->created()), *record);
        }
      }
      // Newest first, as Docker's CLI lists them.
      std::sort(active.begin(), active.end(),
                [](const auto& a, const auto& b) { return a.first > b.first; });
      for (auto& [created, c] : active) containers.push_back(std::move(c));
      return containers;
    }
    for (const std::string& id : named) {
      absl::StatusOr<Container> c = records_->Get(id);
      if (c.ok()) containers.push_back(*std::move(c));  // else removed
    }
    return containers;
  };
  // Each container's files are read on one of a few threads: the reading
  // is syscalls, and `stats --no-stream` of many containers waits on it
  // twice.
  auto read_all = [&](container::v1::ContainerStatsResponse* response)
      -> absl::Status {
    const std::vector<Container> containers = targets();
    ASSIGN_OR_RETURN(const stats::HostCpu host, host_stats_->Cpu());
    ASSIGN_OR_RETURN(const uint64_t memory, host_stats_->MemoryTotal());
    std::vector<absl::StatusOr<ContainerStats>> samples(
        containers.size(), absl::UnknownError("not read"));
    const size_t threads = std::min(
        kMaxReadThreads,
        std::max<size_t>(1, containers.size() / kContainersPerThread));
    auto read_share = [&](size_t first) {
      for (size_t i = first; i < containers.size(); i += threads) {
        samples[i] = ReadStats(containers[i], host, memory);
      }
    };
    std::vector<std::thread> readers;
    for (size_t t = 1; t < threads; ++t) readers.emplace_back(read_share, t);
    read_share(0);
    for (std::thread& reader : readers) reader.join();
    for (absl::StatusOr<ContainerStats>& sample : samples) {
      RETURN_IF_ERROR(sample.status());
      *response->add_stats() = *std::move(sample);
    }
    return absl::OkStatus();
  };
  auto stopping = [&] {
    absl::MutexLock lock(&mu_);
    return shutting_down_;
  };
  // False when the client went away or the daemon is stopping.
  auto wait = [&](absl::Duration interval) {
    const absl::Time until = absl::Now() + interval;
    for (absl::Time now = absl::Now(); now < until; now = absl::Now()) {
      if ((cancelled != nullptr && cancelled()) || stopping()) return false;
      absl::SleepFor(std::min(kWaitStep, until - now));
    }
    return !(cancelled != nullptr && cancelled());
  };

  container::v1::ContainerStatsResponse response;
  absl::Time round_start = absl::Now();
  RETURN_IF_ERROR(read_all(&response));
  if (!request.stream() && request.one_shot()) {
    send(response);
    return absl::OkStatus();
  }
  std::map<std::string, ContainerStats::Cpu> previous;
  auto remember = [&](const container::v1::ContainerStatsResponse& r) {
    previous.clear();
    for (const ContainerStats& s : r.stats()) previous[s.id()] = s.cpu();
  };
  remember(response);
  // `--no-stream` answers once, from two readings a short window apart
  // (Docker's daemon waits for its next sampling, up to a second).
  const absl::Duration interval =
      request.stream() ? options_.stats_interval : options_.stats_window;
  while (true) {
    // The interval runs from the start of the last reading, so each
    // container's two readings are about `interval` apart whatever the
    // reading takes.
    if (!wait(round_start + interval - absl::Now())) {
      return absl::CancelledError("the client or the daemon stopped stats");
    }
    round_start = absl::Now();
    response.Clear();
    RETURN_IF_ERROR(read_all(&response));
    for (ContainerStats& s : *response.mutable_stats()) {
      auto before = previous.find(s.id());
      if (before != previous.end()) {
        s.set_cpu_percent(stats::CpuPercent(before->second, s.cpu()));
      }
    }
    remember(response);
    if (!named.empty() && response.stats_size() == 0) {
      return absl::OkStatus();  // every named container was removed
    }
    if (!send(response) || !request.stream()) return absl::OkStatus();
  }
}

}  // namespace berth::containerd
