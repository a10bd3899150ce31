#include "services/containerd/volume_client.h"

#include <grpcpp/grpcpp.h>

#include "berth/volume/v1/volume.grpc.pb.h"
#include "common/service_channel.h"
#include "common/status_macros.h"

namespace berth::containerd {
namespace {

// An acquire may copy an image's directory into a new volume: allow for a
// big one. The others are record updates and an unmount.
constexpr absl::Duration kAcquireDeadline = absl::Minutes(10);
constexpr absl::Duration kDeadline = absl::Seconds(60);

class GrpcVolumeClient final : public VolumeClient {
 public:
  explicit GrpcVolumeClient(const std::string& socket_path)
      : volumed_("volumed", socket_path),
        stub_(volume::v1::VolumeService::NewStub(volumed_.channel())) {}

  absl::StatusOr<volume::v1::AcquireVolumeResponse> Acquire(
      const volume::v1::AcquireVolumeRequest& request) override {
    volume::v1::AcquireVolumeResponse response;
    grpc::ClientContext context;
    volumed_.Prepare(context, kAcquireDeadline);
    RETURN_IF_ERROR(
        volumed_.Check(stub_->AcquireVolume(&context, request, &response)));
    return response;
  }

  absl::StatusOr<volume::v1::ReleaseVolumeResponse> Release(
      const std::string& container_id, bool remove_anonymous) override {
    volume::v1::ReleaseVolumeRequest request;
    request.set_container_id(container_id);
    request.set_remove_anonymous(remove_anonymous);
    volume::v1::ReleaseVolumeResponse response;
    grpc::ClientContext context;
    volumed_.Prepare(context, kDeadline);
    RETURN_IF_ERROR(
        volumed_.Check(stub_->ReleaseVolume(&context, request, &response)));
    return response;
  }

  absl::StatusOr<std::set<std::string>> Holders() override {
    volume::v1::ListVolumesRequest request;
    request.mutable_filter()->set_dangling(false);
    volume::v1::ListVolumesResponse response;
    grpc::ClientContext context;
    volumed_.Prepare(context, kDeadline);
    RETURN_IF_ERROR(
        volumed_.Check(stub_->ListVolumes(&context, request, &response)));
    std::set<std::string> holders;
    for (const volume::v1::Volume& volume : response.volumes()) {
      holders.insert(volume.used_by().begin(), volume.used_by().end());
    }
    return holders;
  }

 private:
  ServiceChannel volumed_;
  std::unique_ptr<volume::v1::VolumeService::Stub> stub_;
};

}  // namespace

std::unique_ptr<VolumeClient> NewGrpcVolumeClient(const std::string& socket_path) {
  return std::make_unique<GrpcVolumeClient>(socket_path);
}

}  // namespace berth::containerd
