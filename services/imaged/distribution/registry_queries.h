// `berth login` and `berth search`: calls that ask a registry something
// without moving images.
#ifndef BERTH_SERVICES_IMAGED_DISTRIBUTION_REGISTRY_QUERIES_H_
#define BERTH_SERVICES_IMAGED_DISTRIBUTION_REGISTRY_QUERIES_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/imaged/distribution/registry_settings.h"
#include "services/imaged/registry/registry_client.h"

namespace berth::imaged::distribution {

// The registry domain a login server names: "" and Docker Hub's addresses
// ("https://index.docker.io/v1/", "index.docker.io", "registry-1.docker.io")
// are "docker.io"; otherwise the host[:port] without scheme or path.
std::string LoginDomain(const std::string& server_address);

// Checks `credentials` against the registry; returns the identity token a
// token server handed out ("" when none). UNAUTHENTICATED when refused.
absl::StatusOr<std::string> Login(registry::HttpTransport& transport,
                                  const RegistrySettings& settings,
                                  const std::string& server_address,
                                  const registry::Credentials& credentials);

// Searches the registry `term` names ("HOST:PORT/text" or Docker Hub for a
// bare "text"): its v1 search where it has one, else its v2 catalog with
// the names that contain the text. Names come back as a user pulls them
// ("127.0.0.1:5000/ns/app"). `limit` 0 means 25.
absl::StatusOr<std::vector<registry::SearchResult>> Search(
    registry::HttpTransport& transport, const RegistrySettings& settings,
    const std::string& term, int limit,
    const registry::Credentials& credentials);

}  // namespace berth::imaged::distribution

#endif  // BERTH_SERVICES_IMAGED_DISTRIBUTION_REGISTRY_QUERIES_H_
