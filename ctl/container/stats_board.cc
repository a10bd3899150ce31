#include "ctl/container/stats_board.h"

#include <algorithm>

namespace berth::ctl {

StatsChange StatsChangeFor(const std::string& action, bool all) {
  if (action == "start") return StatsChange::kAdd;
  if (action == "create") return all ? StatsChange::kAdd : StatsChange::kNone;
  if (action == "destroy") return StatsChange::kRemove;
  // With -a a container that stopped stays: it may come back.
  if (action == "die") return all ? StatsChange::kNone : StatsChange::kRemove;
  return StatsChange::kNone;
}

std::vector<std::string> StatsEventActions(bool all) {
  if (all) return {"start", "create", "destroy"};
  return {"start", "destroy", "die"};
}

bool StatsBoard::Add(const std::string& id) {
  absl::MutexLock lock(&mu_);
  for (const Shown& shown : shown_) {
    if (shown.id == id) return false;
  }
  shown_.push_back({id, std::nullopt});
  changed_ = true;
  return true;
}

bool StatsBoard::Remove(const std::string& id) {
  absl::MutexLock lock(&mu_);
  auto it = std::find_if(shown_.begin(), shown_.end(),
                         [&id](const Shown& shown) { return shown.id == id; });
  if (it == shown_.end()) return false;
  shown_.erase(it);
  changed_ = true;
  return true;
}

void StatsBoard::Update(const container::v1::ContainerStats& sample) {
  absl::MutexLock lock(&mu_);
  for (Shown& shown : shown_) {
    if (shown.id == sample.id()) {
      shown.sample = sample;
      changed_ = true;
      return;
    }
  }
}

std::vector<container::v1::ContainerStats> StatsBoard::Rows() {
  absl::MutexLock lock(&mu_);
  std::vector<container::v1::ContainerStats> rows;
  for (const Shown& shown : shown_) {
    if (shown.sample.has_value()) rows.push_back(*shown.sample);
  }
  return rows;
}

bool StatsBoard::ReadyLocked() const {
  if (closed_) return true;
  if (!changed_) return false;
  if (first_drawn_) return true;
  return std::all_of(shown_.begin(), shown_.end(),
                     [](const Shown& shown) { return shown.sample.has_value(); });
}

bool StatsBoard::AwaitChange(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto ready = [this]() {
    mu_.AssertHeld();
    return ReadyLocked();
  };
  if (!mu_.AwaitWithTimeout(absl::Condition(&ready), timeout) || !changed_) {
    return false;
  }
  changed_ = false;
  first_drawn_ = true;
  return true;
}

void StatsBoard::Close() {
  absl::MutexLock lock(&mu_);
  closed_ = true;
}

bool StatsBoard::closed() {
  absl::MutexLock lock(&mu_);
  return closed_;
}

}  // namespace berth::ctl
