#include "common/go_duration.h"

#include <cstdint>

#include "absl/strings/str_cat.h"

namespace berth {
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

}  // namespace berth
