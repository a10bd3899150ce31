// Formatting helpers shared by the CLI's commands: Docker's human-readable
// sizes and durations (docker/go-units), its short ids, its tables (Go's
// text/tabwriter as `docker` configures it) and Go's time and JSON spellings,
// so that Berth prints what a Docker user expects, byte for byte where it can.
// Pure functions, no I/O.
#ifndef BERTH_CTL_CLI_FORMAT_H_
#define BERTH_CTL_CLI_FORMAT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace berth::ctl {

// go-units HumanSizeWithPrecision: decimal units (B, kB, MB, GB, ...), `%g`
// with `precision` significant digits, never in exponent form:
// (4261550, 3) -> "4.26MB", (0, 3) -> "0B", (999500, 3) -> "1000kB".
std::string HumanSizeWithPrecision(double size, int precision);

// go-units HumanSize: HumanSizeWithPrecision(size, 4), e.g. "4.262MB".
std::string HumanSize(double size);

// go-units BytesSize: binary units (B, KiB, MiB, GiB, ...) with `%.4g`:
// 1288490 -> "1.229MiB", 0 -> "0B" (`stats`' memory column).
std::string BytesSize(double size);

// A prune's last line: "Total reclaimed space: 1.2MB\n" (go-units
// HumanSize).
std::string ReclaimedSpaceLine(int64_t bytes);

// go-units HumanDuration: "Less than a second", "1 second", "45 seconds",
// "About a minute", "12 minutes", "About an hour", "5 hours", "3 days",
// "2 weeks", "4 months", "2 years".
std::string HumanDuration(absl::Duration duration);

// Docker's CreatedSince: HumanDuration(now - then) + " ago".
std::string TimeAgo(absl::Time then, absl::Time now);

// Go's time.Duration.String() for a duration cut to whole seconds, as
// Docker prints the time left of a transfer: "0s", "42s", "3m12s", "1h2m3s".
std::string GoDurationSeconds(absl::Duration duration);

// Docker's stringid.TruncateID: drops an "algorithm:" prefix and keeps at
// most 12 characters. "sha256:0123456789abcdef..." -> "0123456789ab";
// "<missing>" stays as is.
std::string TruncateId(absl::string_view id);

// Number of characters (UTF-8 code points) in `text`: the width Go's
// tabwriter gives a cell.
size_t DisplayWidth(absl::string_view text);

// Docker's formatter.Ellipsis: at most `max_width` characters, the last one
// replaced by "…" when `text` is longer. Characters count as one column each
// (Docker counts East Asian wide characters as two; Berth does not).
std::string Ellipsis(absl::string_view text, int max_width);

// Go's time.RFC3339Nano in UTC, trailing zeros of the fraction dropped:
// "2023-05-19T20:19:25.016496717Z", "2023-05-19T20:19:25Z".
std::string FormatRfc3339Nano(absl::Time time);

// Go's time.RFC3339 in `zone`: "2023-05-19T22:19:25+02:00"; "Z" for UTC.
std::string FormatRfc3339(absl::Time time, absl::TimeZone zone);

// Go's time.Time.String() for a whole second in `zone`:
// "2023-05-19 22:19:25 +0200 CEST".
std::string FormatGoTime(absl::Time time, absl::TimeZone zone);

// Go's encoding/json escapes '<', '>' and '&' inside strings (as \u003c,
// \u003e, \u0026) and so does Docker's JSON output; applies that to JSON
// text. Those characters can only occur inside strings, so a plain
// replacement is exact.
std::string GoJsonEscape(absl::string_view json_text);

// A table as `docker` prints one: Go's text/tabwriter with a minimum cell
// width of 10 and a padding of 3 spaces; every column but the last is
// padded, the last is printed as is (so a row may end in spaces when its
// last cell is empty, as Docker's do).
class Table {
 public:
  explicit Table(std::vector<std::string> header);

  // A row gets as many cells as the header: missing ones are empty, extra
  // ones dropped.
  void AddRow(std::vector<std::string> row);
  // The header line and every row, each ending in "\n".
  std::string Render() const;

 private:
  std::vector<std::vector<std::string>> rows_;  // the header first
};

// Go's strconv.Quote for text that is valid UTF-8: "a\"b\n" and \x07 style
// escapes for other control characters.
std::string GoQuote(absl::string_view text);

}  // namespace berth::ctl

#endif  // BERTH_CTL_CLI_FORMAT_H_
