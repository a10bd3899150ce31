#include "services/imaged/registry/credentials.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/fs_util.h"
#include "common/status_macros.h"
#include "nlohmann/json.hpp"

namespace berth::imaged::registry {
namespace {

using OrderedJson = nlohmann::ordered_json;

constexpr int64_t kMaxConfigFileSize = 16 << 20;

bool IsDockerHub(absl::string_view registry) {
  return registry == "docker.io" || registry == "index.docker.io" ||
         registry == "registry-1.docker.io";
}

// Errors quote keys (registry addresses) only, never values.
absl::Status EntryError(absl::string_view key, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(
      "config file: auths entry \"", absl::CEscape(key.substr(0, 256)), "\" ",
      what));
}

absl::Status StringField(const nlohmann::json& entry, absl::string_view key,
                         const char* field, std::string* out) {
  auto it = entry.find(field);
  if (it == entry.end() || it->is_null()) return absl::OkStatus();
  if (!it->is_string()) {
    return EntryError(key, absl::StrCat("field \"", field, "\" is not a string"));
  }
  *out = it->get<std::string>();
  return absl::OkStatus();
}

absl::StatusOr<AuthEntry> ParseEntry(absl::string_view key,
                                     const nlohmann::json& value) {
  if (!value.is_object()) return EntryError(key, "is not an object");
  AuthEntry entry;
  std::string auth;
  RETURN_IF_ERROR(StringField(value, key, "auth", &auth));
  RETURN_IF_ERROR(StringField(value, key, "username", &entry.username));
  RETURN_IF_ERROR(StringField(value, key, "password", &entry.password));
  RETURN_IF_ERROR(
      StringField(value, key, "identitytoken", &entry.identity_token));
  if (!auth.empty()) {
    std::string decoded;
    if (!absl::Base64Unescape(auth, &decoded)) {
      return EntryError(key, "has an \"auth\" field that is not base64");
    }
    const size_t colon = decoded.find(':');
    if (colon == std::string::npos || colon == 0) {
      return EntryError(key, "has an \"auth\" field that is not user:password");
    }
    entry.username = decoded.substr(0, colon);
    // Docker trims the NULs some old clients padded the password with.
    const std::string password = decoded.substr(colon + 1);
    const size_t first = password.find_first_not_of('\0');
    entry.password = first == std::string::npos
                         ? std::string()
                         : password.substr(
                               first, password.find_last_not_of('\0') - first + 1);
  }
  return entry;
}

// Matches FindAuth's second rule: the key's host is the registry's.
bool HostMatches(absl::string_view key, absl::string_view registry) {
  const std::string host = AuthKeyHost(key);
  if (IsDockerHub(registry)) return host == "index.docker.io" || host == "docker.io";
  return host == registry;
}

}  // namespace

absl::StatusOr<AuthMap> ParseAuths(absl::string_view config_json) {
  // No exceptions, and so no parser message: it could quote a password.
  const nlohmann::json json = nlohmann::json::parse(
      config_json.begin(), config_json.end(), nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    return absl::InvalidArgumentError("config file: not a JSON object");
  }
  AuthMap auths;
  auto it = json.find("auths");
  if (it == json.end() || it->is_null()) return auths;
  if (!it->is_object()) {
    return absl::InvalidArgumentError(
        "config file: field \"auths\" is not an object");
  }
  for (const auto& [key, value] : it->items()) {
    ASSIGN_OR_RETURN(AuthEntry entry, ParseEntry(key, value));
    auths.emplace(key, std::move(entry));
  }
  return auths;
}

absl::StatusOr<std::string> ReplaceAuths(absl::string_view config_json,
                                         const AuthMap& auths) {
  OrderedJson json = OrderedJson::object();
  if (!absl::StripAsciiWhitespace(config_json).empty()) {
    json = OrderedJson::parse(config_json.begin(), config_json.end(), nullptr,
                              false);
    if (json.is_discarded() || !json.is_object()) {
      return absl::InvalidArgumentError("config file: not a JSON object");
    }
  }
  OrderedJson entries = OrderedJson::object();
  for (const auto& [key, auth] : auths) {
    OrderedJson entry = OrderedJson::object();
    if (!auth.username.empty() || !auth.password.empty()) {
      entry["auth"] =
          absl::Base64Escape(absl::StrCat(auth.username, ":", auth.password));
    }
    if (!auth.identity_token.empty()) {
      entry["identitytoken"] = auth.identity_token;
    }
    entries[key] = std::move(entry);
  }
  json["auths"] = std::move(entries);
  // Replace, not throw, on invalid UTF-8 kept from the old file.
  return json.dump(1, '\t', /*ensure_ascii=*/false,
                   OrderedJson::error_handler_t::replace) +
         "\n";
}

std::string AuthKey(absl::string_view registry) {
  return IsDockerHub(registry) ? kDockerHubAuthKey : std::string(registry);
}

std::string AuthKeyHost(absl::string_view key) {
  absl::string_view rest = key;
  if (!absl::ConsumePrefix(&rest, "http://")) {
    absl::ConsumePrefix(&rest, "https://");
  }
  return std::string(rest.substr(0, rest.find('/')));
}

const AuthEntry* FindAuth(const AuthMap& auths, absl::string_view registry) {
  if (auto it = auths.find(AuthKey(registry)); it != auths.end()) {
    return &it->second;
  }
  for (const auto& [key, entry] : auths) {
    if (HostMatches(key, registry)) return &entry;
  }
  return nullptr;
}

void SetAuth(AuthMap& auths, absl::string_view registry, AuthEntry entry) {
  RemoveAuth(auths, registry);
  auths[AuthKey(registry)] = std::move(entry);
}

int RemoveAuth(AuthMap& auths, absl::string_view registry) {
  const std::string key = AuthKey(registry);
  int removed = 0;
  for (auto it = auths.begin(); it != auths.end();) {
    if (it->first == key || HostMatches(it->first, registry)) {
      it = auths.erase(it);
      ++removed;
    } else {
      ++it;
    }
  }
  return removed;
}

absl::StatusOr<AuthMap> ReadAuthsFile(const std::string& path) {
  if (access(path.c_str(), F_OK) != 0 && errno == ENOENT) return AuthMap();
  ASSIGN_OR_RETURN(std::string text,
                   ReadFileToString(path, kMaxConfigFileSize));
  absl::StatusOr<AuthMap> auths = ParseAuths(text);
  if (!auths.ok()) return Annotate(auths.status(), path);
  return auths;
}

absl::Status WriteAuthsFile(const std::string& path, const AuthMap& auths) {
  std::string old_text;
  if (access(path.c_str(), F_OK) == 0 || errno != ENOENT) {
    ASSIGN_OR_RETURN(old_text, ReadFileToString(path, kMaxConfigFileSize));
  }
  absl::StatusOr<std::string> text = ReplaceAuths(old_text, auths);
  if (!text.ok()) return Annotate(text.status(), path);
  if (const size_t slash = path.rfind('/');
      slash != std::string::npos && slash > 0) {
    const std::string dir = path.substr(0, slash);
    if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
      return ErrnoStatus(errno, "mkdir", dir);
    }
  }
  return WriteFileAtomic(path, *text, 0600);
}

}  // namespace berth::imaged::registry
