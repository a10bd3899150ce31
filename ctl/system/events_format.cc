#include "ctl/system/events_format.h"

#include <algorithm>
#include <map>
#include <utility>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/event_log.h"

namespace berth::ctl {
namespace {

using types::v1::Event;

// Docker's type names; the ones Berth has no service for map to nothing.
const std::map<std::string, types::v1::ObjectType>& KnownTypes() {
  static const auto* types = new std::map<std::string, types::v1::ObjectType>{
      {"container", types::v1::OBJECT_TYPE_CONTAINER},
      {"image", types::v1::OBJECT_TYPE_IMAGE},
      {"network", types::v1::OBJECT_TYPE_NETWORK},
      {"volume", types::v1::OBJECT_TYPE_VOLUME},
      {"daemon", types::v1::OBJECT_TYPE_DAEMON},
  };
  return *types;
}

std::string TypeName(types::v1::ObjectType type) {
  for (const auto& [name, value] : KnownTypes()) {
    if (value == type) return name;
  }
  return "";
}

}  // namespace

absl::StatusOr<EventQuery> BuildEventQuery(const std::vector<FilterTerm>& terms) {
  static const std::set<std::string> kAccepted = {
      "container", "image",   "label",   "event",  "type",
      "daemon",    "network", "volume",  "plugin", "node",
      "service",   "secret",  "config",  "scope"};
  EventQuery query;
  std::set<std::string> kinds;  // which kinds were given at all
  bool typed = false;
  bool want_container_type = false;
  bool want_image_type = false;
  bool want_network_type = false;
  for (const FilterTerm& term : terms) {
    if (kAccepted.count(term.name) == 0) return InvalidFilter(term.name);
    kinds.insert(term.name);
    if (term.name == "type") {
      typed = true;
      auto known = KnownTypes().find(term.value);
      // A Docker type Berth has no events of (plugin, node, ...) matches
      // nothing rather than being an error, as with Docker's daemon.
      if (known == KnownTypes().end()) continue;
      want_container_type |= known->second == types::v1::OBJECT_TYPE_CONTAINER;
      want_image_type |= known->second == types::v1::OBJECT_TYPE_IMAGE;
      want_network_type |= known->second == types::v1::OBJECT_TYPE_NETWORK;
      query.container_filter.add_types(known->second);
      query.image_filter.add_types(known->second);
      query.network_filter.add_types(known->second);
    } else if (term.name == "event") {
      query.container_filter.add_actions(term.value);
      query.image_filter.add_actions(term.value);
      query.network_filter.add_actions(term.value);
    } else if (term.name == "network") {
      query.network_filter.add_actors(term.value);
    } else if (term.name == "container") {
      query.container_filter.add_actors(term.value);
    } else if (term.name == "image") {
      query.image_filter.add_actors(term.value);
      query.image_terms.push_back(term.value);
    } else if (term.name == "label") {
      *query.container_filter.add_labels() = ParseLabelFilter(term.value, false);
      *query.image_filter.add_labels() = ParseLabelFilter(term.value, false);
      *query.network_filter.add_labels() = ParseLabelFilter(term.value, false);
    }
  }
  if (typed) {
    query.containers = want_container_type;
    query.images = want_image_type;
    query.networks = want_network_type;
  }
  // Kinds only other objects have (a container= term excludes image and
  // network events, a network= term container and image ones) leave a
  // service nothing to match.
  for (const std::string& kind : kinds) {
    if (kind == "container") query.images = query.networks = false;
    if (kind == "image") query.networks = false;
    if (kind == "network") query.containers = query.images = false;
    if (kind != "container" && kind != "image" && kind != "network" &&
        kind != "label" && kind != "event" && kind != "type") {
      query.containers = false;
      query.images = false;
      query.networks = false;
    }
  }
  return query;
}

bool ClientSideMatch(const Event& event, const EventQuery& query) {
  if (query.image_terms.empty() ||
      event.type() != types::v1::OBJECT_TYPE_CONTAINER) {
    return true;
  }
  // Docker's matchImage on a container event: its image attribute, with
  // or without its tag.
  const auto found = event.actor().attributes().find("image");
  if (found == event.actor().attributes().end()) return false;
  for (const std::string& term : query.image_terms) {
    if (found->second == term || ReferenceWithoutTag(found->second) == term) return true;
  }
  return false;
}

std::string EventLine(const Event& event, absl::TimeZone zone) {
  const absl::Time at = absl::FromUnixSeconds(event.time().seconds()) +
                        absl::Nanoseconds(event.time().nanos());
  // Go prints a zero offset as "Z" in RFC 3339.
  std::string offset = absl::FormatTime("%Ez", at, zone);
  if (offset == "+00:00") offset = "Z";
  std::string line =
      absl::StrCat(absl::FormatTime("%Y-%m-%dT%H:%M:%E9S", at, zone), offset,
                   " ", TypeName(event.type()), " ", event.action(), " ",
                   event.actor().id());
  const std::map<std::string, std::string> sorted(
      event.actor().attributes().begin(), event.actor().attributes().end());
  if (!sorted.empty()) {
    std::vector<std::string> pairs;
    for (const auto& [key, value] : sorted) pairs.push_back(key + "=" + value);
    absl::StrAppend(&line, " (", absl::StrJoin(pairs, ", "), ")");
  }
  return line;
}

nlohmann::ordered_json EventJson(const Event& event) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  const std::string type = TypeName(event.type());
  if (event.type() == types::v1::OBJECT_TYPE_CONTAINER ||
      event.type() == types::v1::OBJECT_TYPE_IMAGE) {
    out["status"] = event.action();
    out["id"] = event.actor().id();
  }
  if (event.type() == types::v1::OBJECT_TYPE_CONTAINER) {
    const auto image = event.actor().attributes().find("image");
    if (image != event.actor().attributes().end()) out["from"] = image->second;
  }
  out["Type"] = type;
  out["Action"] = event.action();
  nlohmann::ordered_json attributes = nlohmann::ordered_json::object();
  const std::map<std::string, std::string> sorted(
      event.actor().attributes().begin(), event.actor().attributes().end());
  for (const auto& [key, value] : sorted) attributes[key] = value;
  out["Actor"] = {{"ID", event.actor().id()}, {"Attributes", attributes}};
  out["scope"] = event.scope();
  out["time"] = event.time().seconds();
  out["timeNano"] =
      event.time().seconds() * int64_t{1000000000} + event.time().nanos();
  return out;
}

nlohmann::ordered_json EventTemplateData(const Event& event) {
  const nlohmann::ordered_json json = EventJson(event);
  auto or_empty = [&json](const char* key) {
    return json.contains(key) ? json[key] : nlohmann::ordered_json("");
  };
  return {{"Status", or_empty("status")},
          {"ID", or_empty("id")},
          {"From", or_empty("from")},
          {"Type", json["Type"]},
          {"Action", json["Action"]},
          {"Actor", json["Actor"]},
          {"Scope", json["scope"]},
          {"Time", json["time"]},
          {"TimeNano", json["timeNano"]}};
}

void EventMerger::Add(Event event, absl::Time arrived) {
  held_.push_back({std::move(event), arrived});
}

std::vector<Event> EventMerger::TakeDue(absl::Time now, bool flush) {
  auto time_of = [](const Event& e) {
    return std::make_pair(e.time().seconds(), e.time().nanos());
  };
  std::stable_sort(held_.begin(), held_.end(),
                   [&](const Held& a, const Held& b) {
                     return time_of(a.event) < time_of(b.event);
                   });
  // Due: everything up to the last event whose window has passed, so an
  // older event is never held back behind a newer one that prints.
  size_t due = 0;
  for (size_t i = 0; i < held_.size(); ++i) {
    if (flush || held_[i].arrived + window_ <= now) due = i + 1;
  }
  std::vector<Event> out;
  for (size_t i = 0; i < due; ++i) out.push_back(std::move(held_[i].event));
  held_.erase(held_.begin(), held_.begin() + due);
  return out;
}

}  // namespace berth::ctl
