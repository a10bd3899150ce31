// ServiceModule: one Berth service (imaged, containerd, netd, volumed) as a
// daemon hosts it. The standalone binaries host one module, berthd hosts all
// four; the modules cannot tell the difference.
#ifndef BERTH_COMMON_SERVICE_MODULE_H_
#define BERTH_COMMON_SERVICE_MODULE_H_

#include <grpcpp/impl/codegen/service_type.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/service_context.h"

namespace berth {

class ServiceModule {
 public:
  virtual ~ServiceModule() = default;
  // The gRPC services to serve on the module's socket. Owned by the module.
  virtual std::vector<grpc::Service*> GrpcServices() = 0;
  // Fully qualified names reported SERVING by the standard health service.
  virtual std::vector<std::string> HealthNames() const = 0;
  // The daemon is stopping: end the waits that would hold a call past the
  // server's grace period (a stop with a long timeout, say). Called before
  // the server stops taking calls.
  virtual void BeginShutdown() = 0;
};

struct ServiceDefinition {
  std::string name;  // "imaged": names the config section and directories
  std::function<absl::StatusOr<std::unique_ptr<ServiceModule>>(
      const ServiceContext&)>
      create;
};

}  // namespace berth

#endif  // BERTH_COMMON_SERVICE_MODULE_H_
