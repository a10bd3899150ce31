// Registry credentials in the "auths" shape of Docker's config.json, so
// `berth login` and `docker login` files are interchangeable:
//
//   {
//     "auths": {
//       "https://index.docker.io/v1/": {"auth": "<base64 user:password>"},
//       "127.0.0.1:5000": {"auth": "...", "identitytoken": "..."}
//     },
//     "credsStore": "...", ...   other keys, kept as they are
//   }
//
// Docker Hub is stored under "https://index.docker.io/v1/"; every other
// registry under its host[:port], and entries written by older clients as
// "https://host[:port]" or "host/v2/" are found too.
//
// Credential helpers (credsStore, credHelpers) are not read: the keys are
// kept on write, nothing more.
//
// Secrets (passwords, tokens, the auth field) never appear in an error
// message. Pure functions, except the two that take a path.
#ifndef BERTH_SERVICES_IMAGED_REGISTRY_CREDENTIALS_H_
#define BERTH_SERVICES_IMAGED_REGISTRY_CREDENTIALS_H_

#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace berth::imaged::registry {

// The key Docker Hub's credentials live under.
inline constexpr char kDockerHubAuthKey[] = "https://index.docker.io/v1/";

struct AuthEntry {
  std::string username;
  std::string password;
  // An OAuth refresh token from a token server's login; sent to the token
  // server instead of the password when set.
  std::string identity_token;

  bool operator==(const AuthEntry& other) const {
    return username == other.username && password == other.password &&
           identity_token == other.identity_token;
  }
};

// The "auths" object, keyed as in the file.
using AuthMap = std::map<std::string, AuthEntry>;

// Parses a config.json text and returns its "auths". A missing "auths" (or
// null) is an empty map. For each entry, "auth" (base64 of
// "user:password") wins over "username"/"password", as in Docker.
// INVALID_ARGUMENT, naming the entry but no secret: not a JSON object,
// "auths" not an object, an entry not an object, a field not a string, an
// "auth" that is not base64 or has no ":".
absl::StatusOr<AuthMap> ParseAuths(absl::string_view config_json);

// Returns `config_json` (may be "" for a new file) with its "auths"
// replaced by `auths`, other top-level keys kept in their order. Entries are
// written as Docker writes them: "auth" (when there is a username or a
// password) and "identitytoken" (when set). Tab-indented as Docker's.
// INVALID_ARGUMENT when `config_json` is not empty and not a JSON object.
absl::StatusOr<std::string> ReplaceAuths(absl::string_view config_json,
                                         const AuthMap& auths);

// The key `registry` ("docker.io", "127.0.0.1:5000", as a Reference's
// domain) is stored under: kDockerHubAuthKey for Docker Hub, else
// `registry` itself.
std::string AuthKey(absl::string_view registry);

// What Docker compares a key by: the key without "http://" or "https://"
// and without anything from the first "/" ("https://r:5000/v2/" ->
// "r:5000").
std::string AuthKeyHost(absl::string_view key);

// The credentials for `registry`: the entry under AuthKey(registry) if
// any, else the first (in key order) whose AuthKeyHost is the registry's
// host ("index.docker.io" or "docker.io" for Docker Hub). nullptr if none.
const AuthEntry* FindAuth(const AuthMap& auths, absl::string_view registry);

// Stores `entry` under AuthKey(registry), removing the other entries
// FindAuth would match for it, so the new one is the one found.
void SetAuth(AuthMap& auths, absl::string_view registry, AuthEntry entry);

// Removes every entry FindAuth could return for `registry`; how many.
int RemoveAuth(AuthMap& auths, absl::string_view registry);

// Reads the "auths" of the config file at `path`; an empty map when the
// file does not exist. Errors carry the path.
absl::StatusOr<AuthMap> ReadAuthsFile(const std::string& path);

// Replaces the "auths" of the config file at `path` (created if missing,
// with its directory, mode 0700), keeping its other keys. Written to a
// temp file and renamed, mode 0600, so a reader never sees half a file
// and no one else can read it.
absl::Status WriteAuthsFile(const std::string& path, const AuthMap& auths);

}  // namespace berth::imaged::registry

#endif  // BERTH_SERVICES_IMAGED_REGISTRY_CREDENTIALS_H_
