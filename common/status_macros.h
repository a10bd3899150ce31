// Status plumbing shared by every Berth library. Debian's Abseil (20220623)
// ships no RETURN_IF_ERROR/ASSIGN_OR_RETURN, so they live here.
#ifndef BERTH_COMMON_STATUS_MACROS_H_
#define BERTH_COMMON_STATUS_MACROS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace berth {

// Builds the status for a failed syscall: the errno's code and text plus the
// operation and the path it was applied to, e.g. "open /var/lib/berth/x: ...".
absl::Status ErrnoStatus(int err, absl::string_view op, absl::string_view path);

// Returns `status` with `context` prepended to its message ("context: msg"),
// keeping its code. OK stays OK.
absl::Status Annotate(const absl::Status& status, absl::string_view context);

}  // namespace berth

#define BERTH_STATUS_CONCAT_INNER_(a, b) a##b
#define BERTH_STATUS_CONCAT_(a, b) BERTH_STATUS_CONCAT_INNER_(a, b)

#define RETURN_IF_ERROR(expr)                      \
  do {                                             \
    ::absl::Status berth_status_ = (expr);         \
    if (!berth_status_.ok()) return berth_status_; \
  } while (false)

#define BERTH_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return tmp.status();                \
  lhs = std::move(*tmp)

#define ASSIGN_OR_RETURN(lhs, expr) \
  BERTH_ASSIGN_OR_RETURN_IMPL_(     \
      BERTH_STATUS_CONCAT_(berth_statusor_, __LINE__), lhs, expr)

#endif  // BERTH_COMMON_STATUS_MACROS_H_
