// Conversions and matchers on the shared proto types that several services
// use the same way.
#ifndef BERTH_COMMON_PROTO_UTIL_H_
#define BERTH_COMMON_PROTO_UTIL_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "berth/types/v1/types.pb.h"
#include "google/protobuf/map.h"
#include "google/protobuf/repeated_field.h"
#include "google/protobuf/timestamp.pb.h"

namespace berth {

google::protobuf::Timestamp ToTimestamp(absl::Time time);
absl::Time FromTimestamp(const google::protobuf::Timestamp& timestamp);

// "tcp", "udp" or "sctp" (unspecified is TCP, Docker's default).
const char* ProtocolName(types::v1::Protocol protocol);
// The protocol `name` names, in any case ("" is TCP); nullopt for another.
std::optional<types::v1::Protocol> ProtocolNamed(absl::string_view name);

// Docker's names of mount propagations: "private", "rprivate", "shared",
// "rshared", "slave", "rslave"; "" for unspecified.
const char* PropagationName(types::v1::Mount::Propagation propagation);
// The propagation `name` names; nullopt for another word (and for "").
std::optional<types::v1::Mount::Propagation> PropagationNamed(
    absl::string_view name);

// True if `labels` satisfy every `label=` filter term (AND).
bool MatchesLabels(
    const google::protobuf::Map<std::string, std::string>& labels,
    const google::protobuf::RepeatedPtrField<types::v1::LabelFilter>& filters);

}  // namespace berth

#endif  // BERTH_COMMON_PROTO_UTIL_H_
