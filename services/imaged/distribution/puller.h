// Puller: `berth pull`. Finds the manifest on the registry's mirrors or the
// registry itself, picks the platform's image from an index, downloads the
// layers the store lacks in parallel (verified, resumable, shared with
// concurrent pulls), unpacks them bottom first as they arrive and commits
// the image with its tag and repo digest in one step.
#ifndef BERTH_SERVICES_IMAGED_DISTRIBUTION_PULLER_H_
#define BERTH_SERVICES_IMAGED_DISTRIBUTION_PULLER_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "berth/image/v1/image.pb.h"
#include "services/imaged/distribution/blob_downloads.h"
#include "services/imaged/distribution/registry_settings.h"
#include "services/imaged/image_store.h"
#include "services/imaged/registry/http_transport.h"
#include "services/imaged/registry/platform.h"
#include "services/imaged/registry/registry_client.h"

namespace berth::imaged::distribution {

struct PullRequest {
  std::string reference;  // as typed: "busybox", "host:5000/app@sha256:..."
  bool all_tags = false;
  // The platform wanted; `platform_given` when the caller chose it (a
  // single-platform image of another platform is then refused).
  registry::Platform platform;
  bool platform_given = false;
  registry::Credentials credentials;
  bool quiet = false;
};

class Puller {
 public:
  Puller(ImageStore& store, registry::HttpTransport& transport,
         BlobDownloads& downloads)
      : store_(store), transport_(transport), downloads_(downloads) {}

  // One result per image: one, or one per tag with all_tags. `cancelled`
  // is polled between steps (the client went away).
  absl::StatusOr<std::vector<image::v1::PullResult>> Pull(
      const PullRequest& request, const RegistrySettings& settings,
      const ProgressSink& progress, const std::function<bool()>& cancelled);

 private:
  ImageStore& store_;
  registry::HttpTransport& transport_;
  BlobDownloads& downloads_;
};

}  // namespace berth::imaged::distribution

#endif  // BERTH_SERVICES_IMAGED_DISTRIBUTION_PULLER_H_
