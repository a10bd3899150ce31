#include "services/volumed/grpc_service.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/event_stream.h"
#include "common/grpc_status.h"
#include "common/status_macros.h"

namespace berth::volumed {
namespace {

// Copies a successful result into the response, or maps the error.
template <typename T, typename Response>
grpc::Status Answer(absl::StatusOr<T> result, Response* response) {
  if (!result.ok()) return ToGrpcStatus(result.status());
  *response = *std::move(result);
  return grpc::Status::OK;
}

}  // namespace

absl::StatusOr<std::unique_ptr<VolumeGrpcService>> VolumeGrpcService::Create(
    std::unique_ptr<ServiceCore> core) {
  std::unique_ptr<VolumeGrpcService> service(new VolumeGrpcService(std::move(core)));
  service->mounter_ = NewKernelMounter();
  service->files_ = NewHostVolumeFiles();
  ASSIGN_OR_RETURN(
      service->controller_,
      VolumeController::Open(service->core_->store(), *service->mounter_,
                             *service->files_,
                             absl::StrCat(service->core_->identity().root, "/volumes"),
                             service->core_->log()));
  return service;
}

VolumeGrpcService::VolumeGrpcService(std::unique_ptr<ServiceCore> core)
    : core_(std::move(core)) {}

grpc::Status VolumeGrpcService::Version(grpc::ServerContext*,
                                        const volume::v1::VersionRequest*,
                                        volume::v1::VersionResponse* response) {
  return AnswerVersion(response);
}

grpc::Status VolumeGrpcService::Info(grpc::ServerContext*,
                                     const volume::v1::InfoRequest*,
                                     volume::v1::InfoResponse* response) {
  grpc::Status status = AnswerInfo(*core_, response);
  if (!status.ok()) return status;
  absl::StatusOr<int64_t> in_use = controller_->InUseCount();
  if (!in_use.ok()) return ToGrpcStatus(in_use.status());
  types::v1::RecordCount* count = response->mutable_info()->add_records();
  count->set_kind("in_use");
  count->set_count(*in_use);
  return grpc::Status::OK;
}

grpc::Status VolumeGrpcService::CreateVolume(
    grpc::ServerContext*, const volume::v1::CreateVolumeRequest* request,
    volume::v1::CreateVolumeResponse* response) {
  return Answer(controller_->Create(*request), response);
}

grpc::Status VolumeGrpcService::RemoveVolume(
    grpc::ServerContext*, const volume::v1::RemoveVolumeRequest* request,
    volume::v1::RemoveVolumeResponse*) {
  return ToGrpcStatus(controller_->Remove(request->name(), request->force()));
}

grpc::Status VolumeGrpcService::ListVolumes(
    grpc::ServerContext*, const volume::v1::ListVolumesRequest* request,
    volume::v1::ListVolumesResponse* response) {
  absl::StatusOr<std::vector<volume::v1::Volume>> listed =
      controller_->List(request->filter(), request->size());
  if (!listed.ok()) return ToGrpcStatus(listed.status());
  for (volume::v1::Volume& volume : *listed) {
    *response->add_volumes() = std::move(volume);
  }
  return grpc::Status::OK;
}

grpc::Status VolumeGrpcService::InspectVolume(
    grpc::ServerContext*, const volume::v1::InspectVolumeRequest* request,
    volume::v1::InspectVolumeResponse* response) {
  absl::StatusOr<volume::v1::Volume> volume =
      controller_->Inspect(request->name(), request->size());
  if (!volume.ok()) return ToGrpcStatus(volume.status());
  *response->mutable_volume() = *std::move(volume);
  return grpc::Status::OK;
}

grpc::Status VolumeGrpcService::PruneVolumes(
    grpc::ServerContext*, const volume::v1::PruneVolumesRequest* request,
    volume::v1::PruneVolumesResponse* response) {
  return Answer(controller_->Prune(request->all(), request->filter()), response);
}

grpc::Status VolumeGrpcService::AcquireVolume(
    grpc::ServerContext*, const volume::v1::AcquireVolumeRequest* request,
    volume::v1::AcquireVolumeResponse* response) {
  return Answer(controller_->Acquire(*request), response);
}

grpc::Status VolumeGrpcService::ReleaseVolume(
    grpc::ServerContext*, const volume::v1::ReleaseVolumeRequest* request,
    volume::v1::ReleaseVolumeResponse* response) {
  return Answer(controller_->Release(*request), response);
}

grpc::Status VolumeGrpcService::Events(
    grpc::ServerContext* context, const volume::v1::EventsRequest* request,
    grpc::ServerWriter<volume::v1::EventsResponse>* writer) {
  return ServeEvents(controller_->events(), context, *request, writer);
}

void VolumeGrpcService::BeginShutdown() { controller_->events().Shutdown(); }

}  // namespace berth::volumed
