// Signal names as Docker accepts them (STOPSIGNAL, --stop-signal, kill -s):
// "SIGTERM", "TERM", "term", "15", "SIGRTMIN+3", "RTMAX-2".
#ifndef BERTH_COMMON_SIGNALS_H_
#define BERTH_COMMON_SIGNALS_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace berth {

// The signal's number; INVALID_ARGUMENT "Invalid signal: X" otherwise.
absl::StatusOr<int> ParseSignal(absl::string_view name);

}  // namespace berth

#endif  // BERTH_COMMON_SIGNALS_H_
