#include "common/proto_util.h"

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

}  // namespace berth
