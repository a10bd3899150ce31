// What a streaming `berth stats` without container names shows, kept as
// Docker's CLI keeps it: the containers listed at the start, then those
// containerd's events add (start; create too with -a) and remove (destroy;
// die too without -a), each with its latest sample, in the order they came.
// Pure and thread-safe: the streams feeding it run on their own threads.
#ifndef BERTH_CTL_CONTAINER_STATS_BOARD_H_
#define BERTH_CTL_CONTAINER_STATS_BOARD_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "berth/container/v1/container_types.pb.h"

namespace berth::ctl {

enum class StatsChange { kNone, kAdd, kRemove };

// What a container event does to the set (`all`: stats -a).
StatsChange StatsChangeFor(const std::string& action, bool all);

// The actions that change the set, for the events subscription.
std::vector<std::string> StatsEventActions(bool all);

class StatsBoard {
 public:
  // False when `id` is already shown.
  bool Add(const std::string& id);
  // False when `id` was not shown.
  bool Remove(const std::string& id);
  // A new sample of a shown container (ignored for others).
  void Update(const container::v1::ContainerStats& sample);
  // A shown container whose stream ended (it was removed): it goes.
  void Ended(const std::string& id) { Remove(id); }

  // The latest sample of every shown container that has one, in order.
  std::vector<container::v1::ContainerStats> Rows();

  // Waits up to `timeout` for a change since the last call; true when there
  // was one. The first change is held until every container added so far
  // has a sample or is gone, as Docker's first frame waits for each one.
  bool AwaitChange(absl::Duration timeout);

  // Wakes AwaitChange for good (the events stream ended).
  void Close();
  bool closed();

 private:
  struct Shown {
    std::string id;
    std::optional<container::v1::ContainerStats> sample;
  };
  bool ReadyLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Mutex mu_;
  std::vector<Shown> shown_ ABSL_GUARDED_BY(mu_);
  bool changed_ ABSL_GUARDED_BY(mu_) = true;  // the first frame is due
  bool first_drawn_ ABSL_GUARDED_BY(mu_) = false;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace berth::ctl

#endif  // BERTH_CTL_CONTAINER_STATS_BOARD_H_
