// ServiceCore: what every Berth service owns the same way: its identity, its
// logger and its metadata store under ROOT/<service>/db. A service's logic
// classes are built on top of it; its gRPC adapter answers Version and Info
// through the helpers in service_adapter.h.
#ifndef BERTH_COMMON_SERVICE_CORE_H_
#define BERTH_COMMON_SERVICE_CORE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "berth/types/v1/types.pb.h"
#include "common/service_context.h"
#include "common/store.h"

namespace berth {

class ServiceCore {
 public:
  // Opens the service's store with `schema`. Each table of the schema is a
  // record kind counted in Info, in schema order.
  static absl::StatusOr<std::unique_ptr<ServiceCore>> Open(
      const ServiceContext& context, const StoreSchema& schema);

  const ServiceIdentity& identity() const { return identity_; }
  spdlog::logger& log() const { return *logger_; }
  Store& store() const { return *store_; }
  // The daemon's whole resolved config (outlives the service).
  const config::v1::Config& config() const {
    return config_ != nullptr ? *config_ : config::v1::Config::default_instance();
  }

  // The service's Info: identity, uptime and a count per record kind.
  absl::StatusOr<types::v1::ServiceInfo> Info() const;

 private:
  ServiceCore() = default;
  ServiceIdentity identity_;
  std::shared_ptr<spdlog::logger> logger_;
  const config::v1::Config* config_ = nullptr;
  std::vector<std::string> tables_;
  std::unique_ptr<Store> store_;
};

}  // namespace berth

#endif  // BERTH_COMMON_SERVICE_CORE_H_
