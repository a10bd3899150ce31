// Docker's time syntax for `logs --since/--until` and its `logs -t` format.
#ifndef BERTH_SERVICES_CONTAINERD_LOGS_DOCKER_TIME_H_
#define BERTH_SERVICES_CONTAINERD_LOGS_DOCKER_TIME_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace berth {
namespace containerd {
namespace logs {

// Parses a --since/--until value the way the Docker CLI does:
//  - a Go duration ("10s", "30m", "1h30m", "1.5h", "300ms", "-1h"): `now`
//    minus it, truncated to whole seconds like Docker ("0" is not a
//    duration but the Unix time 0);
//  - RFC 3339 with an optional fraction: "2013-01-02T13:23:37Z",
//    "2013-01-02T13:23:37.5+01:00";
//  - shorter forms: "2006-01-02", "2006-01-02T15", "2006-01-02T15:04",
//    "2006-01-02T15:04:05", "2006-01-02T15:04:05.999999999", each with an
//    optional zone ("Z", "+07:00", "-07:00"; "2006-01-02Z07:00" too). Without
//    a zone the time is local: like Docker, in the UTC offset that
//    `local_zone` has at `now`;
//  - Unix seconds with an optional fraction: "1700000000", "1700000000.5".
// Anything else is InvalidArgument naming the value; callers prefix the flag,
// e.g. Annotate(status, "invalid value for \"since\"").
absl::StatusOr<absl::Time> ParseDockerTime(
    absl::string_view value, absl::Time now,
    absl::TimeZone local_zone = absl::LocalTimeZone());

// `berth logs -t`: RFC 3339 in UTC with exactly nine fraction digits, like
// Docker's "2026-11-29T21:04:48.277123456Z".
std::string FormatTimestamp(absl::Time time);

}  // namespace logs
}  // namespace containerd
}  // namespace berth

#endif  // BERTH_SERVICES_CONTAINERD_LOGS_DOCKER_TIME_H_
