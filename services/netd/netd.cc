#include "services/netd/netd.h"

#include "common/service_adapter.h"
#include "services/netd/grpc_service.h"
#include "services/netd/network_records.h"

namespace berth::netd {

StoreSchema Schema() { return NetdSchema(); }

ServiceDefinition Definition() {
  return DefineService<NetworkGrpcService>("netd", Schema());
}

}  // namespace berth::netd
