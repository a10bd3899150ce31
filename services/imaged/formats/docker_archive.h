// The metadata files of a `docker save` archive (docker-archive), in both
// layouts `docker load` reads:
//
//   Docker <= 24 (legacy)               Docker >= 25 (OCI layout inside)
//   manifest.json                       manifest.json
//   repositories                        repositories
//   <config hex>.json                   oci-layout, index.json
//   <v1 id>/layer.tar, VERSION, json    blobs/sha256/<hex> (config, layers)
//
// manifest.json names the files of each image by their path in the tar; the
// OCI files are handled by oci_layout.h.
//
// Conversion only: no I/O, thread-compatible, no exceptions escape.
#ifndef BERTH_SERVICES_IMAGED_FORMATS_DOCKER_ARCHIVE_H_
#define BERTH_SERVICES_IMAGED_FORMATS_DOCKER_ARCHIVE_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace berth::imaged::formats {

// One image of manifest.json. Paths are inside the archive, e.g.
// "3f57d9401f8d.json" or "blobs/sha256/3f57d9401f8d...".
// (Default member initializers allow partial aggregates under -Wextra.)
struct DockerManifestEntry {
  std::string config = {};
  // Familiar references, e.g. "busybox:latest"; empty when untagged.
  std::vector<std::string> repo_tags = {};
  // Layer tars, bottom first.
  std::vector<std::string> layers = {};
};

bool operator==(const DockerManifestEntry& a, const DockerManifestEntry& b);
inline bool operator!=(const DockerManifestEntry& a,
                       const DockerManifestEntry& b) {
  return !(a == b);
}

// True for a path that stays inside the archive: relative, non-empty,
// without NUL bytes or a ".." component, naming more than "." ("a/./b" is
// fine, "/abs", "../x", "a/../../x" and "./" are not).
bool IsSafeArchivePath(absl::string_view path);

// Parses manifest.json: an array of {"Config": string, "RepoTags": array of
// strings or null, "Layers": array of strings (null reads as none)}; other
// keys (LayerSources) are ignored. Every path must be relative, non-empty,
// without NUL bytes and without a ".." component (so it cannot name a file
// outside the archive); a bad one is INVALID_ARGUMENT naming it, e.g.
// `manifest.json: field "[0].Layers[1]" must be a relative path inside the
// archive, not "../x"`. Documents over kMaxJsonDocumentSize are rejected.
absl::StatusOr<std::vector<DockerManifestEntry>> ParseDockerManifest(
    absl::string_view json);

// manifest.json as Docker writes it:
// [{"Config":"...","RepoTags":[...] or null,"Layers":[...]}].
std::string SerializeDockerManifest(
    const std::vector<DockerManifestEntry>& entries);

// The "repositories" file: {"busybox":{"latest":"<64 hex>"}}, repositories
// by familiar name ("busybox", "127.0.0.1:5000/app"), each tag naming the v1
// id of the image's top layer directory. Keys are sorted; when a repo and tag
// pair repeats, the last entry wins.
std::string SerializeRepositories(
    const std::vector<
        std::pair<std::string /*familiar repo*/,
                  std::pair<std::string /*tag*/, std::string /*hex id*/>>>&
        entries);

// The "json" file of a legacy layer directory: the v1 image JSON that
// `docker load` ignores and pre-1.10 Docker needed: {"id", "parent" (left
// out when ""), "created", "container_config" (all zero, as Docker writes
// for every layer but the top)}.
std::string SerializeLegacyLayerJson(const std::string& id_hex,
                                     const std::string& parent_hex,
                                     absl::Time created);

// The "VERSION" file of a legacy layer directory.
inline constexpr char kLegacyLayerVersion[] = "1.0";

}  // namespace berth::imaged::formats

#endif  // BERTH_SERVICES_IMAGED_FORMATS_DOCKER_ARCHIVE_H_
