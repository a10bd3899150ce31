// Parsing of Docker's --memory and --cpus values, and the shares-to-weight
// mapping. The grammars follow Docker's documented behaviour (go-units
// RAMInBytes, big.Rat for --cpus); the code is Berth's own.
#include <cmath>
#include <cstdint>
#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "services/containerd/cgroups/cgroups.h"

namespace berth::containerd::cgroups {
namespace {

using int128 = __int128;
constexpr int128 kInt64Max = std::numeric_limits<int64_t>::max();

absl::Status InvalidSize(absl::string_view value) {
  return absl::InvalidArgumentError(absl::StrCat(
      "invalid size: '", value,
      "' (expected a number with an optional unit b, k, m, g, t or p, e.g. "
      "512m or 1.5g)"));
}

absl::Status InvalidCpus(absl::string_view value, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(
      "invalid argument \"", value, "\" for \"--cpus\" flag: ", why));
}

// Reads a run of decimal digits at `*pos`; false if there is none or the
// value exceeds `limit`.
bool ReadDigits(absl::string_view s, size_t* pos, int128 limit, int128* value,
                int* count) {
  *value = 0;
  *count = 0;
  while (*pos < s.size() && absl::ascii_isdigit(s[*pos])) {
    *value = *value * 10 + (s[*pos] - '0');
    if (*value > limit) return false;
    ++*pos;
    ++*count;
  }
  return *count > 0;
}

}  // namespace

absl::StatusOr<int64_t> ParseMemorySize(absl::string_view value) {
  size_t pos = 0;
  int128 whole;
  int digits;
  if (!ReadDigits(value, &pos, kInt64Max, &whole, &digits)) {
    return InvalidSize(value);
  }
  // Up to 18 fraction digits fit in an int64 numerator.
  int128 fraction = 0;
  int128 fraction_scale = 1;
  if (pos < value.size() && value[pos] == '.') {
    ++pos;
    int fraction_digits;
    if (!ReadDigits(value, &pos, kInt64Max, &fraction, &fraction_digits) ||
        fraction_digits > 18) {
      return InvalidSize(value);
    }
    for (int i = 0; i < fraction_digits; ++i) fraction_scale *= 10;
  }
  if (pos < value.size() && value[pos] == ' ') ++pos;
  int128 multiplier = 1;
  if (pos < value.size()) {
    static constexpr absl::string_view kUnits = "kmgtp";
    size_t unit = kUnits.find(absl::ascii_tolower(value[pos]));
    if (unit != absl::string_view::npos) {
      multiplier = int128{1} << (10 * (unit + 1));
      ++pos;
      if (pos < value.size() && absl::ascii_tolower(value[pos]) == 'i') ++pos;
    }
  }
  if (pos < value.size() && absl::ascii_tolower(value[pos]) == 'b') ++pos;
  if (pos != value.size()) return InvalidSize(value);

  int128 bytes = whole * multiplier + fraction * multiplier / fraction_scale;
  if (whole > kInt64Max / multiplier || bytes > kInt64Max) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid size: '", value, "' is too large"));
  }
  return static_cast<int64_t>(bytes);
}

absl::StatusOr<int64_t> ParseNanoCpus(absl::string_view value) {
  const std::string not_rational =
      absl::StrCat("failed to parse ", value, " as a rational number");
  size_t pos = 0;
  bool negative = false;
  if (pos < value.size() && (value[pos] == '-' || value[pos] == '+')) {
    negative = value[pos] == '-';
    ++pos;
  }
  // The value is numerator / denominator * 10^exponent.
  constexpr int128 kLimit = int128{1} << 100;
  int128 numerator = 0;
  int128 denominator = 1;
  int exponent = 0;
  int128 part;
  int count;
  bool have_digits = ReadDigits(value, &pos, kLimit, &part, &count);
  numerator = part;
  if (pos < value.size() && value[pos] == '/') {
    ++pos;
    if (!have_digits ||
        !ReadDigits(value, &pos, kLimit, &denominator, &count) ||
        denominator == 0 || pos != value.size()) {
      return InvalidCpus(value, not_rational);
    }
  } else {
    if (pos < value.size() && value[pos] == '.') {
      ++pos;
      int128 fraction;
      if (ReadDigits(value, &pos, kLimit, &fraction, &count)) {
        for (int i = 0; i < count; ++i) {
          numerator *= 10;
          if (numerator > kLimit) return InvalidCpus(value, not_rational);
        }
        numerator += fraction;
        exponent -= count;
        have_digits = true;
      }
    }
    if (!have_digits) return InvalidCpus(value, not_rational);
    if (pos < value.size() && (value[pos] == 'e' || value[pos] == 'E')) {
      ++pos;
      bool negative_exponent = false;
      if (pos < value.size() && (value[pos] == '-' || value[pos] == '+')) {
        negative_exponent = value[pos] == '-';
        ++pos;
      }
      int128 e;
      if (!ReadDigits(value, &pos, 1000, &e, &count)) {
        return InvalidCpus(value, not_rational);
      }
      exponent +=
          negative_exponent ? -static_cast<int>(e) : static_cast<int>(e);
    }
    if (pos != value.size()) return InvalidCpus(value, not_rational);
  }
  // nano = numerator * 10^(exponent + 9) / denominator, which must be whole.
  exponent += 9;
  for (; exponent > 0; --exponent) {
    numerator *= 10;
    if (numerator > kLimit) return InvalidCpus(value, "value is too large");
  }
  for (; exponent < 0; ++exponent) {
    denominator *= 10;
    // Past kLimit the denominator exceeds any numerator: 0 or a fraction.
    if (denominator > kLimit) {
      if (numerator == 0) return 0;
      return InvalidCpus(value, "value is too precise");
    }
  }
  if (numerator % denominator != 0) {
    return InvalidCpus(value, "value is too precise");
  }
  int128 nano = numerator / denominator;
  if (nano > kInt64Max) return InvalidCpus(value, "value is too large");
  if (negative && nano != 0) {
    return InvalidCpus(value, "the number of CPUs must not be negative");
  }
  return static_cast<int64_t>(nano);
}

int64_t CpuSharesToWeight(int64_t shares) {
  if (shares <= 0) return 0;
  if (shares <= 2) return 1;
  if (shares >= 262144) return 10000;
  // log10(weight) is a quadratic in log2(shares) through (2, 1),
  // (1024, 100) and (262144, 10000).
  double l = std::log2(static_cast<double>(shares));
  double exponent = (l * l + 125 * l) / 612.0 - 7.0 / 34.0;
  // Absorb rounding error so exact points (1024 -> 100) do not round up.
  return static_cast<int64_t>(std::ceil(std::pow(10.0, exponent) - 1e-9));
}

}  // namespace berth::containerd::cgroups
