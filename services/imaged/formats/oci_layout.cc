#include "services/imaged/formats/oci_layout.h"

#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/sha256.h"
#include "common/status_macros.h"
#include "services/imaged/formats/json_util.h"
#include "services/imaged/formats/media_types.h"

namespace berth::imaged::formats {
namespace {

using internal::Json;
using internal::ObjectReader;
using internal::OrderedJson;

constexpr char kLayoutVersion[] = "1.0.0";

absl::Status CheckSchemaVersion(const ObjectReader& top) {
  if (!top.Has("schemaVersion"))
    return top.Error("schemaVersion", "is missing");
  int64_t version = 0;
  RETURN_IF_ERROR(top.Int64("schemaVersion", &version));
  if (version != 2) {
    return top.Error("schemaVersion", absl::StrCat("must be 2, not ", version));
  }
  return absl::OkStatus();
}

absl::StatusOr<Descriptor> ParseDescriptor(const Json& value,
                                           absl::string_view what,
                                           std::string path) {
  ASSIGN_OR_RETURN(ObjectReader reader,
                   ObjectReader::Open(value, what, std::move(path)));
  Descriptor descriptor;
  RETURN_IF_ERROR(reader.RequiredString("mediaType", &descriptor.media_type));
  RETURN_IF_ERROR(reader.RequiredString("digest", &descriptor.digest));
  if (!IsSha256Digest(descriptor.digest)) {
    return reader.Error(
        "digest", absl::StrCat("is not a sha256 digest (\"sha256:\" and 64 "
                               "lowercase hex digits): ",
                               internal::QuoteForError(descriptor.digest)));
  }
  if (reader.Find("size") == nullptr) return reader.Error("size", "is missing");
  RETURN_IF_ERROR(reader.Int64("size", &descriptor.size));
  if (descriptor.size < 0) return reader.Error("size", "must not be negative");
  RETURN_IF_ERROR(reader.StringMap("annotations", &descriptor.annotations));
  std::optional<ObjectReader> platform;
  RETURN_IF_ERROR(reader.Object("platform", &platform));
  if (platform.has_value()) {
    RETURN_IF_ERROR(platform->String("os", &descriptor.platform_os));
    RETURN_IF_ERROR(
        platform->String("architecture", &descriptor.platform_architecture));
    RETURN_IF_ERROR(platform->String("variant", &descriptor.platform_variant));
  }
  return descriptor;
}

// The descriptors of the array at `key`, which must be there (null reads
// as empty).
absl::Status ParseDescriptors(const ObjectReader& top, const char* key,
                              std::vector<Descriptor>* out) {
  if (!top.Has(key)) return top.Error(key, "is missing");
  const Json* array = nullptr;
  RETURN_IF_ERROR(top.Array(key, &array));
  if (array == nullptr) return absl::OkStatus();
  for (size_t i = 0; i < array->size(); ++i) {
    ASSIGN_OR_RETURN(
        Descriptor descriptor,
        ParseDescriptor((*array)[i], top.what(),
                        top.FieldPath(absl::StrCat(key, "[", i, "]"))));
    out->push_back(std::move(descriptor));
  }
  return absl::OkStatus();
}

OrderedJson DescriptorJson(const Descriptor& descriptor) {
  OrderedJson json = OrderedJson::object();
  json["mediaType"] = descriptor.media_type;
  json["digest"] = descriptor.digest;
  json["size"] = descriptor.size;
  if (!descriptor.annotations.empty()) {
    OrderedJson annotations = OrderedJson::object();
    for (const auto& [key, value] : descriptor.annotations) {
      annotations[key] = value;
    }
    json["annotations"] = std::move(annotations);
  }
  if (!descriptor.platform_os.empty() ||
      !descriptor.platform_architecture.empty() ||
      !descriptor.platform_variant.empty()) {
    OrderedJson platform = OrderedJson::object();
    platform["architecture"] = descriptor.platform_architecture;
    platform["os"] = descriptor.platform_os;
    if (!descriptor.platform_variant.empty()) {
      platform["variant"] = descriptor.platform_variant;
    }
    json["platform"] = std::move(platform);
  }
  return json;
}

}  // namespace

bool operator==(const Descriptor& a, const Descriptor& b) {
  return a.media_type == b.media_type && a.digest == b.digest &&
         a.size == b.size && a.annotations == b.annotations &&
         a.platform_os == b.platform_os &&
         a.platform_architecture == b.platform_architecture &&
         a.platform_variant == b.platform_variant;
}

bool operator==(const OciManifest& a, const OciManifest& b) {
  return a.media_type == b.media_type && a.config == b.config &&
         a.layers == b.layers && a.annotations == b.annotations;
}

absl::StatusOr<std::vector<Descriptor>> ParseOciIndex(absl::string_view json) {
  constexpr char kWhat[] = "image index";
  ASSIGN_OR_RETURN(Json root, internal::ParseJson(json, kWhat));
  ASSIGN_OR_RETURN(ObjectReader top, ObjectReader::Open(root, kWhat, ""));
  RETURN_IF_ERROR(CheckSchemaVersion(top));
  std::string media_type;
  RETURN_IF_ERROR(top.String("mediaType", &media_type));
  if (!media_type.empty() && media_type != kOciIndex &&
      media_type != kDockerManifestList) {
    return top.Error("mediaType",
                     absl::StrCat("is not an image index type: ",
                                  internal::QuoteForError(media_type)));
  }
  std::vector<Descriptor> manifests;
  RETURN_IF_ERROR(ParseDescriptors(top, "manifests", &manifests));
  return manifests;
}

absl::StatusOr<OciManifest> ParseOciManifest(absl::string_view json) {
  constexpr char kWhat[] = "image manifest";
  ASSIGN_OR_RETURN(Json root, internal::ParseJson(json, kWhat));
  ASSIGN_OR_RETURN(ObjectReader top, ObjectReader::Open(root, kWhat, ""));
  RETURN_IF_ERROR(CheckSchemaVersion(top));
  OciManifest manifest;
  RETURN_IF_ERROR(top.String("mediaType", &manifest.media_type));
  const std::string& type = manifest.media_type;
  if (type == kOciIndex || type == kDockerManifestList) {
    return top.Error("mediaType",
                     absl::StrCat("is ", internal::QuoteForError(type),
                                  ": an image index, not a manifest"));
  }
  if (!type.empty() && type != kOciManifest && type != kDockerManifest) {
    return top.Error("mediaType",
                     absl::StrCat("is not an image manifest type: ",
                                  internal::QuoteForError(type)));
  }
  const Json* config = top.Find("config");
  if (config == nullptr) return top.Error("config", "is missing");
  ASSIGN_OR_RETURN(manifest.config, ParseDescriptor(*config, kWhat, "config"));
  RETURN_IF_ERROR(ParseDescriptors(top, "layers", &manifest.layers));
  RETURN_IF_ERROR(top.StringMap("annotations", &manifest.annotations));
  return manifest;
}

absl::Status CheckOciLayoutFile(absl::string_view json) {
  constexpr char kWhat[] = "oci-layout";
  ASSIGN_OR_RETURN(Json root, internal::ParseJson(json, kWhat));
  ASSIGN_OR_RETURN(ObjectReader top, ObjectReader::Open(root, kWhat, ""));
  std::string version;
  RETURN_IF_ERROR(top.RequiredString("imageLayoutVersion", &version));
  if (version != kLayoutVersion) {
    return top.Error(
        "imageLayoutVersion",
        absl::StrCat("is ", internal::QuoteForError(version), "; only \"",
                     kLayoutVersion, "\" is supported"));
  }
  return absl::OkStatus();
}

std::string SerializeOciManifest(const OciManifest& manifest) {
  OrderedJson json = OrderedJson::object();
  json["schemaVersion"] = 2;
  if (!manifest.media_type.empty()) json["mediaType"] = manifest.media_type;
  json["config"] = DescriptorJson(manifest.config);
  OrderedJson layers = OrderedJson::array();
  for (const Descriptor& layer : manifest.layers) {
    layers.push_back(DescriptorJson(layer));
  }
  json["layers"] = std::move(layers);
  if (!manifest.annotations.empty()) {
    OrderedJson annotations = OrderedJson::object();
    for (const auto& [key, value] : manifest.annotations) {
      annotations[key] = value;
    }
    json["annotations"] = std::move(annotations);
  }
  return internal::DumpJson(json);
}

std::string SerializeOciIndex(const std::vector<Descriptor>& manifests) {
  OrderedJson json = OrderedJson::object();
  json["schemaVersion"] = 2;
  json["mediaType"] = kOciIndex;
  OrderedJson list = OrderedJson::array();
  for (const Descriptor& manifest : manifests) {
    list.push_back(DescriptorJson(manifest));
  }
  json["manifests"] = std::move(list);
  return internal::DumpJson(json);
}

std::string OciLayoutFile() {
  return absl::StrCat("{\"imageLayoutVersion\":\"", kLayoutVersion, "\"}");
}

}  // namespace berth::imaged::formats
