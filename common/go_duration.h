// Go's time.ParseDuration, the one duration syntax of Docker's flags and
// files (--since 10m, HEALTHCHECK --interval=30s, --stop-timeout...).
#ifndef BERTH_COMMON_GO_DURATION_H_
#define BERTH_COMMON_GO_DURATION_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace berth {

// An optional sign and a sequence of decimal numbers with units ns, us
// (µs, μs), ms, s, m, h; "0" alone is allowed. Go's limits: at most 2^63-1
// nanoseconds. INVALID_ARGUMENT "invalid duration \"V\": why" otherwise.
absl::StatusOr<absl::Duration> ParseGoDuration(absl::string_view value);

}  // namespace berth

#endif  // BERTH_COMMON_GO_DURATION_H_
