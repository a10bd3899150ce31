// The body of berth-shim: starts one container's init from its ShimSpec,
// then, single-threaded, pumps its output into the log, answers containerd's
// commands and, when the init exits, records how it ended and goes away.
#ifndef BERTH_SERVICES_CONTAINERD_SHIM_SHIM_PROCESS_H_
#define BERTH_SERVICES_CONTAINERD_SHIM_SHIM_PROCESS_H_

#include "services/containerd/shim/spec.h"

namespace berth::containerd::shim {

// Runs the container described by `spec`; reports the start on kReadyFd.
// Returns the shim's own exit code (0 unless the shim itself failed).
int RunShim(const ShimSpec& spec);

}  // namespace berth::containerd::shim

#endif  // BERTH_SERVICES_CONTAINERD_SHIM_SHIM_PROCESS_H_
