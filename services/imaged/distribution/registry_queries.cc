#include "services/imaged/distribution/registry_queries.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "services/imaged/distribution/registry_connect.h"

namespace berth::imaged::distribution {
namespace {

// How many catalog names a search reads at most.
constexpr int kMaxCatalogNames = 10000;

bool IsDockerHub(const std::string& domain) {
  return domain.empty() || domain == "docker.io" ||
         domain == "index.docker.io" || domain == "registry-1.docker.io";
}

}  // namespace

std::string LoginDomain(const std::string& server_address) {
  std::string host = server_address;
  for (const char* scheme : {"https://", "http://"}) {
    if (absl::StartsWith(host, scheme)) host = host.substr(strlen(scheme));
  }
  host = host.substr(0, host.find('/'));
  return IsDockerHub(host) ? "docker.io" : host;
}

absl::StatusOr<std::string> Login(registry::HttpTransport& transport,
                                  const RegistrySettings& settings,
                                  const std::string& server_address,
                                  const registry::Credentials& credentials) {
  ConnectRequest connect;
  connect.domain = LoginDomain(server_address);
  connect.credentials = credentials;
  std::string identity_token;
  ASSIGN_OR_RETURN(auto client,
                   Connect(transport, settings, connect,
                           [&](registry::RegistryClient& c) -> absl::Status {
                             ASSIGN_OR_RETURN(identity_token, c.Login());
                             return absl::OkStatus();
                           }));
  return identity_token;
}

absl::StatusOr<std::vector<registry::SearchResult>> Search(
    registry::HttpTransport& transport, const RegistrySettings& settings,
    const std::string& term, int limit,
    const registry::Credentials& credentials) {
  if (limit <= 0) limit = 25;
  std::string domain = "docker.io";
  std::string text = term;
  const size_t slash = term.find('/');
  if (slash != std::string::npos) {
    const std::string first = term.substr(0, slash);
    if (absl::StrContains(first, ".") || absl::StrContains(first, ":") ||
        first == "localhost") {
      domain = LoginDomain(first);
      text = term.substr(slash + 1);
    }
  }
  if (text.empty()) {
    return absl::InvalidArgumentError(
        "search needs a term: berth search [HOST[:PORT]/]TERM");
  }
  ConnectRequest connect;
  connect.domain = domain;
  connect.credentials = credentials;
  std::vector<registry::SearchResult> results;
  bool v1 = true;
  ASSIGN_OR_RETURN(
      auto client,
      Connect(transport, settings, connect,
              [&](registry::RegistryClient& c) -> absl::Status {
                absl::StatusOr<std::vector<registry::SearchResult>> found =
                    c.SearchV1(text, limit);
                if (found.ok()) {
                  results = std::move(*found);
                  return absl::OkStatus();
                }
                if (!absl::IsNotFound(found.status())) return found.status();
                v1 = false;  // a registry that speaks only v2
                return absl::OkStatus();
              }));
  if (!v1) {
    ASSIGN_OR_RETURN(std::vector<std::string> names,
                     client->Catalog(kMaxCatalogNames));
    for (const std::string& name : names) {
      if (!absl::StrContains(name, text)) continue;
      registry::SearchResult result;
      result.name = absl::StrCat(domain, "/", name);
      results.push_back(std::move(result));
      if (static_cast<int>(results.size()) == limit) break;
    }
  } else if (domain != "docker.io") {
    for (registry::SearchResult& result : results) {
      result.name = absl::StrCat(domain, "/", result.name);
    }
  }
  if (static_cast<int>(results.size()) > limit) results.resize(limit);
  return results;
}

}  // namespace berth::imaged::distribution
