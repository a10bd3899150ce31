// Docker's stats arithmetic (see sample.h).
#include "services/containerd/stats/sample.h"

#include "google/protobuf/util/time_util.h"

namespace berth::containerd::stats {
namespace {

uint64_t Unsigned(int64_t value) {
  return value > 0 ? static_cast<uint64_t>(value) : 0;
}

uint64_t StatOr0(const std::map<std::string, int64_t>& stat,
                 const std::string& key) {
  auto it = stat.find(key);
  return it == stat.end() ? 0 : Unsigned(it->second);
}

void SetTime(absl::Time time, container::v1::ContainerStats* stats) {
  *stats->mutable_read() = google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
      absl::ToUnixNanos(time));
}

}  // namespace

uint64_t MemoryUsageNoCache(uint64_t usage,
                            const std::map<std::string, int64_t>& stat) {
  // Docker tries v1's key first and v2's after, each only when smaller.
  if (auto v1 = stat.find("total_inactive_file"); v1 != stat.end()) {
    if (Unsigned(v1->second) < usage) return usage - Unsigned(v1->second);
  }
  if (auto v2 = stat.find("inactive_file"); v2 != stat.end()) {
    if (Unsigned(v2->second) < usage) return usage - Unsigned(v2->second);
  }
  return usage;
}

double CpuPercent(const container::v1::ContainerStats::Cpu& previous,
                  const container::v1::ContainerStats::Cpu& current) {
  const double cpu_delta = static_cast<double>(current.total_usage_ns()) -
                           static_cast<double>(previous.total_usage_ns());
  const double system_delta = static_cast<double>(current.system_usage_ns()) -
                              static_cast<double>(previous.system_usage_ns());
  double online = current.online_cpus();
  if (online == 0) online = current.per_cpu_ns_size();
  if (system_delta > 0 && cpu_delta > 0) {
    return cpu_delta / system_delta * online * 100.0;
  }
  return 0;
}

double MemoryPercent(uint64_t usage, uint64_t limit) {
  if (limit == 0) return 0;
  return static_cast<double>(usage) / static_cast<double>(limit) * 100.0;
}

container::v1::ContainerStats BuildSample(const SampleInput& in) {
  container::v1::ContainerStats out;
  out.set_id(in.id);
  out.set_name(in.name);
  SetTime(in.read, &out);
  const cgroups::CgroupStats& cg = in.cgroup;

  container::v1::ContainerStats::Cpu* cpu = out.mutable_cpu();
  cpu->set_total_usage_ns(Unsigned(cg.cpu_usage_ns));
  cpu->set_user_ns(Unsigned(cg.cpu_user_ns));
  cpu->set_system_ns(Unsigned(cg.cpu_system_ns));
  for (int64_t ns : cg.cpu_per_cpu_ns) cpu->add_per_cpu_ns(Unsigned(ns));
  cpu->set_system_usage_ns(in.host.system_usage_ns);
  cpu->set_online_cpus(in.host.online_cpus);
  cpu->set_periods(Unsigned(cg.cpu_periods));
  cpu->set_throttled_periods(Unsigned(cg.cpu_throttled_periods));
  cpu->set_throttled_ns(Unsigned(cg.cpu_throttled_ns));

  container::v1::ContainerStats::Memory* memory = out.mutable_memory();
  const bool v1 = cg.memory_stat.count("total_inactive_file") > 0;
  memory->set_usage(
      MemoryUsageNoCache(Unsigned(cg.memory_usage_bytes), cg.memory_stat));
  uint64_t limit = Unsigned(cg.memory_limit_bytes);
  if (in.host_memory > 0 && (limit == 0 || limit > in.host_memory)) {
    limit = in.host_memory;
  }
  memory->set_limit(limit);
  memory->set_cache(StatOr0(cg.memory_stat, v1 ? "cache" : "file"));
  memory->set_rss(StatOr0(cg.memory_stat, v1 ? "rss" : "anon"));
  memory->set_max_usage(Unsigned(cg.memory_max_usage_bytes));
  memory->set_fail_count(Unsigned(cg.memory_fail_count));
  for (const auto& [key, value] : cg.memory_stat) {
    (*memory->mutable_stats())[key] = Unsigned(value);
  }
  out.set_memory_percent(MemoryPercent(memory->usage(), memory->limit()));

  out.set_pids_current(Unsigned(cg.pids_current));
  out.set_pids_limit(Unsigned(in.pids_limit));

  for (const NetDevice& device : in.networks) {
    container::v1::ContainerStats::Network* net = out.add_networks();
    net->set_interface_name(device.name);
    net->set_rx_bytes(device.rx_bytes);
    net->set_rx_packets(device.rx_packets);
    net->set_rx_errors(device.rx_errors);
    net->set_rx_dropped(device.rx_dropped);
    net->set_tx_bytes(device.tx_bytes);
    net->set_tx_packets(device.tx_packets);
    net->set_tx_errors(device.tx_errors);
    net->set_tx_dropped(device.tx_dropped);
  }

  container::v1::ContainerStats::Blkio* io = out.mutable_blkio();
  io->set_read_bytes(Unsigned(cg.io_read_bytes));
  io->set_write_bytes(Unsigned(cg.io_write_bytes));
  io->set_read_ops(Unsigned(cg.io_read_ops));
  io->set_write_ops(Unsigned(cg.io_write_ops));
  return out;
}

container::v1::ContainerStats EmptySample(const std::string& id,
                                          const std::string& name,
                                          absl::Time read) {
  container::v1::ContainerStats out;
  out.set_id(id);
  out.set_name(name);
  SetTime(read, &out);
  return out;
}

}  // namespace berth::containerd::stats
