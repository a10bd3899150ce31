#include "services/containerd/containerd.h"

#include "common/service_core.h"
#include "services/containerd/container_records.h"
#include "services/containerd/grpc_service.h"

namespace berth::containerd {

StoreSchema Schema() { return ContainerdSchema(); }

ServiceDefinition Definition() {
  return DefineService<ContainerGrpcService>("containerd", Schema());
}

}  // namespace berth::containerd
