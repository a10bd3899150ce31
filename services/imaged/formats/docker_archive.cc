#include "services/imaged/formats/docker_archive.h"

#include <map>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status_macros.h"
#include "services/imaged/formats/json_util.h"

namespace berth::imaged::formats {
namespace {

using internal::Json;
using internal::ObjectReader;
using internal::OrderedJson;

constexpr char kWhat[] = "manifest.json";

absl::Status CheckPath(const ObjectReader& entry, absl::string_view key,
                       const std::string& path) {
  if (IsSafeArchivePath(path)) return absl::OkStatus();
  return entry.Error(key, absl::StrCat("must be a relative path inside the "
                                       "archive, not ",
                                       internal::QuoteForError(path)));
}

absl::StatusOr<DockerManifestEntry> ParseEntry(const Json& value,
                                               size_t index) {
  ASSIGN_OR_RETURN(
      ObjectReader entry,
      ObjectReader::Open(value, kWhat, absl::StrCat("[", index, "]")));
  DockerManifestEntry result;
  RETURN_IF_ERROR(entry.RequiredString("Config", &result.config));
  RETURN_IF_ERROR(CheckPath(entry, "Config", result.config));
  RETURN_IF_ERROR(entry.StringList("RepoTags", &result.repo_tags));
  // An image without layers has "Layers": null (Go's nil slice), but a
  // missing key means this is not a docker-archive manifest.
  if (!entry.Has("Layers")) return entry.Error("Layers", "is missing");
  RETURN_IF_ERROR(entry.StringList("Layers", &result.layers));
  for (size_t i = 0; i < result.layers.size(); ++i) {
    RETURN_IF_ERROR(
        CheckPath(entry, absl::StrCat("Layers[", i, "]"), result.layers[i]));
  }
  return result;
}

OrderedJson StringArray(const std::vector<std::string>& values) {
  OrderedJson array = OrderedJson::array();
  for (const std::string& value : values) array.push_back(value);
  return array;
}

}  // namespace

bool operator==(const DockerManifestEntry& a, const DockerManifestEntry& b) {
  return a.config == b.config && a.repo_tags == b.repo_tags &&
         a.layers == b.layers;
}

bool IsSafeArchivePath(absl::string_view path) {
  if (path.empty() || path.front() == '/' || absl::StrContains(path, '\0')) {
    return false;
  }
  bool names_something = false;
  for (absl::string_view part : absl::StrSplit(path, '/')) {
    if (part == "..") return false;
    if (!part.empty() && part != ".") names_something = true;
  }
  return names_something;
}

absl::StatusOr<std::vector<DockerManifestEntry>> ParseDockerManifest(
    absl::string_view json) {
  ASSIGN_OR_RETURN(Json root, internal::ParseJson(json, kWhat));
  if (!root.is_array()) {
    return absl::InvalidArgumentError(absl::StrCat(
        kWhat, ": must be a JSON array, not ", internal::TypeName(root)));
  }
  std::vector<DockerManifestEntry> entries;
  entries.reserve(root.size());
  for (size_t i = 0; i < root.size(); ++i) {
    ASSIGN_OR_RETURN(DockerManifestEntry entry, ParseEntry(root[i], i));
    entries.push_back(std::move(entry));
  }
  return entries;
}

std::string SerializeDockerManifest(
    const std::vector<DockerManifestEntry>& entries) {
  OrderedJson json = OrderedJson::array();
  for (const DockerManifestEntry& entry : entries) {
    OrderedJson object = OrderedJson::object();
    object["Config"] = entry.config;
    // Docker writes null for an untagged image.
    object["RepoTags"] =
        entry.repo_tags.empty() ? OrderedJson() : StringArray(entry.repo_tags);
    object["Layers"] = StringArray(entry.layers);
    json.push_back(std::move(object));
  }
  return internal::DumpJson(json);
}

std::string SerializeRepositories(
    const std::vector<
        std::pair<std::string, std::pair<std::string, std::string>>>& entries) {
  std::map<std::string, std::map<std::string, std::string>> repositories;
  for (const auto& [repo, tag_and_id] : entries) {
    repositories[repo][tag_and_id.first] = tag_and_id.second;
  }
  OrderedJson json = OrderedJson::object();
  for (const auto& [repo, tags] : repositories) {
    OrderedJson tag_object = OrderedJson::object();
    for (const auto& [tag, id] : tags) tag_object[tag] = id;
    json[repo] = std::move(tag_object);
  }
  return internal::DumpJson(json);
}

std::string SerializeLegacyLayerJson(const std::string& id_hex,
                                     const std::string& parent_hex,
                                     absl::Time created) {
  OrderedJson json = OrderedJson::object();
  json["id"] = id_hex;
  if (!parent_hex.empty()) json["parent"] = parent_hex;
  json["created"] = internal::FormatTime(created);
  // Docker's zero container.Config, field for field.
  OrderedJson config = OrderedJson::object();
  for (const char* key : {"Hostname", "Domainname", "User"}) config[key] = "";
  for (const char* key : {"AttachStdin", "AttachStdout", "AttachStderr", "Tty",
                          "OpenStdin", "StdinOnce"}) {
    config[key] = false;
  }
  config["Env"] = nullptr;
  config["Cmd"] = nullptr;
  config["Image"] = "";
  config["Volumes"] = nullptr;
  config["WorkingDir"] = "";
  config["Entrypoint"] = nullptr;
  config["OnBuild"] = nullptr;
  config["Labels"] = nullptr;
  json["container_config"] = std::move(config);
  return internal::DumpJson(json);
}

}  // namespace berth::imaged::formats
