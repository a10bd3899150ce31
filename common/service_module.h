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
#include "absl/time/time.h"
#include "berth/config/v1/config.pb.h"
#include "berth/types/v1/types.pb.h"
#include "spdlog/logger.h"

namespace berth {

// Who a service is and where it lives; answers its Version and Info calls.
struct ServiceIdentity {
  std::string name;          // "imaged"
  std::string root;          // ROOT/imaged
  std::string socket;        // RUN_ROOT/imaged.sock
  std::string host_process;  // "berthd" or "berth-imaged"
  int pid = 0;
  absl::Time started_at;

  // `records` are the service's own counts, in the order to show them.
  types::v1::ServiceInfo Info(
      std::vector<types::v1::RecordCount> records) const;
};

// What a module gets when the daemon creates it.
struct ServiceContext {
  ServiceIdentity identity;
  std::shared_ptr<spdlog::logger> logger;
  // The whole resolved config, for settings beyond the service's section.
  const config::v1::Config* config = nullptr;
};

class ServiceModule {
 public:
  virtual ~ServiceModule() = default;
  // The gRPC services to serve on the module's socket. Owned by the module.
  virtual std::vector<grpc::Service*> GrpcServices() = 0;
  // Fully qualified names reported SERVING by the standard health service.
  virtual std::vector<std::string> HealthNames() const = 0;
};

struct ServiceDefinition {
  std::string name;  // "imaged": names the config section and directories
  std::function<absl::StatusOr<std::unique_ptr<ServiceModule>>(
      const ServiceContext&)>
      create;
};

}  // namespace berth

#endif  // BERTH_COMMON_SERVICE_MODULE_H_
