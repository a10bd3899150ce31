#include "services/imaged/imaged.h"

#include "common/service_core.h"
#include "services/imaged/grpc_service.h"

namespace berth::imaged {

StoreSchema Schema() {
  return StoreSchema{/*version=*/1,
                     /*tables=*/{
                         {"images", {}},
                         {"layers", {}},
                         {"snapshots", {}},
                     }};
}

ServiceDefinition Definition() {
  return DefineService<ImageGrpcService>("imaged", Schema());
}

}  // namespace berth::imaged
