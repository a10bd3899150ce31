// The image config JSON: OCI's "application/vnd.oci.image.config.v1+json",
// which is also Docker's "application/vnd.docker.container.image.v1+json".
// Its sha256 digest is the image id, so SerializeImageConfig is deterministic.
//
// Conversion only: no I/O, thread-compatible, no exceptions escape.
#ifndef BERTH_SERVICES_IMAGED_FORMATS_IMAGE_CONFIG_H_
#define BERTH_SERVICES_IMAGED_FORMATS_IMAGE_CONFIG_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "berth/image/v1/image_types.pb.h"

namespace berth::imaged::formats {

// One entry of the config's "history", oldest first.
struct ConfigHistory {
  // absl::InfinitePast() means the entry has no "created" (some builders
  // leave it out); it is then not written either.
  absl::Time created = absl::InfinitePast();
  std::string created_by = {};
  std::string author = {};
  std::string comment = {};
  // The step made no layer (it has no entry in diff_ids).
  bool empty_layer = false;
};

bool operator==(const ConfigHistory& a, const ConfigHistory& b);
inline bool operator!=(const ConfigHistory& a, const ConfigHistory& b) {
  return !(a == b);
}

// An image config document. Keys the format has but Berth does not keep
// (container_config, os.features, Docker's Hostname/Tty/... in "config")
// are dropped on parse.
struct ImageConfigDoc {
  std::string architecture;  // "amd64", "arm64"
  std::string os;            // "linux"
  std::string variant;       // "v8"; "" when not applicable
  std::string os_version;    // "os.version"
  absl::Time created;
  bool has_created = false;
  std::string author;
  std::string comment;
  std::string container;  // id of the container a commit was made from
  std::string docker_version;
  // The "config" object. ExposedPorts and Volumes are JSON objects, so they
  // come back from a parse sorted and without duplicates.
  image::v1::ImageConfig config;
  // rootfs.diff_ids: "sha256:<hex>" of each uncompressed layer, bottom first.
  std::vector<std::string> diff_ids;
  std::vector<ConfigHistory> history;
};

// Parses an image config. Strict on the types of the fields it knows
// (a wrong type is INVALID_ARGUMENT naming the field, e.g.
// `image config: field "config.Env" must be an array of strings, not
// string`), tolerant of keys it does not know. JSON null reads as absent.
// rootfs.type must be "layers" and every diff_id "sha256:<64 lowercase hex>".
// Documents over kMaxJsonDocumentSize are INVALID_ARGUMENT.
absl::StatusOr<ImageConfigDoc> ParseImageConfig(absl::string_view json);

// Compact JSON with Docker's key order: "architecture", "author", "comment",
// "config" {"User", "ExposedPorts" {"80/tcp": {}}, "Env", "Entrypoint",
// "Cmd", "Volumes" {"/data": {}}, "WorkingDir", "Labels", "StopSignal",
// "Healthcheck" {"Test", "Interval" (ns), "Timeout", "StartPeriod",
// "StartInterval", "Retries"}, "Shell", "OnBuild", "ArgsEscaped"},
// "container", "created", "docker_version", "history", "os", "os.version",
// "rootfs" {"type": "layers", "diff_ids"}, "variant". Empty optional fields
// are left out; "architecture", "os", "config" and "rootfs" are always
// written. Maps and sets are sorted, so the same doc gives the same bytes and
// ParseImageConfig(SerializeImageConfig(doc)) gives back `doc`, up to what
// JSON cannot hold: ExposedPorts and Volumes come back sorted and unique,
// times cut to nanoseconds and clamped to years 0001..9999, and zero
// healthcheck durations unset.
std::string SerializeImageConfig(const ImageConfigDoc& doc);

}  // namespace berth::imaged::formats

#endif  // BERTH_SERVICES_IMAGED_FORMATS_IMAGE_CONFIG_H_
