// ServiceContext: who a service is and what the daemon hands it when it
// creates the service. Free of gRPC, so the logic built on a service's core
// does not link it.
#ifndef BERTH_COMMON_SERVICE_CONTEXT_H_
#define BERTH_COMMON_SERVICE_CONTEXT_H_

#include <memory>
#include <string>
#include <vector>

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

}  // namespace berth

#endif  // BERTH_COMMON_SERVICE_CONTEXT_H_
