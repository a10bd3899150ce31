// Pusher: `berth push`. Sends a local image's layers the registry lacks
// (mounting them from another repository of the same registry when the
// image came from there), then its config, then its manifest as stored.
#ifndef BERTH_SERVICES_IMAGED_DISTRIBUTION_PUSHER_H_
#define BERTH_SERVICES_IMAGED_DISTRIBUTION_PUSHER_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "berth/image/v1/image.pb.h"
#include "services/imaged/distribution/registry_settings.h"
#include "services/imaged/image_store.h"
#include "services/imaged/registry/registry_client.h"

namespace berth::imaged::distribution {

struct PushRequest {
  std::string reference;
  bool all_tags = false;
  registry::Credentials credentials;
  bool quiet = false;
};

class Pusher {
 public:
  Pusher(ImageStore& store, registry::HttpTransport& transport)
      : store_(store), transport_(transport) {}
  // One result per tag pushed.
  absl::StatusOr<std::vector<image::v1::PushResult>> Push(
      const PushRequest& request, const RegistrySettings& settings,
      const ProgressSink& progress, const std::function<bool()>& cancelled);

 private:
  ImageStore& store_;
  registry::HttpTransport& transport_;
};

}  // namespace berth::imaged::distribution

#endif  // BERTH_SERVICES_IMAGED_DISTRIBUTION_PUSHER_H_
