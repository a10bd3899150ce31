// Manifests and indexes as a registry serves them (GET /v2/NAME/manifests/
// REF): Docker schema 2 manifests and manifest lists, OCI manifests and
// indexes. Parsed into structs, validated strictly enough that the puller
// can trust every digest, size and media type it follows, and the entry
// Docker would pull for a platform picked from an index.
//
// formats/oci_layout.h reads the same documents for OCI layouts and `docker
// save` archives; this one also keeps what only a registry pull needs
// (layer urls, os.version) and checks layer and config media types.
//
// Pure functions on values; thread-safe; no exceptions escape.
#ifndef BERTH_SERVICES_IMAGED_REGISTRY_MANIFEST_H_
#define BERTH_SERVICES_IMAGED_REGISTRY_MANIFEST_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/imaged/formats/media_types.h"
#include "services/imaged/registry/platform.h"

namespace berth::imaged::registry {

// Media types beyond formats/media_types.h (which has the manifest, index,
// config and plain/gzip/zstd OCI layer types and Docker's tar and gzip).
// Docker's zstd layer, as containerd and BuildKit write it.
inline constexpr char kDockerLayerTarZstd[] =
    "application/vnd.docker.image.rootfs.diff.tar.zstd";
// Foreign (Windows base) layers: fetched from their urls, never pushed.
inline constexpr char kDockerForeignLayerTarGzip[] =
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
inline constexpr char kOciNondistributableLayerTar[] =
    "application/vnd.oci.image.layer.nondistributable.v1.tar";
inline constexpr char kOciNondistributableLayerTarGzip[] =
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
inline constexpr char kOciNondistributableLayerTarZstd[] =
    "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd";
// Schema 1, which Docker no longer pulls; recognised to say so.
inline constexpr char kDockerSchema1Manifest[] =
    "application/vnd.docker.distribution.manifest.v1+json";
inline constexpr char kDockerSchema1SignedManifest[] =
    "application/vnd.docker.distribution.manifest.v1+prettyjws";

// Largest manifest or index body accepted, as Docker (maxManifestBodySize):
// the client should stop reading a response there.
inline constexpr size_t kMaxManifestBodySize = 4 << 20;

// The Accept header of a manifest GET: the four types Berth pulls.
std::string ManifestAcceptHeader();

bool IsImageManifestType(absl::string_view media_type);
bool IsIndexType(absl::string_view media_type);
bool IsImageConfigType(absl::string_view media_type);

enum class Compression { kNone, kGzip, kZstd };

struct LayerType {
  Compression compression = Compression::kNone;
  // Foreign / non-distributable: fetched from `urls` when the registry has
  // no copy, never pushed.
  bool foreign = false;
};

// The layer type of `media_type`, or nullopt when it is not a layer type
// Berth can unpack.
std::optional<LayerType> ClassifyLayer(absl::string_view media_type);

// A content descriptor.
struct Descriptor {
  std::string media_type;
  std::string digest;  // "sha256:<64 lowercase hex>"
  int64_t size = 0;    // >= 0
  std::vector<std::string> urls;  // http(s) URLs, foreign layers only
  std::map<std::string, std::string> annotations;
  std::optional<Platform> platform;  // index entries only, as given

  bool operator==(const Descriptor& other) const;
};

struct ImageManifest {
  // The document's mediaType; kOciManifest when it had none (OCI makes it
  // optional).
  std::string media_type;
  Descriptor config;
  std::vector<Descriptor> layers;  // base first
  std::map<std::string, std::string> annotations;
};

struct ImageIndex {
  // The document's mediaType; kOciIndex when it had none.
  std::string media_type;
  std::vector<Descriptor> manifests;
  std::map<std::string, std::string> annotations;
};

// Checks "sha256:" + 64 lowercase hex, with Docker's messages:
// INVALID_ARGUMENT "unsupported digest algorithm", "invalid checksum digest
// length", "invalid checksum digest format".
absl::Status ValidateDigest(absl::string_view digest);

// What a manifest GET returned: the body's "mediaType" when it has one,
// else the Content-Type header without parameters, else by shape (an OCI
// document with "manifests" is an index, else a manifest).
// UNIMPLEMENTED for schema 1 (Docker's message says it was removed);
// INVALID_ARGUMENT when the body is not a JSON object or the type is
// neither a manifest nor an index ("unsupported manifest media type ...").
absl::StatusOr<std::string> ManifestMediaType(absl::string_view body,
                                              absl::string_view content_type);

// Parses and validates an image manifest: schemaVersion 2; mediaType, if
// any, a manifest type; a config of an image config type; layers of
// ClassifyLayer's types; every descriptor with a media type, a valid digest
// and a size >= 0; urls only http(s). INVALID_ARGUMENT naming the field:
// `manifest: field "layers[1].digest": invalid checksum digest length`.
// Bodies over kMaxManifestBodySize are refused unparsed.
absl::StatusOr<ImageManifest> ParseImageManifest(absl::string_view body);

// As ParseImageManifest for an index or manifest list: "manifests" entries
// with a media type, digest and size; a platform, if given, with os and
// architecture.
absl::StatusOr<ImageIndex> ParseImageIndex(absl::string_view body);

// The index entry Docker pulls for `wanted` (HostPlatform() by default):
// the entry whose platform ranks best by PlatformRank, the earliest on a
// tie; entries without a platform come after every ranked one.
// NOT_FOUND: "no matching manifest for linux/amd64 in the manifest list
// entries (available: linux/arm64/v8, linux/arm/v7)".
absl::StatusOr<Descriptor> SelectManifest(const ImageIndex& index,
                                          const Platform& wanted);

}  // namespace berth::imaged::registry

#endif  // BERTH_SERVICES_IMAGED_REGISTRY_MANIFEST_H_
