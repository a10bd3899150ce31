#include "services/imaged/registry/manifest.h"

#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "nlohmann/json.hpp"

namespace berth::imaged::registry {
namespace {

using Json = nlohmann::json;
namespace mt = ::berth::imaged::formats;

// `text` quoted for an error, cut so hostile input cannot bloat it.
std::string Quote(absl::string_view text) {
  if (text.size() > 128) {
    return absl::StrCat("\"", absl::CEscape(text.substr(0, 128)), "...\"");
  }
  return absl::StrCat("\"", absl::CEscape(text), "\"");
}

const char* TypeName(const Json& value) { return value.type_name(); }

// Reads the fields of one JSON object; errors name the field by its path
// in the document: `manifest: field "layers[2].size": ...`.
class Fields {
 public:
  Fields(const Json& object, const char* what, std::string path)
      : object_(object), what_(what), path_(std::move(path)) {}

  std::string Path(absl::string_view key) const {
    return path_.empty() ? std::string(key) : absl::StrCat(path_, ".", key);
  }
  absl::Status Error(absl::string_view key, absl::string_view message) const {
    return absl::InvalidArgumentError(
        absl::StrCat(what_, ": field \"", Path(key), "\": ", message));
  }
  // The value at `key`; nullptr when absent or null.
  const Json* Find(const char* key) const {
    auto it = object_.find(key);
    return it == object_.end() || it->is_null() ? nullptr : &*it;
  }
  absl::Status String(const char* key, std::string* out, bool required) const {
    const Json* value = Find(key);
    if (value == nullptr) {
      return required ? Error(key, "is required") : absl::OkStatus();
    }
    if (!value->is_string()) {
      return Error(key, absl::StrCat("must be a string, not ", TypeName(*value)));
    }
    *out = value->get<std::string>();
    if (required && out->empty()) return Error(key, "is required");
    return absl::OkStatus();
  }
  absl::Status StringList(const char* key, std::vector<std::string>* out) const {
    const Json* value = Find(key);
    if (value == nullptr) return absl::OkStatus();
    if (!value->is_array()) return Error(key, "must be an array of strings");
    for (const Json& item : *value) {
      if (!item.is_string()) return Error(key, "must be an array of strings");
      out->push_back(item.get<std::string>());
    }
    return absl::OkStatus();
  }
  absl::Status StringMap(const char* key,
                         std::map<std::string, std::string>* out) const {
    const Json* value = Find(key);
    if (value == nullptr) return absl::OkStatus();
    if (!value->is_object()) return Error(key, "must be an object of strings");
    for (const auto& [name, item] : value->items()) {
      if (!item.is_string()) return Error(key, "must be an object of strings");
      (*out)[name] = item.get<std::string>();
    }
    return absl::OkStatus();
  }
  absl::Status SchemaVersion() const {
    const Json* value = Find("schemaVersion");
    if (value == nullptr) return Error("schemaVersion", "is required");
    if (!value->is_number_integer() || value->get<int64_t>() != 2) {
      return Error("schemaVersion",
                   absl::StrCat("must be 2, not ", value->dump()));
    }
    return absl::OkStatus();
  }
  const char* what() const { return what_; }

 private:
  const Json& object_;
  const char* what_;
  std::string path_;
};

absl::StatusOr<Json> ParseObject(absl::string_view body, const char* what) {
  if (body.size() > kMaxManifestBodySize) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": body is ", body.size(),
                     " bytes, more than the limit of ", kMaxManifestBodySize));
  }
  // nlohmann 3.11 parses and destroys iteratively, so deep nesting cannot
  // exhaust the stack; no exceptions, so a bad body is just "discarded".
  Json json = Json::parse(body.begin(), body.end(), nullptr, false);
  if (json.is_discarded()) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": invalid JSON"));
  }
  if (!json.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": must be a JSON object, not ", TypeName(json)));
  }
  return json;
}

absl::StatusOr<Platform> ParsePlatformField(const Fields& parent,
                                            const Json& value) {
  const std::string path = parent.Path("platform");
  if (!value.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(
        parent.what(), ": field \"", path, "\": must be an object"));
  }
  Fields fields(value, parent.what(), path);
  Platform platform;
  RETURN_IF_ERROR(fields.String("os", &platform.os, /*required=*/true));
  RETURN_IF_ERROR(
      fields.String("architecture", &platform.architecture, /*required=*/true));
  RETURN_IF_ERROR(fields.String("variant", &platform.variant, false));
  RETURN_IF_ERROR(fields.String("os.version", &platform.os_version, false));
  RETURN_IF_ERROR(fields.StringList("os.features", &platform.os_features));
  return platform;
}

absl::StatusOr<Descriptor> ParseDescriptor(const Json& value, const char* what,
                                           const std::string& path) {
  if (!value.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": field \"", path, "\": must be an object"));
  }
  Fields fields(value, what, path);
  Descriptor descriptor;
  RETURN_IF_ERROR(
      fields.String("mediaType", &descriptor.media_type, /*required=*/true));
  RETURN_IF_ERROR(
      fields.String("digest", &descriptor.digest, /*required=*/true));
  if (absl::Status status = ValidateDigest(descriptor.digest); !status.ok()) {
    return fields.Error("digest", absl::StrCat(status.message(), " (",
                                               Quote(descriptor.digest), ")"));
  }
  const Json* size = fields.Find("size");
  if (size == nullptr) return fields.Error("size", "is required");
  if (!size->is_number_integer() ||
      (!size->is_number_unsigned() && size->get<int64_t>() < 0) ||
      (size->is_number_unsigned() &&
       size->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))) {
    return fields.Error("size", absl::StrCat("must be an integer >= 0, not ",
                                             size->dump()));
  }
  descriptor.size = size->get<int64_t>();
  RETURN_IF_ERROR(fields.StringList("urls", &descriptor.urls));
  for (const std::string& url : descriptor.urls) {
    const std::string lower = absl::AsciiStrToLower(url);
    if (!absl::StartsWith(lower, "https://") &&
        !absl::StartsWith(lower, "http://")) {
      return fields.Error("urls", absl::StrCat("has ", Quote(url),
                                               ", not an http or https URL"));
    }
  }
  RETURN_IF_ERROR(fields.StringMap("annotations", &descriptor.annotations));
  if (const Json* platform = fields.Find("platform"); platform != nullptr) {
    ASSIGN_OR_RETURN(descriptor.platform, ParsePlatformField(fields, *platform));
  }
  return descriptor;
}

absl::Status ParseDescriptorList(const Fields& fields, const char* key,
                                 std::vector<Descriptor>* out) {
  const Json* list = fields.Find(key);
  if (list == nullptr) return fields.Error(key, "is required");
  if (!list->is_array()) return fields.Error(key, "must be an array");
  for (size_t i = 0; i < list->size(); ++i) {
    ASSIGN_OR_RETURN(
        Descriptor descriptor,
        ParseDescriptor((*list)[i], fields.what(), absl::StrCat(key, "[", i, "]")));
    out->push_back(std::move(descriptor));
  }
  return absl::OkStatus();
}

std::string PlatformOrNone(const Descriptor& entry) {
  return entry.platform ? NormalizePlatform(*entry.platform).String()
                        : std::string("(no platform)");
}

}  // namespace

bool Descriptor::operator==(const Descriptor& other) const {
  return media_type == other.media_type && digest == other.digest &&
         size == other.size && urls == other.urls &&
         annotations == other.annotations && platform == other.platform;
}

std::string ManifestAcceptHeader() {
  return absl::StrJoin({mt::kOciIndex, mt::kOciManifest,
                        mt::kDockerManifestList, mt::kDockerManifest},
                       ", ");
}

bool IsImageManifestType(absl::string_view media_type) {
  return media_type == mt::kOciManifest || media_type == mt::kDockerManifest;
}

bool IsIndexType(absl::string_view media_type) {
  return media_type == mt::kOciIndex || media_type == mt::kDockerManifestList;
}

bool IsImageConfigType(absl::string_view media_type) {
  return media_type == mt::kOciConfig || media_type == mt::kDockerConfig;
}

std::optional<LayerType> ClassifyLayer(absl::string_view media_type) {
  static const auto* const kTypes = new std::map<absl::string_view, LayerType>{
      {mt::kOciLayerTar, {Compression::kNone, false}},
      {mt::kOciLayerTarGzip, {Compression::kGzip, false}},
      {mt::kOciLayerTarZstd, {Compression::kZstd, false}},
      {mt::kDockerLayerTar, {Compression::kNone, false}},
      {mt::kDockerLayerTarGzip, {Compression::kGzip, false}},
      {kDockerLayerTarZstd, {Compression::kZstd, false}},
      {kDockerForeignLayerTarGzip, {Compression::kGzip, true}},
      {kOciNondistributableLayerTar, {Compression::kNone, true}},
      {kOciNondistributableLayerTarGzip, {Compression::kGzip, true}},
      {kOciNondistributableLayerTarZstd, {Compression::kZstd, true}},
  };
  auto it = kTypes->find(media_type);
  if (it == kTypes->end()) return std::nullopt;
  return it->second;
}

absl::Status ValidateDigest(absl::string_view digest) {
  const size_t colon = digest.find(':');
  if (colon == absl::string_view::npos || colon == 0) {
    return absl::InvalidArgumentError("invalid checksum digest format");
  }
  if (digest.substr(0, colon) != "sha256") {
    return absl::InvalidArgumentError("unsupported digest algorithm");
  }
  absl::string_view hex = digest.substr(colon + 1);
  if (hex.size() != 64) {
    return absl::InvalidArgumentError("invalid checksum digest length");
  }
  for (char c : hex) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c)) &&
        (c < 'a' || c > 'f')) {
      return absl::InvalidArgumentError("invalid checksum digest format");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ManifestMediaType(absl::string_view body,
                                              absl::string_view content_type) {
  ASSIGN_OR_RETURN(Json json, ParseObject(body, "manifest"));
  std::string type;
  if (auto it = json.find("mediaType"); it != json.end() && it->is_string()) {
    type = it->get<std::string>();
  }
  if (type.empty()) {
    type = absl::AsciiStrToLower(absl::StripAsciiWhitespace(
        content_type.substr(0, content_type.find(';'))));
  }
  // Schema 1 bodies carry schemaVersion 1 and no mediaType; registries
  // often send them as application/json.
  if (auto it = json.find("schemaVersion");
      it != json.end() && it->is_number_integer() && it->get<int64_t>() == 1) {
    type = kDockerSchema1Manifest;
  }
  if (type.empty() || type == "application/json" ||
      type == "application/octet-stream") {
    type = json.contains("manifests") ? mt::kOciIndex : mt::kOciManifest;
  }
  if (type == kDockerSchema1Manifest || type == kDockerSchema1SignedManifest) {
    return absl::UnimplementedError(
        "Docker Image manifest version 2, schema 1 is not supported (Docker "
        "removed it too); push the image again with a current client");
  }
  if (!IsImageManifestType(type) && !IsIndexType(type)) {
    return absl::InvalidArgumentError(
        absl::StrCat("unsupported manifest media type ", Quote(type)));
  }
  return type;
}

absl::StatusOr<ImageManifest> ParseImageManifest(absl::string_view body) {
  constexpr char kWhat[] = "manifest";
  ASSIGN_OR_RETURN(Json json, ParseObject(body, kWhat));
  Fields fields(json, kWhat, "");
  RETURN_IF_ERROR(fields.SchemaVersion());
  ImageManifest manifest;
  RETURN_IF_ERROR(fields.String("mediaType", &manifest.media_type, false));
  if (manifest.media_type.empty()) manifest.media_type = mt::kOciManifest;
  if (IsIndexType(manifest.media_type)) {
    return fields.Error("mediaType", "is an image index, not a manifest");
  }
  if (!IsImageManifestType(manifest.media_type)) {
    return fields.Error("mediaType", absl::StrCat("unsupported manifest type ",
                                                  Quote(manifest.media_type)));
  }
  const Json* config = fields.Find("config");
  if (config == nullptr) return fields.Error("config", "is required");
  ASSIGN_OR_RETURN(manifest.config, ParseDescriptor(*config, kWhat, "config"));
  if (!IsImageConfigType(manifest.config.media_type)) {
    return fields.Error("config.mediaType",
                        absl::StrCat(Quote(manifest.config.media_type),
                                     " is not an image config (an artifact, "
                                     "not an image?)"));
  }
  RETURN_IF_ERROR(ParseDescriptorList(fields, "layers", &manifest.layers));
  for (size_t i = 0; i < manifest.layers.size(); ++i) {
    const Descriptor& layer = manifest.layers[i];
    if (!ClassifyLayer(layer.media_type)) {
      return fields.Error(absl::StrCat("layers[", i, "].mediaType"),
                          absl::StrCat("unsupported layer type ",
                                       Quote(layer.media_type)));
    }
  }
  RETURN_IF_ERROR(fields.StringMap("annotations", &manifest.annotations));
  return manifest;
}

absl::StatusOr<ImageIndex> ParseImageIndex(absl::string_view body) {
  constexpr char kWhat[] = "image index";
  ASSIGN_OR_RETURN(Json json, ParseObject(body, kWhat));
  Fields fields(json, kWhat, "");
  RETURN_IF_ERROR(fields.SchemaVersion());
  ImageIndex index;
  RETURN_IF_ERROR(fields.String("mediaType", &index.media_type, false));
  if (index.media_type.empty()) index.media_type = mt::kOciIndex;
  if (IsImageManifestType(index.media_type)) {
    return fields.Error("mediaType", "is an image manifest, not an index");
  }
  if (!IsIndexType(index.media_type)) {
    return fields.Error("mediaType", absl::StrCat("unsupported index type ",
                                                  Quote(index.media_type)));
  }
  RETURN_IF_ERROR(
      ParseDescriptorList(fields, "manifests", &index.manifests));
  RETURN_IF_ERROR(fields.StringMap("annotations", &index.annotations));
  return index;
}

absl::StatusOr<Descriptor> SelectManifest(const ImageIndex& index,
                                          const Platform& wanted) {
  const Descriptor* best = nullptr;
  int best_rank = -1;
  // Docker keeps entries without a platform, after every ranked one.
  const int unranked = static_cast<int>(CompatiblePlatforms(wanted).size());
  for (const Descriptor& entry : index.manifests) {
    const int rank =
        entry.platform ? PlatformRank(wanted, *entry.platform) : unranked;
    if (rank >= 0 && (best == nullptr || rank < best_rank)) {
      best = &entry;
      best_rank = rank;
    }
  }
  if (best != nullptr) return *best;
  std::vector<std::string> available;
  std::set<std::string> seen;
  for (const Descriptor& entry : index.manifests) {
    std::string name = PlatformOrNone(entry);
    // BuildKit's attestation manifests are not images anyone could pick.
    if (name == "unknown/unknown") continue;
    if (seen.insert(name).second) available.push_back(std::move(name));
  }
  return absl::NotFoundError(absl::StrCat(
      "no matching manifest for ", NormalizePlatform(wanted).String(),
      " in the manifest list entries (available: ",
      available.empty() ? "none" : absl::StrJoin(available, ", "), ")"));
}

}  // namespace berth::imaged::registry
