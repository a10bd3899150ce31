#include "ctl/cli/format.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"

namespace berth::ctl {
namespace {

constexpr absl::Duration kDay = absl::Hours(24);
constexpr absl::Duration kWeek = absl::Hours(24 * 7);
constexpr absl::Duration kMonth = absl::Hours(24 * 30);
constexpr absl::Duration kYear = absl::Hours(24 * 365);

// go-units roundDuration: d/unit rounded half up.
int64_t Round(absl::Duration d, absl::Duration unit) {
  return static_cast<int64_t>(absl::FDivDuration(d, unit) + 0.5);
}

bool IsContinuationByte(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

// Byte offset where the code point number `n` (0-based) of `text` starts,
// or text.size() when it has fewer.
size_t OffsetOfCodePoint(absl::string_view text, size_t n) {
  size_t seen = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (IsContinuationByte(text[i])) continue;
    if (seen == n) return i;
    ++seen;
  }
  return text.size();
}

// go-units getSizeAndUnit: `size` divided by `base` until below it (or
// the units run out); the unit it is then in.
template <size_t N>
const char* ScaleSize(double& size, double base, const char* const (&units)[N]) {
  size_t unit = 0;
  while (size >= base && unit + 1 < N) {
    size /= base;
    ++unit;
  }
  return units[unit];
}

}  // namespace

std::string HumanSizeWithPrecision(double size, int precision) {
  static constexpr const char* kUnits[] = {"B",  "kB", "MB", "GB", "TB",
                                           "PB", "EB", "ZB", "YB"};
  const char* unit = ScaleSize(size, 1000.0, kUnits);
  std::string number = absl::StrFormat("%.*g", precision, size);
  // Go's %g and C's agree; go-units avoids the exponent form ("1e+03").
  if (number.find_first_of("eE") != std::string::npos) {
    number = absl::StrFormat("%.0f", size);
  }
  return absl::StrCat(number, unit);
}

std::string HumanSize(double size) { return HumanSizeWithPrecision(size, 4); }

std::string BytesSize(double size) {
  static constexpr const char* kUnits[] = {"B",   "KiB", "MiB", "GiB", "TiB",
                                           "PiB", "EiB", "ZiB", "YiB"};
  const char* unit = ScaleSize(size, 1024.0, kUnits);
  // Below 1024 of a unit, %.4g never takes the exponent form.
  return absl::StrCat(absl::StrFormat("%.4g", size), unit);
}

std::string ReclaimedSpaceLine(int64_t bytes) {
  return absl::StrCat("Total reclaimed space: ",
                      HumanSize(static_cast<double>(bytes)), "\n");
}

std::string HumanDuration(absl::Duration d) {
  const int64_t seconds = absl::ToInt64Seconds(d);
  if (seconds < 1) return "Less than a second";
  if (seconds == 1) return "1 second";
  if (seconds < 60) return absl::StrCat(seconds, " seconds");
  const int64_t minutes = absl::ToInt64Minutes(d);
  if (minutes == 1) return "About a minute";
  if (minutes < 60) return absl::StrCat(minutes, " minutes");
  const int64_t hours = Round(d, absl::Hours(1));
  if (hours == 1) return "About an hour";
  if (hours < 48) return absl::StrCat(hours, " hours");
  if (d < 2 * kWeek) return absl::StrCat(Round(d, kDay), " days");
  if (d < 2 * kMonth) return absl::StrCat(Round(d, kWeek), " weeks");
  if (d < 2 * kYear) return absl::StrCat(Round(d, kMonth), " months");
  return absl::StrCat(Round(d, kYear), " years");
}

std::string TimeAgo(absl::Time then, absl::Time now) {
  return absl::StrCat(HumanDuration(now - then), " ago");
}

std::string GoDurationSeconds(absl::Duration duration) {
  int64_t seconds = absl::ToInt64Seconds(duration);
  std::string sign;
  if (seconds < 0) {
    sign = "-";
    seconds = -seconds;
  }
  const int64_t hours = seconds / 3600;
  const int64_t minutes = seconds % 3600 / 60;
  seconds %= 60;
  if (hours > 0)
    return absl::StrCat(sign, hours, "h", minutes, "m", seconds, "s");
  if (minutes > 0) return absl::StrCat(sign, minutes, "m", seconds, "s");
  return absl::StrCat(sign, seconds, "s");
}

std::string TruncateId(absl::string_view id) {
  if (size_t colon = id.find(':'); colon != absl::string_view::npos) {
    id.remove_prefix(colon + 1);
  }
  return std::string(id.substr(0, 12));
}

size_t DisplayWidth(absl::string_view text) {
  return static_cast<size_t>(std::count_if(
      text.begin(), text.end(), [](char c) { return !IsContinuationByte(c); }));
}

std::string Ellipsis(absl::string_view text, int max_width) {
  if (max_width <= 0) return "";
  if (max_width == 1) {
    return std::string(text.substr(0, OffsetOfCodePoint(text, 1)));
  }
  if (DisplayWidth(text) <= static_cast<size_t>(max_width)) {
    return std::string(text);
  }
  return absl::StrCat(text.substr(0, OffsetOfCodePoint(text, max_width - 1)),
                      "…");
}

std::string FormatRfc3339Nano(absl::Time time) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", time, absl::UTCTimeZone());
}

std::string FormatRfc3339(absl::Time time, absl::TimeZone zone) {
  if (zone.At(time).offset == 0) {
    return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", time, zone);
  }
  return absl::FormatTime("%Y-%m-%dT%H:%M:%S%Ez", time, zone);
}

std::string FormatGoTime(absl::Time time, absl::TimeZone zone) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S %z %Z", time, zone);
}

std::string GoJsonEscape(absl::string_view json_text) {
  return absl::StrReplaceAll(
      json_text, {{"<", "\\u003c"}, {">", "\\u003e"}, {"&", "\\u0026"}});
}

Table::Table(std::vector<std::string> header) {
  rows_.push_back(std::move(header));
}

void Table::AddRow(std::vector<std::string> row) {
  row.resize(rows_.front().size());
  rows_.push_back(std::move(row));
}

std::string Table::Render() const {
  constexpr size_t kMinWidth = 10;
  constexpr size_t kPadding = 3;
  const size_t columns = rows_.front().size();
  std::vector<size_t> widths(columns, kMinWidth);
  for (const std::vector<std::string>& row : rows_) {
    for (size_t i = 0; i + 1 < columns; ++i) {
      widths[i] = std::max(widths[i], DisplayWidth(row[i]) + kPadding);
    }
  }
  std::string out;
  for (const std::vector<std::string>& row : rows_) {
    for (size_t i = 0; i < columns; ++i) {
      out += row[i];
      if (i + 1 < columns) out.append(widths[i] - DisplayWidth(row[i]), ' ');
    }
    out += '\n';
  }
  return out;
}

std::string GoQuote(absl::string_view text) {
  std::string out = "\"";
  for (char ch : text) {
    const unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\a': out += "\\a"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\v': out += "\\v"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += absl::StrFormat("\\x%02x", c);
        } else {
          out += ch;
        }
    }
  }
  return out + "\"";
}

}  // namespace berth::ctl
