// Where a container's files live.
#ifndef BERTH_SERVICES_CONTAINERD_CONTAINER_PATHS_H_
#define BERTH_SERVICES_CONTAINERD_CONTAINER_PATHS_H_

#include <string>

namespace berth::containerd {

struct ContainerPaths {
  std::string state_dir;    // ROOT/containerd/containers/ID
  std::string socket_path;  // RUN_ROOT/shims/ID.sock
};

}  // namespace berth::containerd

#endif  // BERTH_SERVICES_CONTAINERD_CONTAINER_PATHS_H_
