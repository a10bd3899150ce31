#include "common/proto_util.h"

#include <utility>

#include "absl/strings/ascii.h"

namespace berth {

google::protobuf::Timestamp ToTimestamp(absl::Time time) {
  google::protobuf::Timestamp timestamp;
  const absl::Duration since_epoch = time - absl::UnixEpoch();
  const int64_t seconds = absl::ToInt64Seconds(since_epoch);
  timestamp.set_seconds(seconds);
  timestamp.set_nanos(static_cast<int32_t>(
      absl::ToInt64Nanoseconds(since_epoch - absl::Seconds(seconds))));
  return timestamp;
}

absl::Time FromTimestamp(const google::protobuf::Timestamp& timestamp) {
  return absl::FromUnixSeconds(timestamp.seconds()) +
         absl::Nanoseconds(timestamp.nanos());
}

bool MatchesLabels(
    const google::protobuf::Map<std::string, std::string>& labels,
    const google::protobuf::RepeatedPtrField<types::v1::LabelFilter>& filters) {
  for (const types::v1::LabelFilter& filter : filters) {
    auto it = labels.find(filter.key());
    const bool match = it != labels.end() &&
                       (!filter.has_value() || it->second == filter.value());
    if (match == filter.negate()) return false;
  }
  return true;
}

const char* ProtocolName(types::v1::Protocol protocol) {
  switch (protocol) {
    case types::v1::PROTOCOL_UDP:
      return "udp";
    case types::v1::PROTOCOL_SCTP:
      return "sctp";
    default:
      return "tcp";
  }
}

std::optional<types::v1::Protocol> ProtocolNamed(absl::string_view name) {
  const std::string lower = absl::AsciiStrToLower(name);
  if (lower.empty() || lower == "tcp") return types::v1::PROTOCOL_TCP;
  if (lower == "udp") return types::v1::PROTOCOL_UDP;
  if (lower == "sctp") return types::v1::PROTOCOL_SCTP;
  return std::nullopt;
}

namespace {

constexpr std::pair<const char*, types::v1::Mount::Propagation> kPropagations[] = {
    {"private", types::v1::Mount::PROPAGATION_PRIVATE},
    {"rprivate", types::v1::Mount::PROPAGATION_RPRIVATE},
    {"shared", types::v1::Mount::PROPAGATION_SHARED},
    {"rshared", types::v1::Mount::PROPAGATION_RSHARED},
    {"slave", types::v1::Mount::PROPAGATION_SLAVE},
    {"rslave", types::v1::Mount::PROPAGATION_RSLAVE}};

}  // namespace

const char* PropagationName(types::v1::Mount::Propagation propagation) {
  for (const auto& [name, value] : kPropagations) {
    if (value == propagation) return name;
  }
  return "";
}

std::optional<types::v1::Mount::Propagation> PropagationNamed(
    absl::string_view name) {
  for (const auto& [word, value] : kPropagations) {
    if (name == word) return value;
  }
  return std::nullopt;
}

}  // namespace berth
