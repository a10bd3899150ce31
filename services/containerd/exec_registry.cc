#include "services/containerd/exec_registry.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "services/containerd/container_records.h"

namespace berth::containerd {

using container::v1::ExecInfo;
using google::protobuf::util::TimeUtil;

ExecRegistry::ExecRegistry(std::function<bool(pid_t)> alive)
    : alive_(std::move(alive)) {}

std::string ExecRegistry::Add(const std::string& container_id,
                              const container::v1::ExecConfig& config) {
  // The container ids' generator: 256 random bits, hex.
  const std::string id = NewContainerId();
  absl::MutexLock lock(&mu_);
  Entry& entry = sessions_[id];
  entry.order = next_order_++;
  entry.info.set_id(id);
  entry.info.set_container_id(container_id);
  *entry.info.mutable_config() = config;
  return id;
}

void ExecRegistry::Started(const std::string& exec_id, pid_t pid,
                           absl::Time at) {
  absl::MutexLock lock(&mu_);
  auto it = sessions_.find(exec_id);
  if (it == sessions_.end()) return;
  it->second.info.set_running(true);
  it->second.info.set_pid(pid);
  *it->second.info.mutable_started_at() =
      TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(at));
}

void ExecRegistry::Exited(const std::string& exec_id, int exit_code,
                          absl::Time at) {
  absl::MutexLock lock(&mu_);
  auto it = sessions_.find(exec_id);
  if (it == sessions_.end()) return;
  it->second.info.set_running(false);
  it->second.info.set_pid(0);
  it->second.info.set_exit_code(exit_code);
  *it->second.info.mutable_finished_at() =
      TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(at));
}

void ExecRegistry::Refresh(ExecInfo& info) {
  if (info.running() && info.pid() > 0 && !alive_(info.pid())) {
    info.set_running(false);
    info.set_pid(0);
  }
}

absl::StatusOr<ExecInfo> ExecRegistry::Find(const std::string& exec_id) {
  absl::MutexLock lock(&mu_);
  auto it = sessions_.find(exec_id);
  if (it == sessions_.end()) {
    return absl::NotFoundError(absl::StrCat("No such exec instance: ", exec_id));
  }
  Refresh(it->second.info);
  return it->second.info;
}

std::vector<std::string> ExecRegistry::RunningIds(
    const std::string& container_id) {
  absl::MutexLock lock(&mu_);
  std::vector<std::pair<int64_t, std::string>> running;
  for (auto& [id, entry] : sessions_) {
    if (entry.info.container_id() != container_id) continue;
    Refresh(entry.info);
    if (entry.info.running()) running.emplace_back(entry.order, id);
  }
  std::sort(running.begin(), running.end());
  std::vector<std::string> ids;
  for (auto& [order, id] : running) ids.push_back(id);
  return ids;
}

void ExecRegistry::Forget(const std::string& container_id) {
  absl::MutexLock lock(&mu_);
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (it->second.info.container_id() == container_id) {
      it = sessions_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace berth::containerd
