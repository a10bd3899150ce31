// `berth events`' logic without gRPC: Docker's --filter terms turned into
// each service's EventFilter (and the part the services cannot express,
// checked here), and an event as Docker's CLI prints it.
#ifndef BERTH_CTL_SYSTEM_EVENTS_FORMAT_H_
#define BERTH_CTL_SYSTEM_EVENTS_FORMAT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "berth/types/v1/types.pb.h"
#include "ctl/cli/args.h"
#include "nlohmann/json.hpp"

namespace berth::ctl {

// What to ask each service for.
struct EventQuery {
  bool containers = true;  // ask containerd
  bool images = true;      // ask imaged
  bool networks = true;    // ask netd
  types::v1::EventFilter container_filter;
  types::v1::EventFilter image_filter;
  types::v1::EventFilter network_filter;
  // `image=` terms: on a container event they name its image attribute,
  // which the contract's actor filter does not look at.
  std::vector<std::string> image_terms;
};

// Docker's event filters: type, event, container, image, network, label
// (and the other kinds Docker accepts, which no Berth service produces yet:
// daemon, volume, plugin, node, service, secret, config, scope). Anything
// else is Docker's "invalid filter 'NAME'". Kinds are ANDed: container=
// keeps image events out, as Docker's daemon does.
absl::StatusOr<EventQuery> BuildEventQuery(const std::vector<FilterTerm>& terms);

// The checks of `query` the services leave to the client.
bool ClientSideMatch(const types::v1::Event& event, const EventQuery& query);

// Docker's default line: "TIME TYPE ACTION ID (k=v, k=v)", the time in
// RFC 3339 with nine fractional digits in `zone`, attributes sorted by key.
std::string EventLine(const types::v1::Event& event, absl::TimeZone zone);

// Docker's events.Message as JSON (what --format templates see), with its
// deprecated status/id/from filled as Docker's daemon does.
nlohmann::ordered_json EventJson(const types::v1::Event& event);

// The same message as a Go template sees it: its Go field names (Status,
// ID, From, Scope, TimeNano...), every one present even when empty.
nlohmann::ordered_json EventTemplateData(const types::v1::Event& event);

// Puts the events of several services' streams in time order. Streams
// deliver independently, so an event is held `window` after it arrived in
// case another stream's earlier one is still on its way; once every stream
// has ended, all that is held is due.
class EventMerger {
 public:
  explicit EventMerger(absl::Duration window) : window_(window) {}
  void Add(types::v1::Event event, absl::Time arrived);
  // The events due at `now` (all of them with `flush`), oldest first.
  std::vector<types::v1::Event> TakeDue(absl::Time now, bool flush);
  bool empty() const { return held_.empty(); }

 private:
  struct Held {
    types::v1::Event event;
    absl::Time arrived;
  };
  absl::Duration window_;
  std::vector<Held> held_;
};

}  // namespace berth::ctl

#endif  // BERTH_CTL_SYSTEM_EVENTS_FORMAT_H_
