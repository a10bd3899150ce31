// How imaged reaches registries: its config section (mirrors, insecure
// registries, certs.d roots, concurrency) checked once at start, and the
// per-call RegistryOptions a client may add on top.
#ifndef BERTH_SERVICES_IMAGED_DISTRIBUTION_REGISTRY_SETTINGS_H_
#define BERTH_SERVICES_IMAGED_DISTRIBUTION_REGISTRY_SETTINGS_H_

#include "absl/status/statusor.h"
#include "berth/config/v1/config.pb.h"
#include "berth/image/v1/image_types.pb.h"
#include "services/imaged/registry/endpoints.h"

namespace berth::imaged::distribution {

struct RegistrySettings {
  registry::EndpointConfig endpoints;
  int max_concurrent_downloads = 3;
  int max_concurrent_uploads = 5;
};

// INVALID_ARGUMENT naming the config key ("imaged.registries", ...) for a
// bad mirror, insecure entry or a concurrency below 1.
absl::StatusOr<RegistrySettings> SettingsFromConfig(
    const config::v1::ImagedConfig& config);

// `settings` with a call's options added: its mirrors go before the
// configured ones for docker.io, its insecure registries join the list.
absl::StatusOr<RegistrySettings> WithOptions(
    RegistrySettings settings, const image::v1::RegistryOptions& options);

}  // namespace berth::imaged::distribution

#endif  // BERTH_SERVICES_IMAGED_DISTRIBUTION_REGISTRY_SETTINGS_H_
