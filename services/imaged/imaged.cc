#include "services/imaged/imaged.h"

#include "common/service_adapter.h"
#include "services/imaged/grpc_service.h"
#include "services/imaged/image_store.h"

namespace berth::imaged {

StoreSchema Schema() { return ImageStore::Schema(); }

ServiceDefinition Definition() {
  return DefineService<ImageGrpcService>("imaged", Schema());
}

}  // namespace berth::imaged
