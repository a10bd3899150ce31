#include "services/imaged/registry/registry_upload.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/sha256.h"
#include "common/status_macros.h"
#include "services/imaged/registry/auth_challenge.h"

namespace berth::imaged::registry {
namespace {

constexpr char kOctetStream[] = "application/octet-stream";

// `url` with `parameter` added to its query (an upload Location often has
// one already: the registry's _state).
std::string WithQuery(const std::string& url, const std::string& parameter) {
  return absl::StrCat(url, absl::StrContains(url, '?') ? "&" : "?", parameter);
}

std::string UploadsUrl(const RegistrySession& session) {
  return session.Url(
      absl::StrCat("/v2/", session.repository(), "/blobs/uploads/"));
}

// The upload session a 202 names, absolute.
absl::StatusOr<std::string> UploadLocation(const RegistrySession& session,
                                           const HttpResponse& response,
                                           absl::string_view what) {
  const std::string location = response.Header("location");
  if (location.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, ": ", session.endpoint().host,
        " answered without a Location for the upload"));
  }
  return session.ResolveLocation(location);
}

// An upload that failed half way is cancelled so the registry can drop
// what it stored; a failure to cancel changes nothing for the caller.
void CancelUpload(RegistrySession& session, const std::string& location) {
  HttpRequest request;
  request.method = "DELETE";
  request.url = location;
  (void)session.Send(request, session.WriteScopes());
}

absl::StatusOr<HttpResponse> SendExpecting(RegistrySession& session,
                                           const HttpRequest& request,
                                           const std::vector<std::string>& scopes,
                                           int expected_status,
                                           absl::string_view what) {
  ASSIGN_OR_RETURN(HttpResponse response, session.Send(request, scopes));
  if (response.status != expected_status) {
    return session.ResponseError(response, what);
  }
  return response;
}

// PATCHes the file in chunks of chunk_size, following each new Location;
// returns the location to finish the upload at.
absl::StatusOr<std::string> SendChunks(
    RegistrySession& session, const Descriptor& blob, const std::string& path,
    std::string location, const std::function<void(int64_t)>& progress,
    absl::string_view what) {
  const int64_t chunk_size = std::max<int64_t>(1, session.options().chunk_size);
  for (int64_t offset = 0; offset < blob.size; offset += chunk_size) {
    const int64_t length = std::min(chunk_size, blob.size - offset);
    HttpRequest patch;
    patch.method = "PATCH";
    patch.url = location;
    patch.headers = {
        {"Content-Type", kOctetStream},
        {"Content-Range", absl::StrCat(offset, "-", offset + length - 1)}};
    patch.body_path = path;
    patch.body_offset = offset;
    patch.body_length = length;
    patch.on_progress = [&progress, offset](int64_t bytes) {
      if (progress) progress(offset + bytes);
      return true;
    };
    ASSIGN_OR_RETURN(HttpResponse response,
                     SendExpecting(session, patch, session.WriteScopes(), 202,
                                   what));
    if (!response.Header("location").empty()) {
      ASSIGN_OR_RETURN(location, UploadLocation(session, response, what));
    }
  }
  return location;
}

}  // namespace

absl::Status UploadBlobFile(RegistrySession& session, const Descriptor& blob,
                            const std::string& path,
                            const std::function<void(int64_t)>& progress) {
  RETURN_IF_ERROR(ValidateDigest(blob.digest));
  struct stat info;
  if (stat(path.c_str(), &info) != 0) return ErrnoStatus(errno, "stat", path);
  if (info.st_size != blob.size) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, " has ", info.st_size, " bytes, not the ", blob.size,
        " of blob ", blob.digest));
  }
  const std::string what = absl::StrCat("upload of blob ", blob.digest, " to ",
                                        session.repository());
  HttpRequest start;
  start.method = "POST";
  start.url = UploadsUrl(session);
  ASSIGN_OR_RETURN(HttpResponse started,
                   SendExpecting(session, start, session.WriteScopes(), 202,
                                 what));
  ASSIGN_OR_RETURN(std::string location,
                   UploadLocation(session, started, what));

  HttpRequest finish;
  finish.method = "PUT";
  finish.headers = {{"Content-Type", kOctetStream}};
  if (blob.size <= session.options().chunk_size) {
    // Monolithic: the whole blob with the closing PUT.
    finish.body_path = path;
    finish.body_length = blob.size;
    finish.on_progress = [&progress](int64_t bytes) {
      if (progress) progress(bytes);
      return true;
    };
  } else {
    absl::StatusOr<std::string> last =
        SendChunks(session, blob, path, location, progress, what);
    if (!last.ok()) {
      CancelUpload(session, location);
      return last.status();
    }
    location = *last;
  }
  finish.url = WithQuery(location, "digest=" + QueryEscape(blob.digest));
  absl::StatusOr<HttpResponse> finished =
      SendExpecting(session, finish, session.WriteScopes(), 201, what);
  if (!finished.ok()) {
    CancelUpload(session, location);
    return finished.status();
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> MountBlobFrom(RegistrySession& session,
                                   const std::string& digest,
                                   const std::string& from_repository) {
  RETURN_IF_ERROR(ValidateDigest(digest));
  const std::string what = absl::StrCat("mount of blob ", digest, " from ",
                                        from_repository, " into ",
                                        session.repository());
  HttpRequest request;
  request.method = "POST";
  request.url = absl::StrCat(UploadsUrl(session), "?mount=", QueryEscape(digest),
                             "&from=", QueryEscape(from_repository));
  ASSIGN_OR_RETURN(
      HttpResponse response,
      session.Send(request, MountScopes(session.repository(), from_repository)));
  if (response.status == 201) return true;
  if (response.status != 202) return session.ResponseError(response, what);
  // Declined: the registry opened an ordinary upload instead.
  ASSIGN_OR_RETURN(std::string location,
                   UploadLocation(session, response, what));
  CancelUpload(session, location);
  return false;
}

absl::StatusOr<std::string> PutManifestAs(RegistrySession& session,
                                          const std::string& reference,
                                          const std::string& media_type,
                                          const std::string& body) {
  HttpRequest request;
  request.method = "PUT";
  request.url = session.Url(absl::StrCat("/v2/", session.repository(),
                                         "/manifests/", reference));
  request.headers = {{"Content-Type", media_type}};
  request.body = body;
  ASSIGN_OR_RETURN(HttpResponse response,
                   session.Send(request, session.WriteScopes()));
  if (response.status / 100 != 2) {
    return session.ResponseError(
        response, absl::StrCat("push of manifest ", session.repository(), ":",
                               reference));
  }
  const std::string announced = response.Header("docker-content-digest");
  return IsSha256Digest(announced) ? announced : Sha256Digest(body);
}

}  // namespace berth::imaged::registry
