// What containerd needs from volumed: the volumes a container mounts,
// taken at create and let go at rm, and who holds volumes (to let go of
// those that containers lost in a crash). An interface so the container
// logic is tested without a volumed.
#ifndef BERTH_SERVICES_CONTAINERD_VOLUME_CLIENT_H_
#define BERTH_SERVICES_CONTAINERD_VOLUME_CLIENT_H_

#include <memory>
#include <set>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "berth/volume/v1/volume.pb.h"

namespace berth::containerd {

class VolumeClient {
 public:
  virtual ~VolumeClient() = default;
  // The volume's host path, creating (and filling) it as the request asks.
  virtual absl::StatusOr<volume::v1::AcquireVolumeResponse> Acquire(
      const volume::v1::AcquireVolumeRequest& request) = 0;
  // Lets go of every volume the container holds (and removes its anonymous
  // ones with `remove_anonymous`); fine when it holds none.
  virtual absl::StatusOr<volume::v1::ReleaseVolumeResponse> Release(
      const std::string& container_id, bool remove_anonymous) = 0;
  // Ids of the containers that hold at least one volume.
  virtual absl::StatusOr<std::set<std::string>> Holders() = 0;
};

// volumed over its gRPC socket.
std::unique_ptr<VolumeClient> NewGrpcVolumeClient(const std::string& socket_path);

}  // namespace berth::containerd

#endif  // BERTH_SERVICES_CONTAINERD_VOLUME_CLIENT_H_
