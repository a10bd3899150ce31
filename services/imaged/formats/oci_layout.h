// The OCI image layout (image-spec layout.md) and the manifests and indexes
// it holds:
//
//   oci-layout       {"imageLayoutVersion":"1.0.0"}
//   index.json       an image index: descriptors of the images, each tagged
//                    by the org.opencontainers.image.ref.name annotation
//   blobs/sha256/<hex>   manifests, configs, layers, nested indexes
//
// Docker schema 2 manifests and manifest lists read the same way, so the
// same code serves registries and `docker save` archives of Docker >= 25.
// Only sha256 digests are supported.
//
// Conversion only: no I/O, thread-compatible, no exceptions escape.
#ifndef BERTH_SERVICES_IMAGED_FORMATS_OCI_LAYOUT_H_
#define BERTH_SERVICES_IMAGED_FORMATS_OCI_LAYOUT_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace berth::imaged::formats {

// Annotation of an index.json entry carrying the image's reference (a tag
// such as "latest", or a full "busybox:latest" as Docker and Podman write).
inline constexpr char kRefNameAnnotation[] =
    "org.opencontainers.image.ref.name";

// A content descriptor. The platform fields are set for the entries of an
// index that name platform-specific manifests, "" otherwise.
//
// Every member has a default initializer, so a partial aggregate such as
// Descriptor{kOciLayerTar, digest, size} compiles under -Wextra -Werror.
struct Descriptor {
  std::string media_type = {};
  std::string digest = {};  // "sha256:<64 lowercase hex>"
  int64_t size = 0;         // bytes of the blob, >= 0
  std::map<std::string, std::string> annotations = {};
  std::string platform_os = {};
  std::string platform_architecture = {};
  std::string platform_variant = {};
};

bool operator==(const Descriptor& a, const Descriptor& b);
inline bool operator!=(const Descriptor& a, const Descriptor& b) {
  return !(a == b);
}

// An image manifest: the config blob and the layer blobs, bottom first.
struct OciManifest {
  // kOciManifest, kDockerManifest, or "" when the document had none (OCI
  // makes it optional; such a manifest is OCI).
  std::string media_type = {};
  Descriptor config = {};
  std::vector<Descriptor> layers = {};
  std::map<std::string, std::string> annotations = {};
};

bool operator==(const OciManifest& a, const OciManifest& b);
inline bool operator!=(const OciManifest& a, const OciManifest& b) {
  return !(a == b);
}

// The "manifests" of index.json or of an image index / Docker manifest list
// blob. schemaVersion must be 2 and a mediaType, if any, an index type.
// Each descriptor needs a mediaType, a sha256 digest and a size >= 0.
// INVALID_ARGUMENT names the field, e.g. `image index: field
// "manifests[0].digest" is not a sha256 digest ...`.
absl::StatusOr<std::vector<Descriptor>> ParseOciIndex(absl::string_view json);

// An OCI image manifest or a Docker schema 2 manifest. schemaVersion must be
// 2; a mediaType naming an index or list is INVALID_ARGUMENT ("is an image
// index, not a manifest"), as is any other unknown mediaType. Digests are
// validated as in ParseOciIndex; layer media types are left to the caller.
absl::StatusOr<OciManifest> ParseOciManifest(absl::string_view json);

// Checks the oci-layout file: {"imageLayoutVersion":"1.0.0"}.
absl::Status CheckOciLayoutFile(absl::string_view json);

// Compact, deterministic JSON in the key order of the OCI Go types:
// {"schemaVersion":2,"mediaType"?,"config","layers","annotations"?}, each
// descriptor {"mediaType","digest","size","annotations"?,"platform"?}.
std::string SerializeOciManifest(const OciManifest& manifest);

// An OCI image index (for index.json):
// {"schemaVersion":2,"mediaType":kOciIndex,"manifests":[...]}.
std::string SerializeOciIndex(const std::vector<Descriptor>& manifests);

// The content of the oci-layout file.
std::string OciLayoutFile();

}  // namespace berth::imaged::formats

#endif  // BERTH_SERVICES_IMAGED_FORMATS_OCI_LAYOUT_H_
