// Choosing the endpoint a pull, push, login or search talks to.
#ifndef BERTH_SERVICES_IMAGED_DISTRIBUTION_REGISTRY_CONNECT_H_
#define BERTH_SERVICES_IMAGED_DISTRIBUTION_REGISTRY_CONNECT_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "services/imaged/distribution/registry_settings.h"
#include "services/imaged/registry/registry_client.h"

namespace berth::imaged::distribution {

struct ConnectRequest {
  std::string domain;      // "docker.io", "127.0.0.1:5000"
  std::string repository;  // path in the registry; "" for login/search
  registry::Credentials credentials;
  registry::Access access = registry::Access::kPull;
  // Pulls try the mirrors first; push, login and search never use them.
  bool use_mirrors = false;
};

// Tries the endpoints of `request.domain` in Docker's order, calling
// `probe` with a client for each, and returns the first client whose probe
// succeeded. A failure moves on to the next endpoint when that endpoint
// was a mirror or the registry could not be reached there (HTTPS to an
// insecure registry that speaks HTTP); any other failure (not found,
// unauthorized) is the answer. With every endpoint failed, the origin's
// error is returned.
absl::StatusOr<std::unique_ptr<registry::RegistryClient>> Connect(
    registry::HttpTransport& transport, const RegistrySettings& settings,
    const ConnectRequest& request,
    const std::function<absl::Status(registry::RegistryClient&)>& probe);

}  // namespace berth::imaged::distribution

#endif  // BERTH_SERVICES_IMAGED_DISTRIBUTION_REGISTRY_CONNECT_H_
