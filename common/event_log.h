// EventLog: one service's `berth events` (Docker's events API): a bounded
// history to replay `--since`, and live subscribers. Emitters never wait on
// a subscriber: each has a bounded queue, and one that falls behind is ended
// with RESOURCE_EXHAUSTED rather than slowing the container or image
// operation that emitted (Docker's daemon drops a slow listener too).
#ifndef BERTH_COMMON_EVENT_LOG_H_
#define BERTH_COMMON_EVENT_LOG_H_

#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "berth/types/v1/types.pb.h"

namespace berth {

struct EventLogOptions {
  // An event stays while it is among the last `min_events` or younger than
  // `min_age` (the contract's "last 1000 or 1 hour"), but never beyond
  // `max_events`, so a burst cannot grow the daemon without bound.
  size_t min_events = 1000;
  absl::Duration min_age = absl::Hours(1);
  size_t max_events = 100000;
  // Events a subscriber may lag behind before it is ended.
  size_t subscriber_queue = 4096;
  // How often a waiting stream looks at its client and its `until`.
  absl::Duration poll = absl::Milliseconds(200);
  std::function<absl::Time()> now;  // absl::Now when null
};

// Docker's filter semantics over the contract's EventFilter (since/until
// aside): kinds ANDed, values within a kind ORed, labels ANDed (Docker's
// MatchKVList: every label= must hold).
bool EventMatches(const types::v1::Event& event,
                  const types::v1::EventFilter& filter);

// An image reference without its tag ("busybox:1" -> "busybox"; a
// registry port's colon is not a tag's): Docker's image filters match both.
std::string ReferenceWithoutTag(const std::string& name);

class EventLog {
 public:
  explicit EventLog(EventLogOptions options = {});
  ~EventLog();
  EventLog(const EventLog&) = delete;
  EventLog& operator=(const EventLog&) = delete;

  // Records `event` (its time set to now when unset, scope "local" when
  // empty) and hands it to every matching subscriber. Never blocks on one.
  void Emit(types::v1::Event event);

  // Shorthand: an event of `type` about `id` with `attributes`.
  void Emit(types::v1::ObjectType type, const std::string& action,
            const std::string& id,
            const std::map<std::string, std::string>& attributes);

  // Sends the history matching `filter` from its since (all of it when only
  // until is set, as Docker does), then live events, to `send` (false: the
  // client left). Returns OK once `until` has passed, the client left or
  // `cancelled` says so; RESOURCE_EXHAUSTED when the client fell too far
  // behind; INVALID_ARGUMENT when until is before since.
  absl::Status Stream(const types::v1::EventFilter& filter,
                      const std::function<bool(const types::v1::Event&)>& send,
                      const std::function<bool()>& cancelled);

  // Ends every stream (the daemon is stopping).
  void Shutdown();

  // Events held for replay (tests).
  size_t HistorySize();

 private:
  struct Subscriber {
    types::v1::EventFilter filter;
    std::deque<types::v1::Event> queue;
    bool overflowed = false;
  };
  absl::Time Now() const;
  void TrimLocked(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const EventLogOptions options_;
  absl::Mutex mu_;
  std::deque<types::v1::Event> history_ ABSL_GUARDED_BY(mu_);
  std::map<Subscriber*, std::shared_ptr<Subscriber>> subscribers_
      ABSL_GUARDED_BY(mu_);
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace berth

#endif  // BERTH_COMMON_EVENT_LOG_H_
