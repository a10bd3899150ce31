#include "common/event_log.h"

#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/proto_util.h"

namespace berth {
namespace {

using types::v1::Event;
using types::v1::EventFilter;

// Docker's FuzzyMatch for "event": a term matches an action it begins, so
// "health_status" matches "health_status: healthy" and "exec_start" matches
// "exec_start: sh -c ...". Other actions must be equal.
bool ActionMatches(const std::string& action, const std::string& term) {
  if (action == term) return true;
  return absl::StartsWith(action, absl::StrCat(term, ":"));
}

bool ActorMatches(const types::v1::EventActor& actor, const std::string& term) {
  if (term.empty()) return false;
  if (absl::StartsWith(actor.id(), term)) return true;
  // Image ids are "sha256:HEX": a bare hex prefix names them too.
  if (absl::StartsWith(actor.id(), absl::StrCat("sha256:", term))) return true;
  const auto name = actor.attributes().find("name");
  if (name == actor.attributes().end()) return false;
  return name->second == term || ReferenceWithoutTag(name->second) == term;
}

bool LabelMatches(const Event& event, const types::v1::LabelFilter& label) {
  const auto& attributes = event.actor().attributes();
  const auto found = attributes.find(label.key());
  bool matches = found != attributes.end();
  if (matches && label.has_value()) matches = found->second == label.value();
  return matches != label.negate();
}

bool InWindow(const Event& event, const EventFilter& filter) {
  const absl::Time at = FromTimestamp(event.time());
  if (filter.has_since() && at < FromTimestamp(filter.since())) return false;
  if (filter.has_until() && at > FromTimestamp(filter.until())) return false;
  return true;
}

}  // namespace

std::string ReferenceWithoutTag(const std::string& name) {
  const size_t colon = name.rfind(':');
  if (colon == std::string::npos) return name;
  if (name.find('/', colon) != std::string::npos) return name;
  return name.substr(0, colon);
}

bool EventMatches(const Event& event, const EventFilter& filter) {
  if (!filter.types().empty()) {
    bool any = false;
    for (int type : filter.types()) any = any || type == event.type();
    if (!any) return false;
  }
  if (!filter.actions().empty()) {
    bool any = false;
    for (const auto& term : filter.actions()) {
      any = any || ActionMatches(event.action(), term);
    }
    if (!any) return false;
  }
  if (!filter.actors().empty()) {
    bool any = false;
    for (const auto& term : filter.actors()) {
      any = any || ActorMatches(event.actor(), term);
    }
    if (!any) return false;
  }
  for (const auto& label : filter.labels()) {
    if (!LabelMatches(event, label)) return false;
  }
  return true;
}

EventLog::EventLog(EventLogOptions options) : options_(std::move(options)) {}

EventLog::~EventLog() { Shutdown(); }

absl::Time EventLog::Now() const {
  return options_.now ? options_.now() : absl::Now();
}

void EventLog::Emit(types::v1::ObjectType type, const std::string& action,
                    const std::string& id,
                    const std::map<std::string, std::string>& attributes) {
  Event event;
  event.set_type(type);
  event.set_action(action);
  event.mutable_actor()->set_id(id);
  for (const auto& [key, value] : attributes) {
    (*event.mutable_actor()->mutable_attributes())[key] = value;
  }
  Emit(std::move(event));
}

void EventLog::Emit(Event event) {
  const absl::Time now = Now();
  if (!event.has_time()) *event.mutable_time() = ToTimestamp(now);
  if (event.scope().empty()) event.set_scope("local");
  absl::MutexLock lock(&mu_);
  for (auto& [raw, subscriber] : subscribers_) {
    if (subscriber->overflowed || !EventMatches(event, subscriber->filter)) {
      continue;
    }
    if (subscriber->queue.size() >= options_.subscriber_queue) {
      // Ending this one is better than blocking the emitter or silently
      // leaving holes in what the client believes is the full story.
      subscriber->overflowed = true;
      subscriber->queue.clear();
      continue;
    }
    subscriber->queue.push_back(event);
  }
  history_.push_back(std::move(event));
  TrimLocked(now);
}

void EventLog::TrimLocked(absl::Time now) {
  while (history_.size() > options_.max_events) history_.pop_front();
  while (history_.size() > options_.min_events &&
         FromTimestamp(history_.front().time()) < now - options_.min_age) {
    history_.pop_front();
  }
}

size_t EventLog::HistorySize() {
  absl::MutexLock lock(&mu_);
  return history_.size();
}

void EventLog::Shutdown() {
  absl::MutexLock lock(&mu_);
  shut_down_ = true;
}

absl::Status EventLog::Stream(const EventFilter& filter,
                              const std::function<bool(const Event&)>& send,
                              const std::function<bool()>& cancelled) {
  const bool has_until = filter.has_until();
  const absl::Time until =
      has_until ? FromTimestamp(filter.until()) : absl::InfiniteFuture();
  if (has_until && filter.has_since() &&
      until < FromTimestamp(filter.since())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "`since` time (", absl::FormatTime(FromTimestamp(filter.since())),
        ") cannot be after `until` time (", absl::FormatTime(until), ")"));
  }
  std::vector<Event> replay;
  auto subscriber = std::make_shared<Subscriber>();
  subscriber->filter = filter;
  {
    absl::MutexLock lock(&mu_);
    // Replay and subscription under one lock: no event falls between them.
    if (filter.has_since() || has_until) {
      for (const auto& event : history_) {
        if (InWindow(event, filter) && EventMatches(event, filter)) {
          replay.push_back(event);
        }
      }
    }
    if (!shut_down_ && until > Now()) {
      subscribers_[subscriber.get()] = subscriber;
    }
  }
  struct Unsubscribe {
    EventLog* log;
    Subscriber* subscriber;
    ~Unsubscribe() {
      absl::MutexLock lock(&log->mu_);
      log->subscribers_.erase(subscriber);
    }
  } unsubscribe{this, subscriber.get()};

  for (const auto& event : replay) {
    if (!send(event)) return absl::OkStatus();
  }
  while (true) {
    const absl::Time now = Now();
    if (now > until) return absl::OkStatus();
    if (cancelled && cancelled()) return absl::OkStatus();
    std::deque<Event> ready;
    {
      Subscriber* raw = subscriber.get();
      bool* shut_down = &shut_down_;
      auto woken = [raw, shut_down]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
        return *shut_down || raw->overflowed || !raw->queue.empty();
      };
      mu_.LockWhenWithTimeout(absl::Condition(&woken),
                              std::min(options_.poll, until - now));
      if (shut_down_) {
        mu_.Unlock();
        return absl::UnavailableError("the daemon is shutting down");
      }
      if (subscriber->overflowed) {
        mu_.Unlock();
        return absl::ResourceExhaustedError(absl::StrCat(
            "this events client fell more than ", options_.subscriber_queue,
            " events behind and was disconnected; use --since to catch up"));
      }
      ready.swap(subscriber->queue);
      mu_.Unlock();
    }
    for (const auto& event : ready) {
      if (FromTimestamp(event.time()) > until) return absl::OkStatus();
      if (!send(event)) return absl::OkStatus();
    }
  }
}

}  // namespace berth
