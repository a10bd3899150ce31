#include "ctl/image/registry_auth.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ctl/cli/client_config.h"
#include "services/imaged/registry/credentials.h"

namespace berth::ctl {

std::string BerthCredentialsPath() {
  const std::string dir = ClientConfigDir();
  return dir.empty() ? "" : absl::StrCat(dir, "/config.json");
}

std::string DockerCredentialsPath() {
  if (const char* dir = std::getenv("DOCKER_CONFIG"); dir != nullptr && *dir) {
    return absl::StrCat(dir, "/config.json");
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && *home) {
    return absl::StrCat(home, "/.docker/config.json");
  }
  return "";
}

absl::StatusOr<image::v1::RegistryAuth> LookupRegistryAuth(
    absl::string_view registry, const std::string& berth_path,
    const std::string& docker_path) {
  image::v1::RegistryAuth auth;
  auth.set_server_address(std::string(registry));
  const bool berth_exists =
      !berth_path.empty() &&
      (access(berth_path.c_str(), F_OK) == 0 || errno != ENOENT);
  const std::string& path = berth_exists ? berth_path : docker_path;
  if (path.empty()) return auth;
  absl::StatusOr<imaged::registry::AuthMap> auths =
      imaged::registry::ReadAuthsFile(path);
  if (!auths.ok()) return auths.status();
  const imaged::registry::AuthEntry* entry =
      imaged::registry::FindAuth(*auths, registry);
  if (entry == nullptr) return auth;
  auth.set_username(entry->username);
  auth.set_password(entry->password);
  auth.set_identity_token(entry->identity_token);
  return auth;
}

image::v1::RegistryAuth RegistryAuthFor(absl::string_view registry) {
  absl::StatusOr<image::v1::RegistryAuth> auth = LookupRegistryAuth(
      registry, BerthCredentialsPath(), DockerCredentialsPath());
  if (auth.ok()) return *auth;
  std::fprintf(stderr, "WARNING: Error loading config file: %s\n",
               std::string(auth.status().message()).c_str());
  image::v1::RegistryAuth anonymous;
  anonymous.set_server_address(std::string(registry));
  return anonymous;
}

std::string SearchTermRegistry(absl::string_view term) {
  const size_t slash = term.find('/');
  if (slash == absl::string_view::npos) return kDockerHubRegistry;
  const absl::string_view first = term.substr(0, slash);
  if (first == "index.docker.io") return kDockerHubRegistry;
  if (absl::StrContains(first, '.') || absl::StrContains(first, ':') ||
      first == "localhost") {
    return std::string(first);
  }
  return kDockerHubRegistry;
}

}  // namespace berth::ctl
