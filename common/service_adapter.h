// The gRPC side every service shares: Version and Info answers, and the
// definition of a service whose daemon-facing side is one gRPC class. Only a
// service's adapter and composition root include this; its logic sees
// ServiceCore alone.
#ifndef BERTH_COMMON_SERVICE_ADAPTER_H_
#define BERTH_COMMON_SERVICE_ADAPTER_H_

#include <grpcpp/support/status.h>

#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "common/grpc_status.h"
#include "common/service_core.h"
#include "common/service_module.h"
#include "common/version.h"

namespace berth {

// Fills a service's VersionResponse (every contract has the same shape).
template <typename VersionResponse>
grpc::Status AnswerVersion(VersionResponse* response);

// Fills a service's InfoResponse from `core`.
template <typename InfoResponse>
grpc::Status AnswerInfo(const ServiceCore& core, InfoResponse* response);

// Defines a service whose daemon-facing side is one gRPC service class
// `GrpcService`, made by `GrpcService::Create(std::unique_ptr<ServiceCore>)`
// (which may fail, e.g. when recovering its state) and reporting itself
// healthy under GrpcService::Contract::service_full_name().
template <typename GrpcService>
ServiceDefinition DefineService(std::string name, StoreSchema schema);


template <typename VersionResponse>
grpc::Status AnswerVersion(VersionResponse* response) {
  *response->mutable_version() = BuildVersionInfo();
  return grpc::Status::OK;
}

template <typename InfoResponse>
grpc::Status AnswerInfo(const ServiceCore& core, InfoResponse* response) {
  absl::StatusOr<types::v1::ServiceInfo> info = core.Info();
  if (!info.ok()) return ToGrpcStatus(info.status());
  *response->mutable_info() = *std::move(info);
  return grpc::Status::OK;
}

namespace internal {

template <typename T, typename = void>
struct HasBeginShutdown : std::false_type {};
template <typename T>
struct HasBeginShutdown<
    T, std::void_t<decltype(std::declval<T&>().BeginShutdown())>>
    : std::true_type {};

template <typename GrpcService>
class SingleServiceModule : public ServiceModule {
 public:
  explicit SingleServiceModule(std::unique_ptr<GrpcService> service)
      : service_(std::move(service)) {}
  std::vector<grpc::Service*> GrpcServices() override {
    return {service_.get()};
  }
  std::vector<std::string> HealthNames() const override {
    return {GrpcService::Contract::service_full_name()};
  }
  void BeginShutdown() override {
    // Only a service with waits to end has the method.
    if constexpr (HasBeginShutdown<GrpcService>::value) {
      service_->BeginShutdown();
    }
  }

 private:
  std::unique_ptr<GrpcService> service_;
};

}  // namespace internal

template <typename GrpcService>
ServiceDefinition DefineService(std::string name, StoreSchema schema) {
  return ServiceDefinition{
      std::move(name),
      [schema = std::move(schema)](const ServiceContext& context)
          -> absl::StatusOr<std::unique_ptr<ServiceModule>> {
        absl::StatusOr<std::unique_ptr<ServiceCore>> core =
            ServiceCore::Open(context, schema);
        if (!core.ok()) return core.status();
        absl::StatusOr<std::unique_ptr<GrpcService>> service =
            GrpcService::Create(*std::move(core));
        if (!service.ok()) return service.status();
        return std::make_unique<internal::SingleServiceModule<GrpcService>>(
            *std::move(service));
      }};
}

}  // namespace berth

#endif  // BERTH_COMMON_SERVICE_ADAPTER_H_
