#include "services/imaged/distribution/registry_connect.h"

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace berth::imaged::distribution {

absl::StatusOr<std::unique_ptr<registry::RegistryClient>> Connect(
    registry::HttpTransport& transport, const RegistrySettings& settings,
    const ConnectRequest& request,
    const std::function<absl::Status(registry::RegistryClient&)>& probe) {
  ASSIGN_OR_RETURN(std::vector<registry::Endpoint> endpoints,
                   registry::RegistryEndpoints(request.domain,
                                               settings.endpoints));
  absl::Status origin_error;
  absl::Status last_error = absl::UnavailableError(
      absl::StrCat("no endpoint to reach registry ", request.domain));
  for (const registry::Endpoint& endpoint : endpoints) {
    if (endpoint.mirror && !request.use_mirrors) continue;
    registry::ClientOptions options;
    options.endpoint = endpoint;
    options.repository = request.repository;
    options.credentials = request.credentials;
    options.access = request.access;
    auto client =
        std::make_unique<registry::RegistryClient>(transport, options);
    absl::Status status = probe(*client);
    if (status.ok()) return client;
    last_error = status;
    if (!endpoint.mirror) origin_error = status;
    const bool next = endpoint.mirror || absl::IsUnavailable(status);
    if (!next) return status;
  }
  return origin_error.ok() ? last_error : origin_error;
}

}  // namespace berth::imaged::distribution
