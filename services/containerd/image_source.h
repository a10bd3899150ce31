// What containerd needs from imaged: rootfs snapshots and image facts. An
// interface so the container logic can be tested without an imaged.
#ifndef BERTH_SERVICES_CONTAINERD_IMAGE_SOURCE_H_
#define BERTH_SERVICES_CONTAINERD_IMAGE_SOURCE_H_

#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "berth/image/v1/image.pb.h"

namespace berth::containerd {

class ImageSource {
 public:
  virtual ~ImageSource() = default;
  // A fresh snapshot `request.key()` of `request.image()` plus the image's
  // config. With `upper_owner`, imaged makes that host uid/gid own the
  // writable layer (the container's root in a user namespace): containerd
  // never touches imaged's directories itself. The snapshot is held under
  // `lease` (see RootfsLease): imaged refuses to remove it for anyone
  // without it. `size_limit_bytes` caps the writable layer.
  virtual absl::StatusOr<image::v1::PrepareRootfsResponse> PrepareRootfs(
      const image::v1::PrepareRootfsRequest& request) = 0;
  // With `with_size`, the writable layer's size too (upper_size).
  virtual absl::StatusOr<image::v1::InspectRootfsResponse> InspectRootfs(
      const std::string& key, bool with_size = false) = 0;
  // Missing keys are fine; `lease` is the one PrepareRootfs was given.
  virtual absl::Status RemoveRootfs(const std::string& key,
                                    const std::string& lease) = 0;
  virtual absl::StatusOr<image::v1::Image> InspectImage(
      const std::string& reference) = 0;
  // The changes of snapshot `key`'s writable layer (`berth diff`).
  virtual absl::StatusOr<image::v1::DiffRootfsResponse> DiffRootfs(
      const std::string& key) {
    return absl::UnimplementedError(
        absl::StrCat("this image source cannot diff snapshot ", key));
  }
  // Every snapshot, with its lease.
  virtual absl::StatusOr<std::vector<image::v1::Rootfs>> ListRootfs() = 0;
  // A new image from snapshot `request.key()`'s writable layer (`berth
  // commit`).
  virtual absl::StatusOr<image::v1::CommitRootfsResponse> CommitRootfs(
      const image::v1::CommitRootfsRequest& request) = 0;
};

// The lease a container holds on its rootfs for its whole life: its overlay
// is mounted in the container's mount namespace, where imaged cannot see it.
inline constexpr char kRootfsLeasePrefix[] = "container/";
inline std::string RootfsLease(const std::string& container_id) {
  return kRootfsLeasePrefix + container_id;
}

// imaged over its gRPC socket.
std::unique_ptr<ImageSource> NewImagedClient(const std::string& socket_path);

}  // namespace berth::containerd

#endif  // BERTH_SERVICES_CONTAINERD_IMAGE_SOURCE_H_
