#include "services/volumed/volumed.h"

#include "common/service_adapter.h"
#include "services/volumed/grpc_service.h"
#include "services/volumed/volume_records.h"

namespace berth::volumed {

StoreSchema Schema() { return VolumedSchema(); }

ServiceDefinition Definition() {
  return DefineService<VolumeGrpcService>("volumed", Schema());
}

}  // namespace berth::volumed
