#include "services/netd/netd.h"

#include "common/service_adapter.h"
#include "services/netd/grpc_service.h"

namespace berth::netd {

StoreSchema Schema() {
  return StoreSchema{/*version=*/1,
                     /*tables=*/{
                         {"networks", {}},
                         {"endpoints", {}},
                     }};
}

ServiceDefinition Definition() {
  return DefineService<NetworkGrpcService>("netd", Schema());
}

}  // namespace berth::netd
