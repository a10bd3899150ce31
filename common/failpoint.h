// Failpoints: named places in a daemon or shim where a test can hold the
// process, to kill it exactly there. BERTH_FAILPOINTS="name[=DURATION],..."
// (Go duration syntax, e.g. 4s) holds the process at each named point for
// that long, or until it is killed when no duration is given, after
// writing "failpoint NAME: holding" to stderr. Unset, a point costs one
// lookup in a set parsed once.
#ifndef BERTH_COMMON_FAILPOINT_H_
#define BERTH_COMMON_FAILPOINT_H_

#include "absl/strings/string_view.h"

namespace berth {

inline constexpr char kFailpointsEnv[] = "BERTH_FAILPOINTS";

void Failpoint(absl::string_view name);

}  // namespace berth

#endif  // BERTH_COMMON_FAILPOINT_H_
