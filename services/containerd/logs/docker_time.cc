#include "services/containerd/logs/docker_time.h"

#include <algorithm>
#include <cstdint>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/containerd/logs/json_line.h"

namespace berth {
namespace containerd {
namespace logs {
namespace {

constexpr uint64_t kMaxDuration = uint64_t{1} << 63;  // Go's limit, in ns

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

absl::Status BadDuration(absl::string_view value, absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("invalid duration \"", value, "\": ", why));
}

uint64_t UnitNanos(absl::string_view unit) {
  if (unit == "ns") return 1;
  if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") return 1000;
  if (unit == "ms") return 1000 * 1000;
  if (unit == "s") return 1000 * 1000 * 1000;
  if (unit == "m") return uint64_t{60} * 1000 * 1000 * 1000;
  if (unit == "h") return uint64_t{3600} * 1000 * 1000 * 1000;
  return 0;
}

absl::Status BadTime(absl::string_view value, absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("invalid time \"", value, "\": ", why,
                   " (use a duration like 10m or 1h30m, an RFC 3339 time like "
                   "2013-01-02T13:23:37Z, or Unix seconds like 1700000000)"));
}

}  // namespace

absl::StatusOr<absl::Duration> ParseGoDuration(absl::string_view value) {
  absl::string_view s = value;
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return absl::ZeroDuration();
  if (s.empty()) return BadDuration(value, "empty");
  uint64_t total = 0;
  while (!s.empty()) {
    if (s[0] != '.' && !IsDigit(s[0])) return BadDuration(value, "no number");
    uint64_t whole = 0;
    size_t i = 0;
    for (; i < s.size() && IsDigit(s[i]); ++i) {
      if (whole > (kMaxDuration - 1) / 10) return BadDuration(value, "too big");
      whole = whole * 10 + static_cast<uint64_t>(s[i] - '0');
      if (whole > kMaxDuration) return BadDuration(value, "too big");
    }
    bool has_whole = i > 0;
    s.remove_prefix(i);
    uint64_t fraction = 0;
    double scale = 1;
    bool has_fraction = false;
    if (!s.empty() && s[0] == '.') {
      s.remove_prefix(1);
      bool overflow = false;
      for (i = 0; i < s.size() && IsDigit(s[i]); ++i) {
        if (overflow || fraction > (kMaxDuration - 1) / 10) {
          overflow = true;
          continue;
        }
        fraction = fraction * 10 + static_cast<uint64_t>(s[i] - '0');
        scale *= 10;
      }
      has_fraction = i > 0;
      s.remove_prefix(i);
    }
    if (!has_whole && !has_fraction) return BadDuration(value, "no number");
    for (i = 0; i < s.size() && s[i] != '.' && !IsDigit(s[i]); ++i) {
    }
    if (i == 0) return BadDuration(value, "missing unit");
    uint64_t unit = UnitNanos(s.substr(0, i));
    if (unit == 0) {
      return BadDuration(value,
                         absl::StrCat("unknown unit \"", s.substr(0, i), "\""));
    }
    s.remove_prefix(i);
    if (whole > kMaxDuration / unit) return BadDuration(value, "too big");
    whole *= unit;
    if (fraction > 0) {
      whole += static_cast<uint64_t>(static_cast<double>(fraction) *
                                     (static_cast<double>(unit) / scale));
      if (whole > kMaxDuration) return BadDuration(value, "too big");
    }
    total += whole;
    if (total > kMaxDuration) return BadDuration(value, "too big");
  }
  if (!negative && total > kMaxDuration - 1) {
    return BadDuration(value, "too big");
  }
  // Two's complement: -2^63 ns is representable, +2^63 was refused above.
  return absl::Nanoseconds(
      static_cast<int64_t>(negative ? uint64_t{0} - total : total));
}

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
