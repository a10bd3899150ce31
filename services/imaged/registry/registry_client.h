// RegistryClient: the OCI distribution API of one registry endpoint (an
// origin or a mirror) for one repository, with Docker's authentication:
// a request answered 401 is retried once with Basic credentials or with a
// Bearer token fetched from the challenge's realm for this repository's
// scopes (tokens cached until they expire, fetched again on a later 401).
//
//   GET  /v2/                                        ping, login
//   GET  /v2/<repo>/manifests/<tag|digest>           manifest
//   HEAD /v2/<repo>/blobs/<digest>                   blob present?
//   GET  /v2/<repo>/blobs/<digest>  [Range]          blob (resumed)
//   POST /v2/<repo>/blobs/uploads/?mount=&from=      cross-repo mount
//   POST, PATCH..., PUT ?digest=                     upload
//   PUT  /v2/<repo>/manifests/<tag>                  push the manifest
//   GET  /v2/<repo>/tags/list, /v2/_catalog (paged), /v1/search
//
// Registry 5xx answers and 429 are retried with backoff (3 attempts), then
// reported. Errors are what a person can act on and never carry a secret:
//   UNAVAILABLE        unknown host, connection refused, TLS, 5xx after
//                      retries (names the endpoint)
//   UNAUTHENTICATED    401 after authenticating ("... run `berth login
//                      HOST`")
//   PERMISSION_DENIED  403
//   NOT_FOUND          manifest or blob unknown (names the repository and
//                      the tag or digest)
//   DATA_LOSS          a blob or manifest whose bytes do not match its
//                      digest or size (the partial file is deleted)
//   INVALID_ARGUMENT   a malformed answer (bad JSON, missing headers)
//
// Thread-safe: layers of one image are fetched through one client at once.
#ifndef BERTH_SERVICES_IMAGED_REGISTRY_REGISTRY_CLIENT_H_
#define BERTH_SERVICES_IMAGED_REGISTRY_REGISTRY_CLIENT_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/imaged/registry/endpoints.h"
#include "services/imaged/registry/http_transport.h"
#include "services/imaged/registry/manifest.h"

namespace berth::imaged::registry {

// What the caller authenticates with; all empty for anonymous access.
struct Credentials {
  std::string username;
  std::string password;
  // A refresh token from an earlier login, sent to the token server
  // (grant_type=refresh_token) instead of the password.
  std::string identity_token;
  // A bearer token sent as is, without any token flow.
  std::string registry_token;
};

// Which rights the client asks the token server for.
enum class Access { kPull, kPullPush };

struct ClientOptions {
  Endpoint endpoint;
  // The path inside the registry: "library/busybox", "ns/app". Empty for a
  // client used only for Ping/Login, Catalog and Search.
  std::string repository;
  Credentials credentials;
  Access access = Access::kPull;
  // Retries of 5xx/429 and of a dropped download: delays of
  // retry_base_delay * 2^n.
  int attempts = 3;
  absl::Duration retry_base_delay = absl::Milliseconds(500);
  // Blobs up to this size are uploaded in one PUT; larger ones in PATCH
  // chunks of this size.
  int64_t chunk_size = 32 << 20;
};

struct FetchedManifest {
  std::string body;
  std::string media_type;  // from the body, else Content-Type
  // sha256 of the body; checked against the requested digest (when asked
  // by digest) and Docker-Content-Digest (when sent).
  std::string digest;
};

struct SearchResult {
  std::string name;
  std::string description;
  int64_t star_count = 0;
  bool is_official = false;
  bool is_automated = false;
};

class RegistryClient {
 public:
  RegistryClient(HttpTransport& transport, ClientOptions options);
  ~RegistryClient();
  RegistryClient(const RegistryClient&) = delete;
  RegistryClient& operator=(const RegistryClient&) = delete;

  const Endpoint& endpoint() const;

  // GET /v2/ with the credentials (the token flow included). Returns the
  // identity token a token server handed out for them ("" when none), for
  // the CLI to store instead of the password. UNAUTHENTICATED when refused.
  absl::StatusOr<std::string> Login();

  // The manifest or index a tag or digest names, at most
  // kMaxManifestBodySize, with ManifestAcceptHeader().
  absl::StatusOr<FetchedManifest> GetManifest(const std::string& reference);

  // A small blob (a config) into memory, verified; at most `max_bytes`.
  absl::StatusOr<std::string> FetchBlob(const Descriptor& blob,
                                        int64_t max_bytes = 16 << 20);
  // A blob into `path`. Bytes already in `path` (an interrupted earlier
  // download) are kept and the rest asked for with a Range request; a
  // registry that ignores Range restarts the file. On return OK the file
  // holds exactly `blob.size` bytes hashing to `blob.digest`; on DATA_LOSS
  // the file is deleted; on other errors what arrived is kept for a later
  // resume. `progress` gets the bytes in the file so far.
  absl::Status FetchBlobToFile(const Descriptor& blob, const std::string& path,
                               const std::function<void(int64_t)>& progress);

  // HEAD: whether the repository has the blob.
  absl::StatusOr<bool> HasBlob(const std::string& digest);
  // Asks the registry to mount `digest` from `from_repository` (same
  // registry). true when mounted; false when the registry declined (it
  // then needs an upload; any upload session it opened is cancelled).
  absl::StatusOr<bool> MountBlob(const std::string& digest,
                                 const std::string& from_repository);
  // Uploads the file at `path`, which holds `blob.size` bytes hashing to
  // `blob.digest`: one PUT up to chunk_size, else PATCH chunks then PUT.
  absl::Status UploadBlob(const Descriptor& blob, const std::string& path,
                          const std::function<void(int64_t)>& progress);
  // PUT the manifest under `reference` (a tag or its digest). Returns the
  // digest the registry reports (Docker-Content-Digest), else the body's.
  absl::StatusOr<std::string> PutManifest(const std::string& reference,
                                          const std::string& media_type,
                                          const std::string& body);

  // GET /v2/<repo>/tags/list, every page.
  absl::StatusOr<std::vector<std::string>> ListTags();
  // GET /v2/_catalog, following Link: rel="next" pages, at most `max`
  // names.
  absl::StatusOr<std::vector<std::string>> Catalog(int max);
  // GET /v1/search?q=&n=. NOT_FOUND when the registry has no v1 search
  // (a plain distribution registry), so the caller falls back to Catalog.
  absl::StatusOr<std::vector<SearchResult>> SearchV1(const std::string& term,
                                                     int limit);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace berth::imaged::registry

#endif  // BERTH_SERVICES_IMAGED_REGISTRY_REGISTRY_CLIENT_H_
