#include "services/containerd/logs/docker_time.h"

#include <algorithm>
#include <cstdint>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/go_duration.h"
#include "services/containerd/logs/json_line.h"

namespace berth {
namespace containerd {
namespace logs {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

absl::Status BadTime(absl::string_view value, absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("invalid time \"", value, "\": ", why,
                   " (use a duration like 10m or 1h30m, an RFC 3339 time like "
                   "2013-01-02T13:23:37Z, or Unix seconds like 1700000000)"));
}

}  // namespace


absl::StatusOr<absl::Time> ParseDockerTime(absl::string_view value,
                                           absl::Time now,
                                           absl::TimeZone local_zone) {
  if (value != "0") {
    absl::StatusOr<absl::Duration> ago = ParseGoDuration(value);
    if (ago.ok()) {
      // Docker sends whole Unix seconds for relative times.
      return absl::FromUnixSeconds(absl::ToUnixSeconds(now - *ago));
    }
  }
  bool has_zone_chars = value.find_first_of("zZ+") != absl::string_view::npos ||
                        std::count(value.begin(), value.end(), '-') == 3;
  internal::TimeFields fields;
  std::string why;
  if (internal::ParseTimeFields(value, &fields, &why)) {
    if (fields.has_zone != has_zone_chars) {
      why = "time zone not understood";
    } else if (absl::StrContains(value, ".") && !fields.has_fraction) {
      why = "a fraction needs hours, minutes and seconds";
    } else {
      int offset = local_zone.At(now).offset;
      return internal::TimeFromFields(fields, offset);
    }
  }
  if (absl::StrContains(value, "-")) return BadTime(value, why);
  // Unix seconds, optionally with a fraction.
  absl::string_view seconds = value;
  absl::string_view fraction;
  bool has_dot = false;
  if (size_t dot = value.find('.'); dot != absl::string_view::npos) {
    seconds = value.substr(0, dot);
    fraction = value.substr(dot + 1);
    has_dot = true;
  }
  absl::string_view digits = seconds;
  if (!digits.empty() && digits[0] == '+') digits.remove_prefix(1);
  int64_t unix_seconds = 0;
  bool fraction_ok =
      !has_dot || (!fraction.empty() &&
                   std::all_of(fraction.begin(), fraction.end(), IsDigit));
  if (digits.empty() || !std::all_of(digits.begin(), digits.end(), IsDigit) ||
      !absl::SimpleAtoi(digits, &unix_seconds) || !fraction_ok) {
    return BadTime(value, "not a time or duration");
  }
  int64_t nanos = 0;
  for (size_t i = 0; i < 9; ++i) {
    nanos = nanos * 10 + (i < fraction.size() ? fraction[i] - '0' : 0);
  }
  return absl::FromUnixSeconds(unix_seconds) + absl::Nanoseconds(nanos);
}

std::string FormatTimestamp(absl::Time time) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E9SZ", time, absl::UTCTimeZone());
}

}  // namespace logs
}  // namespace containerd
}  // namespace berth
