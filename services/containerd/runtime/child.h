// The cloned child's side of SpawnContainerInit.
#ifndef BERTH_SERVICES_CONTAINERD_RUNTIME_CHILD_H_
#define BERTH_SERVICES_CONTAINERD_RUNTIME_CHILD_H_

#include "services/containerd/runtime/runtime.h"

namespace berth {
namespace containerd {
namespace runtime {

// Waits on `sync_fd` for the parent's go, sets the container up and execs
// the command (or runs the --init). Any failure is sent on `error_fd` (a
// CLOEXEC pipe whose closing tells the parent the exec succeeded) before the
// child exits. `userns_fd` (-1: none) is the user namespace the init joins
// before it switches user (userns.h). Never returns.
[[noreturn]] void RunContainerChild(const InitSpec& spec, int sync_fd, int error_fd,
                                    int userns_fd);

}  // namespace runtime
}  // namespace containerd
}  // namespace berth

#endif  // BERTH_SERVICES_CONTAINERD_RUNTIME_CHILD_H_
