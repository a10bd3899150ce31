// The messages the child sends its parent over the CLOEXEC error pipe: the
// pid of the cloned init, or the status that ended the start.
#ifndef BERTH_SERVICES_CONTAINERD_RUNTIME_REPORT_H_
#define BERTH_SERVICES_CONTAINERD_RUNTIME_REPORT_H_

#include <sys/types.h>

#include "absl/status/status.h"

namespace berth {
namespace containerd {
namespace runtime {

// Both are best-effort: the parent may be gone.
void ReportPid(int fd, pid_t pid);
void ReportError(int fd, const absl::Status& status);

struct Report {
  enum Kind { kEof, kPid, kError } kind = kEof;
  pid_t pid = -1;
  absl::Status status;
};

// Reads the next message; kEof when every writer closed the pipe (the
// command was exec'd). A truncated message is an Internal error.
Report ReadReport(int fd);

}  // namespace runtime
}  // namespace containerd
}  // namespace berth

#endif  // BERTH_SERVICES_CONTAINERD_RUNTIME_REPORT_H_
