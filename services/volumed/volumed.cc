#include "services/volumed/volumed.h"

#include "common/service_adapter.h"
#include "services/volumed/grpc_service.h"

namespace berth::volumed {

StoreSchema Schema() {
  return StoreSchema{/*version=*/1,
                     /*tables=*/{
                         {"volumes", {}},
                     }};
}

ServiceDefinition Definition() {
  return DefineService<VolumeGrpcService>("volumed", Schema());
}

}  // namespace berth::volumed
