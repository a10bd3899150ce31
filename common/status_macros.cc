#include "common/status_macros.h"

#include "absl/strings/str_cat.h"

namespace berth {

absl::Status ErrnoStatus(int err, absl::string_view op,
                         absl::string_view path) {
  if (path.empty()) return absl::ErrnoToStatus(err, op);
  return absl::ErrnoToStatus(err, absl::StrCat(op, " ", path));
}

absl::Status Annotate(const absl::Status& status, absl::string_view context) {
  if (status.ok()) return status;
  return absl::Status(status.code(),
                      absl::StrCat(context, ": ", status.message()));
}

}  // namespace berth
