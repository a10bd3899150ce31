// RegistrySession: the exchanges of a RegistryClient with one endpoint,
// authenticated and retried, and the mapping of a registry's answers to
// statuses. Private to the registry_client library: RegistryClient's API
// parts (registry_client.cc, registry_upload.cc) build requests and read
// answers; this part alone knows tokens, challenges, TLS and retries.
//
// Authentication, as Docker's client: a request goes out with what the
// session already has (the registry token; Basic credentials once the
// registry asked for Basic; a cached unexpired Bearer token for the
// request's scopes). A 401 is answered once: its challenge is parsed, a
// fresh token fetched from the realm (GET with Basic credentials, or POST
// grant_type=refresh_token with an identity token), and the request sent
// again. Tokens are cached per scope set until they expire.
//
// Thread-safe: the token cache is guarded; the rest is immutable.
#ifndef BERTH_SERVICES_IMAGED_REGISTRY_REGISTRY_SESSION_H_
#define BERTH_SERVICES_IMAGED_REGISTRY_REGISTRY_SESSION_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/imaged/registry/auth_challenge.h"
#include "services/imaged/registry/http_transport.h"
#include "services/imaged/registry/registry_client.h"

namespace berth::imaged::registry {

// How to speak TLS to `endpoint`, from Docker's certs.d layout in its
// certs_dirs: ca.crt and *.crt are CAs, NAME.cert with NAME.key a client
// certificate (the first pair, by name). Missing directories are skipped.
// INVALID_ARGUMENT when a .cert has no .key or a .key no .cert (Docker's
// "missing key ... for client certificate ..."); errno errors otherwise.
absl::StatusOr<TlsSettings> TlsSettingsFor(const Endpoint& endpoint);

class RegistrySession {
 public:
  RegistrySession(HttpTransport& transport, ClientOptions options);
  RegistrySession(const RegistrySession&) = delete;
  RegistrySession& operator=(const RegistrySession&) = delete;

  const ClientOptions& options() const { return options_; }
  const Endpoint& endpoint() const { return options_.endpoint; }
  const std::string& repository() const { return options_.repository; }

  // endpoint().url + path ("/v2/...").
  std::string Url(absl::string_view path) const;
  // A Location or Link target made absolute: a path is on the endpoint's
  // scheme://host (registries answer "/v2/..." from the host's root).
  std::string ResolveLocation(absl::string_view location) const;

  // The repository's scopes for reads (by options().access) and for
  // writes (always pull,push).
  std::vector<std::string> ReadScopes() const;
  std::vector<std::string> WriteScopes() const;

  // Sends `request` with the credentials for `scopes`, answering one 401
  // and retrying 5xx/429 (options().attempts). Any HTTP status is returned;
  // errors are the transport's and the token server's (UNAUTHENTICATED
  // when it refuses the credentials).
  absl::StatusOr<HttpResponse> Send(HttpRequest request,
                                    const std::vector<std::string>& scopes);

  // GET /v2/ with the credentials; the token server's refresh token ("" if
  // none). UNAUTHENTICATED when refused or when there are no credentials
  // for a registry that wants them.
  absl::StatusOr<std::string> Login();

  // The status for a response that was not the expected success, naming
  // `what` ("manifest for app:latest"): 401 UNAUTHENTICATED with the
  // `berth login HOST` hint, 403 PERMISSION_DENIED, 404 NOT_FOUND, 5xx and
  // 429 UNAVAILABLE naming the endpoint and status, 400 INVALID_ARGUMENT,
  // else UNKNOWN. The registry's error code and message are appended as
  // Docker prints them ("manifest unknown: manifest unknown").
  absl::Status ResponseError(const HttpResponse& response,
                             absl::string_view what) const;

  // The pause before retry number `retry` (0-based): base * 2^retry.
  absl::Duration RetryDelay(int retry) const;

 private:
  // The transport's answer, sent again after a 5xx or 429 with backoff.
  absl::StatusOr<HttpResponse> SendWithRetries(const HttpRequest& request);
  // The Authorization value known for `scopes` without asking the registry
  // ("" when none yet); may fetch a token for a known Bearer challenge.
  absl::StatusOr<std::string> KnownAuthorization(
      const std::vector<std::string>& scopes);
  // The Authorization answering the challenges of a 401 ("" when there is
  // nothing to answer them with). Fetches a fresh token for Bearer.
  absl::StatusOr<std::string> AnswerChallenge(
      const HttpResponse& unauthorized, const std::vector<std::string>& scopes,
      bool offline_token, std::string* refresh_token);
  absl::StatusOr<TokenResponse> FetchToken(const Challenge& bearer,
                                           const std::vector<std::string>& scopes,
                                           bool offline_token);
  std::string BasicAuthorization() const;
  absl::Status Unauthenticated(absl::string_view what) const;

  HttpTransport& transport_;
  const ClientOptions options_;
  const absl::StatusOr<TlsSettings> tls_;

  absl::Mutex mu_;
  // The registry's last challenge: how to authenticate without a 401.
  std::optional<Challenge> challenge_ ABSL_GUARDED_BY(mu_);
  // Bearer tokens by their scopes joined with " ".
  std::map<std::string, TokenResponse> tokens_ ABSL_GUARDED_BY(mu_);
};

}  // namespace berth::imaged::registry

#endif  // BERTH_SERVICES_IMAGED_REGISTRY_REGISTRY_SESSION_H_
