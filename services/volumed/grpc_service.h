// The gRPC face of volumed: calls the service's logic and maps its status
// to gRPC. Holds no logic of its own.
#ifndef BERTH_SERVICES_VOLUMED_GRPC_SERVICE_H_
#define BERTH_SERVICES_VOLUMED_GRPC_SERVICE_H_

#include <memory>

#include "berth/volume/v1/volume.grpc.pb.h"
#include "common/service_adapter.h"
#include "services/volumed/volume_controller.h"
#include "services/volumed/volume_driver.h"
#include "services/volumed/volume_files.h"

namespace berth::volumed {

class VolumeGrpcService final : public volume::v1::VolumeService::Service {
 public:
  // The contract this class serves.
  using Contract = volume::v1::VolumeService;

  // The composition root: the kernel's mounts and the host's files under
  // ROOT/volumed/volumes, and the controller over the service's store.
  static absl::StatusOr<std::unique_ptr<VolumeGrpcService>> Create(
      std::unique_ptr<ServiceCore> core);

  grpc::Status Version(grpc::ServerContext* context,
                       const volume::v1::VersionRequest* request,
                       volume::v1::VersionResponse* response) override;
  grpc::Status Info(grpc::ServerContext* context,
                    const volume::v1::InfoRequest* request,
                    volume::v1::InfoResponse* response) override;
  grpc::Status CreateVolume(grpc::ServerContext* context,
                            const volume::v1::CreateVolumeRequest* request,
                            volume::v1::CreateVolumeResponse* response) override;
  grpc::Status RemoveVolume(grpc::ServerContext* context,
                            const volume::v1::RemoveVolumeRequest* request,
                            volume::v1::RemoveVolumeResponse* response) override;
  grpc::Status ListVolumes(grpc::ServerContext* context,
                           const volume::v1::ListVolumesRequest* request,
                           volume::v1::ListVolumesResponse* response) override;
  grpc::Status InspectVolume(grpc::ServerContext* context,
                             const volume::v1::InspectVolumeRequest* request,
                             volume::v1::InspectVolumeResponse* response) override;
  grpc::Status PruneVolumes(grpc::ServerContext* context,
                            const volume::v1::PruneVolumesRequest* request,
                            volume::v1::PruneVolumesResponse* response) override;
  grpc::Status AcquireVolume(grpc::ServerContext* context,
                             const volume::v1::AcquireVolumeRequest* request,
                             volume::v1::AcquireVolumeResponse* response) override;
  grpc::Status ReleaseVolume(grpc::ServerContext* context,
                             const volume::v1::ReleaseVolumeRequest* request,
                             volume::v1::ReleaseVolumeResponse* response) override;
  grpc::Status Events(grpc::ServerContext* context,
                      const volume::v1::EventsRequest* request,
                      grpc::ServerWriter<volume::v1::EventsResponse>* writer) override;

  // Ends the event streams (the daemon is stopping).
  void BeginShutdown();

 private:
  explicit VolumeGrpcService(std::unique_ptr<ServiceCore> core);

  std::unique_ptr<ServiceCore> core_;
  std::unique_ptr<Mounter> mounter_;
  std::unique_ptr<VolumeFiles> files_;
  std::unique_ptr<VolumeController> controller_;
};

}  // namespace berth::volumed

#endif  // BERTH_SERVICES_VOLUMED_GRPC_SERVICE_H_
