// The parent's side of starting a process in a container, shared by the
// init (spawn.cc) and exec'd processes (join.cc): a forked intermediate
// runs `intermediate_body(sync_fd, error_fd)`, which makes the real child
// (a direct child of the caller, through CLONE_PARENT), reports its pid on
// error_fd and exits. `on_created(pid)` runs next; then the child gets its
// go on the sync pipe and either execs (the CLOEXEC error pipe closes: the
// pid is returned) or reports why not (it has been reaped).
#ifndef BERTH_SERVICES_CONTAINERD_RUNTIME_SPAWN_PROTOCOL_H_
#define BERTH_SERVICES_CONTAINERD_RUNTIME_SPAWN_PROTOCOL_H_

#include <sys/types.h>

#include <functional>

#include "absl/status/statusor.h"

namespace berth {
namespace containerd {
namespace runtime {

absl::StatusOr<pid_t> SpawnThroughIntermediate(
    const std::function<void(int sync_fd, int error_fd)>& intermediate_body,
    const std::function<absl::Status(pid_t)>& on_created, const char* what);

}  // namespace runtime
}  // namespace containerd
}  // namespace berth

#endif  // BERTH_SERVICES_CONTAINERD_RUNTIME_SPAWN_PROTOCOL_H_
