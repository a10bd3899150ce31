// Recovery of what a create interrupted by a crash left behind. A create
// takes the rootfs snapshot (imaged), makes the state directory and writes
// the record last, so a kill in between leaves a snapshot and a directory
// that no record names and nothing would ever remove.
#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "common/fs_util.h"
#include "services/containerd/container_supervisor.h"

namespace berth::containerd {
namespace {

// How often, and how far apart, a sweep asks an imaged or netd that does
// not answer (a split service may start after containerd).
constexpr int kSweepAttempts = 12;
constexpr absl::Duration kSweepRetryCap = absl::Seconds(30);

}  // namespace

void ContainerSupervisor::RemoveUnrecordedState() {
  auto recorded = [this](absl::string_view id) {
    return records_->Get(std::string(id)).ok();
  };
  absl::StatusOr<int> dirs = RemoveEntriesExcept(
      options_.containers_dir,
      [&](const std::string& name) { return recorded(name); });
  // No shim can serve an unrecorded container (a start needs the record),
  // so its socket is stale.
  absl::StatusOr<int> sockets = RemoveEntriesExcept(
      options_.shims_dir, [&](const std::string& name) {
        absl::string_view id = name;
        return !absl::ConsumeSuffix(&id, ".sock") || recorded(id);
      });
  for (const auto& [what, removed] :
       {std::make_pair("state directories", &dirs),
        std::make_pair("shim sockets", &sockets)}) {
    if (!removed->ok()) {
      if (!absl::IsNotFound(removed->status())) {
        log_.error("removing {} without a record: {}", what,
                   std::string(removed->status().message()));
      }
    } else if (**removed > 0) {
      log_.warn("removed {} {} of creates interrupted by a crash", **removed,
                what);
    }
  }
}

bool ContainerSupervisor::RetrySweep(
    int attempt, const absl::Status& failure,
    const std::function<void(int)>& sweep) {
  if (attempt + 1 >= kSweepAttempts ||
      !(absl::IsUnavailable(failure) || absl::IsDeadlineExceeded(failure))) {
    return false;
  }
  const absl::Duration delay =
      std::min(absl::Milliseconds(250) * (1 << attempt), kSweepRetryCap);
  scheduler_->Post(delay, [sweep, attempt] { sweep(attempt + 1); });
  return true;
}

void ContainerSupervisor::SweepUnrecordedRootfs(int attempt) {
  absl::StatusOr<std::vector<image::v1::Rootfs>> all = images_->ListRootfs();
  if (!all.ok()) {
    if (RetrySweep(attempt, all.status(),
                   [this](int next) { SweepUnrecordedRootfs(next); })) {
      return;
    }
    log_.warn("rootfs snapshots of interrupted creates stay until the next "
              "start: {}", std::string(all.status().message()));
  } else {
    for (const image::v1::Rootfs& rootfs : *all) {
      absl::string_view id = rootfs.lease();
      if (!absl::ConsumePrefix(&id, kRootfsLeasePrefix)) continue;
      {
        absl::MutexLock lock(&mu_);
        if (created_here_.count(std::string(id))) continue;
      }
      if (records_->Get(std::string(id)).ok()) continue;
      absl::Status removed = images_->RemoveRootfs(rootfs.key(), rootfs.lease());
      if (removed.ok()) {
        log_.warn("container {}: removed the rootfs snapshot of a create "
                  "interrupted by a crash", std::string(id));
      } else {
        log_.error("container {}: removing the rootfs snapshot of an "
                   "interrupted create: {}", std::string(id),
                   std::string(removed.message()));
      }
    }
  }
  absl::MutexLock lock(&mu_);
  rootfs_sweep_pending_ = false;
  created_here_.clear();
}

}  // namespace berth::containerd
