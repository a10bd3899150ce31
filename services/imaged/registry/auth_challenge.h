// The registry side of authentication, as the distribution spec and Docker's
// client do it: a request answered 401 carries WWW-Authenticate challenges
// (RFC 7235); a Bearer challenge names a token server (realm) that hands out
// a token for a service and a list of scopes; Basic means send the
// credentials on every request.
//
//   WWW-Authenticate: Bearer realm="https://auth.example/token",
//       service="registry.example",scope="repository:ns/app:pull"
//   GET https://auth.example/token?account=me&scope=repository%3Ans%2Fapp
//       %3Apull&service=registry.example
//   {"token":"...","expires_in":300,"issued_at":"2024-01-02T03:04:05Z"}
//
// Pure functions on values; thread-safe; no I/O.
#ifndef BERTH_SERVICES_IMAGED_REGISTRY_AUTH_CHALLENGE_H_
#define BERTH_SERVICES_IMAGED_REGISTRY_AUTH_CHALLENGE_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace berth::imaged::registry {

// One challenge of a WWW-Authenticate header.
struct Challenge {
  // Lowercased: "bearer", "basic".
  std::string scheme;
  // Parameter names lowercased, values unquoted and unescaped. A name given
  // twice keeps its first value.
  std::map<std::string, std::string> params;
  // The token68 form ("Negotiate abc=="), "" when the challenge has params.
  std::string token68;

  // The value of `name` (lowercase), "" when absent.
  std::string Param(absl::string_view name) const;

  bool operator==(const Challenge& other) const;
};

// Parses one WWW-Authenticate header value into its challenges, in order.
// Accepts what registries send: several challenges in one value separated
// by commas, empty list elements, spaces around "=", quoted strings with
// backslash escapes, schemes and parameter names in any case.
// INVALID_ARGUMENT naming the offset: empty value, a parameter without a
// value, an unterminated quoted string, stray characters.
absl::StatusOr<std::vector<Challenge>> ParseChallenges(absl::string_view header);

// Parses every value (an HTTP response may repeat the header) and returns
// all challenges in order; the first bad value's error.
absl::StatusOr<std::vector<Challenge>> ParseChallengeHeaders(
    const std::vector<std::string>& headers);

// The first challenge with `scheme` (lowercase), or nullptr.
const Challenge* FindChallenge(const std::vector<Challenge>& challenges,
                               absl::string_view scheme);

// Scope strings of Docker's token flow. `repository` is the path inside the
// registry ("library/busybox", "ns/app"), without the domain.
std::string PullScope(absl::string_view repository);
std::string PushScope(absl::string_view repository);  // "...:pull,push"
// A push that mounts blobs from `source` (same registry) into `target`:
// push on the target and pull on the source, in that order.
std::vector<std::string> MountScopes(absl::string_view target,
                                     absl::string_view source);
// The catalog, for search on registries that speak only v2.
inline constexpr char kCatalogScope[] = "registry:catalog:*";

// The GET URL that asks the token server of a Bearer challenge for a token:
// the realm with service=, one scope= per scope and account= (when
// `account` is not empty) added to its query, keys sorted and values
// escaped as Go's url.Values.Encode does (Docker sends exactly that).
// Parameters already in the realm's query are kept.
// INVALID_ARGUMENT when the challenge is not Bearer, has no realm, or the
// realm is not an http(s) URL.
absl::StatusOr<std::string> TokenRequestUrl(
    const Challenge& bearer, const std::vector<std::string>& scopes,
    absl::string_view account);

// Escapes `text` for a URL query as Go's url.QueryEscape: unreserved
// characters (A-Z a-z 0-9 - _ . ~) kept, space as "+", the rest %XX.
std::string QueryEscape(absl::string_view text);

// A token server's answer.
struct TokenResponse {
  // "token", or "access_token" when "token" is absent or empty (OAuth2
  // servers send only the latter).
  std::string token;
  // For `berth login`'s identity token; "" when none.
  std::string refresh_token;
  absl::Time issued_at;
  // At least 60 s, as Docker: absent, smaller or non-positive values become
  // 60 s so a token is not fetched again for every request.
  absl::Duration expires_in;

  absl::Time ExpiresAt() const { return issued_at + expires_in; }
};

// Minimum and default token lifetime (Docker's minimumTokenLifetimeSeconds).
inline constexpr absl::Duration kMinTokenLifetime = absl::Seconds(60);

// Parses the token server's JSON body. `now` stands for issued_at when the
// server sends none. Errors never quote the body (it holds the token):
// INVALID_ARGUMENT "token response: not a JSON object", "... has no token",
// "... field \"expires_in\" is not an integer", "... field \"issued_at\" is
// not an RFC 3339 time".
absl::StatusOr<TokenResponse> ParseTokenResponse(absl::string_view body,
                                                 absl::Time now);

}  // namespace berth::imaged::registry

#endif  // BERTH_SERVICES_IMAGED_REGISTRY_AUTH_CHALLENGE_H_
