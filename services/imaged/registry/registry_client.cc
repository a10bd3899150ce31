#include "services/imaged/registry/registry_client.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/sha256.h"
#include "common/status_macros.h"
#include "nlohmann/json.hpp"
#include "services/imaged/registry/auth_challenge.h"
#include "services/imaged/registry/registry_session.h"
#include "services/imaged/registry/registry_upload.h"

namespace berth::imaged::registry {

class RegistryClient::Impl : public RegistrySession {
 public:
  using RegistrySession::RegistrySession;
};

namespace {

constexpr int kMaxPageSize = 1000;
constexpr int64_t kMaxListBodySize = 16 << 20;

// The size of the file at `path`; 0 when there is none yet.
absl::StatusOr<int64_t> FileSize(const std::string& path) {
  struct stat info;
  if (stat(path.c_str(), &info) == 0) return info.st_size;
  if (errno == ENOENT) return 0;
  return ErrnoStatus(errno, "stat", path);
}

// "repo:tag" or "repo@sha256:...", as Docker names what it looked for.
std::string ReferenceName(const std::string& repository,
                          const std::string& reference) {
  const char separator = absl::StrContains(reference, ':') ? '@' : ':';
  return absl::StrCat(repository, std::string(1, separator), reference);
}

// The target of a Link header's rel="next" entry ("" when none):
//   </v2/_catalog?last=b&n=2>; rel="next"
std::string NextPage(const HttpResponse& response) {
  for (const std::string& link : response.Headers("link")) {
    const size_t open = link.find('<');
    const size_t close = link.find('>', open);
    if (open == std::string::npos || close == std::string::npos) continue;
    if (absl::StrContains(link.substr(close), "rel=\"next\"") ||
        absl::StrContains(link.substr(close), "rel=next")) {
      return link.substr(open + 1, close - open - 1);
    }
  }
  return "";
}

// The strings of `key` in a JSON object body; INVALID_ARGUMENT naming `what`.
absl::StatusOr<std::vector<std::string>> StringList(const std::string& body,
                                                    const char* key,
                                                    absl::string_view what) {
  const nlohmann::json json =
      nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": the answer is not a JSON object"));
  }
  std::vector<std::string> values;
  auto it = json.find(key);
  if (it == json.end() || it->is_null()) return values;
  if (!it->is_array()) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": field \"", key, "\" is not a list"));
  }
  for (const nlohmann::json& value : *it) {
    if (!value.is_string()) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, ": field \"", key, "\" holds a non-string"));
    }
    values.push_back(value.get<std::string>());
  }
  return values;
}

absl::Status DiscardMismatch(const Descriptor& blob, const std::string& path,
                             int64_t size, const std::string& digest) {
  if (!path.empty()) unlink(path.c_str());
  if (size != blob.size) {
    return absl::DataLossError(absl::StrCat("blob ", blob.digest, " has ", size,
                                            " bytes, not ", blob.size,
                                            "; it was discarded"));
  }
  return absl::DataLossError(absl::StrCat("blob ", blob.digest, " has digest ",
                                          digest, "; it was discarded"));
}

}  // namespace

RegistryClient::RegistryClient(HttpTransport& transport, ClientOptions options)
    : impl_(std::make_unique<Impl>(transport, std::move(options))) {}

RegistryClient::~RegistryClient() = default;

const Endpoint& RegistryClient::endpoint() const { return impl_->endpoint(); }

absl::StatusOr<std::string> RegistryClient::Login() { return impl_->Login(); }

absl::StatusOr<FetchedManifest> RegistryClient::GetManifest(
    const std::string& reference) {
  const bool by_digest = absl::StrContains(reference, ':');
  if (by_digest) RETURN_IF_ERROR(ValidateDigest(reference));
  const std::string what = absl::StrCat(
      "manifest for ", ReferenceName(impl_->repository(), reference));
  HttpRequest request;
  request.url = impl_->Url(absl::StrCat("/v2/", impl_->repository(),
                                        "/manifests/", reference));
  request.headers = {{"Accept", ManifestAcceptHeader()}};
  request.max_body_in_memory = kMaxManifestBodySize;
  absl::StatusOr<HttpResponse> response =
      impl_->Send(request, impl_->ReadScopes());
  if (absl::IsOutOfRange(response.status())) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, " is larger than ", kMaxManifestBodySize, " bytes"));
  }
  RETURN_IF_ERROR(response.status());
  if (response->status != 200) return impl_->ResponseError(*response, what);

  FetchedManifest manifest;
  manifest.body = std::move(response->body);
  manifest.digest = Sha256Digest(manifest.body);
  ASSIGN_OR_RETURN(manifest.media_type,
                   ManifestMediaType(manifest.body,
                                     response->Header("content-type")));
  const std::string announced = response->Header("docker-content-digest");
  for (const std::string& expected : {by_digest ? reference : std::string(),
                                      IsSha256Digest(announced) ? announced
                                                                : std::string()}) {
    if (!expected.empty() && expected != manifest.digest) {
      return absl::DataLossError(absl::StrCat(what, " has digest ",
                                              manifest.digest, ", not ",
                                              expected));
    }
  }
  return manifest;
}

absl::StatusOr<std::string> RegistryClient::FetchBlob(const Descriptor& blob,
                                                      int64_t max_bytes) {
  RETURN_IF_ERROR(ValidateDigest(blob.digest));
  if (blob.size > max_bytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "blob ", blob.digest, " has ", blob.size, " bytes, more than ",
        max_bytes, " allowed here"));
  }
  HttpRequest request;
  request.url = impl_->Url(
      absl::StrCat("/v2/", impl_->repository(), "/blobs/", blob.digest));
  // One byte more than promised tells a longer blob from an exact one.
  request.max_body_in_memory = blob.size + 1;
  absl::StatusOr<HttpResponse> response =
      impl_->Send(request, impl_->ReadScopes());
  if (absl::IsOutOfRange(response.status())) {
    return absl::DataLossError(absl::StrCat(
        "blob ", blob.digest, " has more than ", blob.size, " bytes"));
  }
  RETURN_IF_ERROR(response.status());
  if (response->status != 200) {
    return impl_->ResponseError(
        *response,
        absl::StrCat("blob ", blob.digest, " in ", impl_->repository()));
  }
  const std::string digest = Sha256Digest(response->body);
  if (static_cast<int64_t>(response->body.size()) != blob.size ||
      digest != blob.digest) {
    return DiscardMismatch(blob, "", response->body.size(), digest);
  }
  return std::move(response->body);
}

absl::Status RegistryClient::FetchBlobToFile(
    const Descriptor& blob, const std::string& path,
    const std::function<void(int64_t)>& progress) {
  RETURN_IF_ERROR(ValidateDigest(blob.digest));
  const std::string what =
      absl::StrCat("blob ", blob.digest, " in ", impl_->repository());
  for (int attempt = 1;; ++attempt) {
    ASSIGN_OR_RETURN(int64_t have, FileSize(path));
    if (have > blob.size && truncate(path.c_str(), 0) != 0) {
      return ErrnoStatus(errno, "truncate", path);
    }
    if (have > blob.size) have = 0;
    if (have == blob.size) break;
    HttpRequest request;
    request.url = impl_->Url(
        absl::StrCat("/v2/", impl_->repository(), "/blobs/", blob.digest));
    if (have > 0) {
      request.headers = {{"Range", absl::StrCat("bytes=", have, "-")}};
    }
    request.output_path = path;
    request.on_progress = [&](int64_t bytes) {
      if (progress) progress(have + bytes);
      // A registry sending more than the blob is cut off; the digest check
      // then discards the file.
      return bytes <= blob.size;
    };
    absl::StatusOr<HttpResponse> response =
        impl_->Send(request, impl_->ReadScopes());
    if (absl::IsCancelled(response.status())) break;
    if (absl::IsUnavailable(response.status()) && attempt < impl_->options().attempts) {
      // A dropped transfer: what arrived stays, the next try resumes.
      absl::SleepFor(impl_->RetryDelay(attempt - 1));
      continue;
    }
    RETURN_IF_ERROR(response.status());
    if (response->status == 416 && have > 0) {
      // The registry refuses the range: start over.
      if (truncate(path.c_str(), 0) != 0) {
        return ErrnoStatus(errno, "truncate", path);
      }
      continue;
    }
    if (response->status / 100 != 2) {
      return impl_->ResponseError(*response, what);
    }
    break;
  }
  ASSIGN_OR_RETURN(const int64_t size, FileSize(path));
  if (size != blob.size) return DiscardMismatch(blob, path, size, "");
  ASSIGN_OR_RETURN(const std::string digest, Sha256File(path));
  if (digest != blob.digest) return DiscardMismatch(blob, path, size, digest);
  return absl::OkStatus();
}

absl::StatusOr<bool> RegistryClient::HasBlob(const std::string& digest) {
  RETURN_IF_ERROR(ValidateDigest(digest));
  HttpRequest request;
  request.method = "HEAD";
  request.url = impl_->Url(
      absl::StrCat("/v2/", impl_->repository(), "/blobs/", digest));
  ASSIGN_OR_RETURN(HttpResponse response,
                   impl_->Send(request, impl_->ReadScopes()));
  if (response.status == 200) return true;
  if (response.status == 404) return false;
  return impl_->ResponseError(
      response, absl::StrCat("blob ", digest, " in ", impl_->repository()));
}

absl::StatusOr<bool> RegistryClient::MountBlob(
    const std::string& digest, const std::string& from_repository) {
  return MountBlobFrom(*impl_, digest, from_repository);
}

absl::Status RegistryClient::UploadBlob(
    const Descriptor& blob, const std::string& path,
    const std::function<void(int64_t)>& progress) {
  return UploadBlobFile(*impl_, blob, path, progress);
}

absl::StatusOr<std::string> RegistryClient::PutManifest(
    const std::string& reference, const std::string& media_type,
    const std::string& body) {
  return PutManifestAs(*impl_, reference, media_type, body);
}

namespace {

// Every page of a listing, from `url` on, until `max` names; `key` is the
// list's field ("tags", "repositories").
absl::StatusOr<std::vector<std::string>> ListPages(
    RegistrySession& session, std::string url, const char* key,
    const std::vector<std::string>& scopes, size_t max,
    absl::string_view what) {
  std::vector<std::string> names;
  while (!url.empty() && names.size() < max) {
    HttpRequest request;
    request.url = url;
    request.max_body_in_memory = kMaxListBodySize;
    ASSIGN_OR_RETURN(HttpResponse response, session.Send(request, scopes));
    if (response.status != 200) return session.ResponseError(response, what);
    ASSIGN_OR_RETURN(std::vector<std::string> page,
                     StringList(response.body, key, what));
    if (page.empty()) break;
    for (std::string& name : page) {
      if (names.size() < max) names.push_back(std::move(name));
    }
    const std::string next = NextPage(response);
    url = next.empty() ? "" : session.ResolveLocation(next);
  }
  return names;
}

}  // namespace

absl::StatusOr<std::vector<std::string>> RegistryClient::ListTags() {
  return ListPages(
      *impl_, impl_->Url(absl::StrCat("/v2/", impl_->repository(), "/tags/list")),
      "tags", impl_->ReadScopes(), SIZE_MAX,
      absl::StrCat("tags of ", impl_->repository()));
}

absl::StatusOr<std::vector<std::string>> RegistryClient::Catalog(int max) {
  if (max <= 0) return std::vector<std::string>();
  const std::string what = absl::StrCat("catalog of ", impl_->endpoint().host);
  absl::StatusOr<std::vector<std::string>> names = ListPages(
      *impl_,
      impl_->Url(absl::StrCat("/v2/_catalog?n=", std::min(max, kMaxPageSize))),
      "repositories", {kCatalogScope}, static_cast<size_t>(max), what);
  if (!absl::IsInvalidArgument(names.status())) return names;
  // Distribution answers 400 to an n above its catalog.maxentries; without
  // n it pages at its own size.
  return ListPages(*impl_, impl_->Url("/v2/_catalog"), "repositories",
                   {kCatalogScope}, static_cast<size_t>(max), what);
}

absl::StatusOr<std::vector<SearchResult>> RegistryClient::SearchV1(
    const std::string& term, int limit) {
  HttpRequest request;
  request.url = impl_->Url(absl::StrCat("/v1/search?q=", QueryEscape(term),
                                        "&n=", limit));
  request.max_body_in_memory = kMaxListBodySize;
  ASSIGN_OR_RETURN(HttpResponse response, impl_->Send(request, {}));
  const std::string what = absl::StrCat("search on ", impl_->endpoint().host);
  if (response.status == 404) {
    return absl::NotFoundError(
        absl::StrCat(impl_->endpoint().host, " has no v1 search"));
  }
  if (response.status != 200) return impl_->ResponseError(response, what);
  const nlohmann::json json =
      nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  auto results = json.is_object() ? json.find("results") : json.end();
  if (!json.is_object() || results == json.end() || !results->is_array()) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": the answer has no \"results\" list"));
  }
  std::vector<SearchResult> found;
  for (const nlohmann::json& entry : *results) {
    if (!entry.is_object()) continue;
    SearchResult result;
    auto text = [&entry](const char* key) {
      auto it = entry.find(key);
      return it != entry.end() && it->is_string() ? it->get<std::string>()
                                                  : std::string();
    };
    auto flag = [&entry](const char* key) {
      auto it = entry.find(key);
      return it != entry.end() && it->is_boolean() && it->get<bool>();
    };
    result.name = text("name");
    result.description = text("description");
    auto stars = entry.find("star_count");
    if (stars != entry.end() && stars->is_number_integer()) {
      result.star_count = stars->get<int64_t>();
    }
    result.is_official = flag("is_official");
    result.is_automated = flag("is_automated");
    if (!result.name.empty()) found.push_back(std::move(result));
    if (static_cast<int>(found.size()) >= limit) break;
  }
  return found;
}

}  // namespace berth::imaged::registry
