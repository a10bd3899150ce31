#include "services/imaged/distribution/registry_settings.h"

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace berth::imaged::distribution {

absl::StatusOr<RegistrySettings> SettingsFromConfig(
    const config::v1::ImagedConfig& config) {
  RegistrySettings settings;
  for (const auto& [domain, registry] : config.registries()) {
    settings.endpoints.mirrors[domain] = {registry.mirrors().begin(),
                                          registry.mirrors().end()};
  }
  settings.endpoints.insecure_registries = {
      config.insecure_registries().begin(), config.insecure_registries().end()};
  if (!config.certs_dirs().empty()) {
    settings.endpoints.certs_roots = {config.certs_dirs().begin(),
                                      config.certs_dirs().end()};
  }
  if (config.has_max_concurrent_downloads()) {
    if (config.max_concurrent_downloads() < 1) {
      return absl::InvalidArgumentError(
          "config key imaged.maxConcurrentDownloads: must be at least 1");
    }
    settings.max_concurrent_downloads = config.max_concurrent_downloads();
  }
  if (config.has_max_concurrent_uploads()) {
    if (config.max_concurrent_uploads() < 1) {
      return absl::InvalidArgumentError(
          "config key imaged.maxConcurrentUploads: must be at least 1");
    }
    settings.max_concurrent_uploads = config.max_concurrent_uploads();
  }
  const absl::Status valid =
      registry::ValidateEndpointConfig(settings.endpoints);
  if (!valid.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "config key imaged.registries / imaged.insecureRegistries: ",
        valid.message()));
  }
  return settings;
}

absl::StatusOr<RegistrySettings> WithOptions(
    RegistrySettings settings, const image::v1::RegistryOptions& options) {
  if (options.mirrors_size() > 0) {
    std::vector<std::string> mirrors(options.mirrors().begin(),
                                     options.mirrors().end());
    for (const std::string& mirror : settings.endpoints.mirrors["docker.io"]) {
      mirrors.push_back(mirror);
    }
    settings.endpoints.mirrors["docker.io"] = std::move(mirrors);
  }
  for (const std::string& entry : options.insecure_registries()) {
    settings.endpoints.insecure_registries.push_back(entry);
  }
  RETURN_IF_ERROR(registry::ValidateEndpointConfig(settings.endpoints));
  return settings;
}

}  // namespace berth::imaged::distribution
