#include "ctl/cli/client_config.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace berth::ctl {

std::string ClientConfigDir() {
  if (const char* dir = std::getenv("BERTH_CONFIG"); dir != nullptr && *dir) {
    return dir;
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && *home) {
    return absl::StrCat(home, "/.berth");
  }
  return "";
}

absl::StatusOr<ClientConfig> ParseClientConfig(absl::string_view text,
                                               absl::string_view path) {
  nlohmann::json parsed = nlohmann::json::parse(text, nullptr,
                                                /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": not a JSON object; fix or remove the file"));
  }
  ClientConfig config;
  const struct {
    const char* key;
    const char* example;
    std::string* value;
  } strings[] = {
      {"detachKeys", "\"ctrl-p,ctrl-q\"", &config.detach_keys},
      {"psFormat", "\"table {{.ID}}\\t{{.Names}}\"", &config.ps_format},
      {"imagesFormat", "\"table {{.Repository}}\\t{{.Tag}}\"",
       &config.images_format},
      {"statsFormat", "\"table {{.Name}}\\t{{.CPUPerc}}\"",
       &config.stats_format},
  };
  for (const auto& entry : strings) {
    auto found = parsed.find(entry.key);
    if (found == parsed.end()) continue;
    if (!found->is_string()) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, ": \"", entry.key, "\" must be a string such as ",
          entry.example));
    }
    *entry.value = found->get<std::string>();
  }
  return config;
}

absl::StatusOr<ClientConfig> LoadClientConfig(const std::string& dir) {
  if (dir.empty()) return ClientConfig{};
  const std::string path = dir + "/config.json";
  std::FILE* file = std::fopen(path.c_str(), "re");
  if (file == nullptr) {
    if (errno == ENOENT) return ClientConfig{};
    return absl::FailedPreconditionError(
        absl::StrCat(path, ": ", std::strerror(errno)));
  }
  std::string text;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), file)) > 0) {
    text.append(buffer, n);
  }
  const bool failed = std::ferror(file) != 0;
  const int error = errno;
  std::fclose(file);
  if (failed) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, ": read: ", std::strerror(error)));
  }
  return ParseClientConfig(text, path);
}

ClientConfig ClientConfigOrDefaults() {
  absl::StatusOr<ClientConfig> config = LoadClientConfig(ClientConfigDir());
  if (config.ok()) return *config;
  std::fprintf(stderr, "WARNING: Error loading config file: %s\n",
               std::string(config.status().message()).c_str());
  return ClientConfig{};
}

}  // namespace berth::ctl
