// The on-disk form of one log record, byte for byte what Docker's json-file
// driver writes:
//   {"log":"hello\n","stream":"stdout","time":"2026-11-29T21:04:48.277123456Z"}
// Internal to the logs library (exposed for its tests).
#ifndef BERTH_SERVICES_CONTAINERD_LOGS_JSON_LINE_H_
#define BERTH_SERVICES_CONTAINERD_LOGS_JSON_LINE_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/containerd/logs/log_record.h"

namespace berth {
namespace containerd {
namespace logs {
namespace internal {

// Appends `bytes` as a JSON string (with the quotes) escaped like Docker:
// '"' '\\' '\n' '\r' as backslash escapes, other bytes below 0x20 and
// '<' '>' '&' as \u00XX, U+2028/U+2029 as \u2028/\u2029, each byte of
// invalid UTF-8 as \ufffd; everything else verbatim.
void AppendJsonString(absl::string_view bytes, std::string* out);

// Appends `t` in UTC as Go's RFC3339Nano: trailing zeros of the fraction
// trimmed, no fraction at all for whole seconds ("2026-11-29T21:04:48Z").
void AppendRfc3339Nano(absl::Time t, std::string* out);

// Appends one whole line, terminated by '\n'.
void AppendJsonLine(Stream stream, absl::string_view bytes, absl::Time time,
                    std::string* out);

// Parses one line (without its '\n'). Returns false for anything that is not
// a complete record (torn or corrupt line). Unknown keys ("attrs") are
// skipped.
bool ParseJsonLine(absl::string_view line, LogRecord* record);

// The pieces of "YYYY-MM-DD[THH[:MM[:SS[.fraction]]]][Z|+hh:mm|-hh:mm]".
struct TimeFields {
  int64_t year = 0;
  int month = 1, day = 1, hour = 0, minute = 0, second = 0;
  int64_t nanos = 0;
  bool has_hour = false, has_minute = false, has_second = false;
  bool has_fraction = false, has_zone = false;
  int zone_offset_seconds = 0;
};

// Parses the whole of `text`; on failure returns false and says why in
// `error` ("month out of range", "unexpected text \"x\"", ...).
bool ParseTimeFields(absl::string_view text, TimeFields* fields,
                     std::string* error);

// The instant of `fields`, using `default_offset_seconds` east of UTC when it
// names no zone.
absl::Time TimeFromFields(const TimeFields& fields, int default_offset_seconds);

}  // namespace internal
}  // namespace logs
}  // namespace containerd
}  // namespace berth

#endif  // BERTH_SERVICES_CONTAINERD_LOGS_JSON_LINE_H_
