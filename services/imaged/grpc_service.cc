#include "services/imaged/grpc_service.h"

#include <utility>

#include "common/grpc_status.h"
#include "common/host_facts.h"
#include "common/status_macros.h"
#include "common/unix_socket.h"

namespace berth::imaged {

absl::StatusOr<std::unique_ptr<ImageGrpcService>> ImageGrpcService::Create(
    std::unique_ptr<ServiceCore> core) {
  ASSIGN_OR_RETURN(distribution::RegistrySettings registry_settings,
                   distribution::SettingsFromConfig(core->config().imaged()));
  ASSIGN_OR_RETURN(std::unique_ptr<ImageStore> store, ImageStore::Open(*core, NewLinuxProjectQuota()));
  std::unique_ptr<DescriptorInbox> inbox;
  if (!core->identity().socket.empty()) {
    // The service's own socket first: a second daemon on the same run root
    // is refused naming it, before the inbox beside it is touched.
    RETURN_IF_ERROR(ClaimSocketPath(core->identity().socket));
    ASSIGN_OR_RETURN(inbox, DescriptorInbox::Open(
                                InboxSocketOf(core->identity().socket)));
  }
  return std::unique_ptr<ImageGrpcService>(new ImageGrpcService(
      std::move(core), std::move(store), std::move(inbox),
      std::move(registry_settings)));
}

ImageGrpcService::ImageGrpcService(std::unique_ptr<ServiceCore> core,
                                   std::unique_ptr<ImageStore> store,
                                   std::unique_ptr<DescriptorInbox> inbox,
                                   distribution::RegistrySettings registry_settings)
    : core_(std::move(core)),
      store_(std::move(store)),
      inbox_(std::move(inbox)),
      registry_settings_(std::move(registry_settings)),
      transport_(registry::NewCurlTransport()),
      downloads_(std::make_unique<distribution::BlobDownloads>(
          store_->downloads_dir(), [store = store_.get()](const std::string& d) {
            return store->HasBlob(d);
          })) {}

grpc::Status ImageGrpcService::Version(grpc::ServerContext*,
                                       const image::v1::VersionRequest*,
                                       image::v1::VersionResponse* response) {
  return AnswerVersion(response);
}

grpc::Status ImageGrpcService::Info(grpc::ServerContext*,
                                    const image::v1::InfoRequest*,
                                    image::v1::InfoResponse* response) {
  grpc::Status status = AnswerInfo(*core_, response);
  if (!status.ok()) return status;
  // What `docker info` says of the storage, under Docker's keys: the
  // layout is overlay2's (layers unpacked once, overlay lowerdirs).
  for (const auto& [key, value] :
       {std::pair<std::string, std::string>{"Driver", "overlay2"},
        {"BackingFilesystem", BackingFilesystem(core_->identity().root)}}) {
    types::v1::InfoFact* fact = response->mutable_info()->add_facts();
    fact->set_key(key);
    fact->set_value(value);
  }
  return grpc::Status::OK;
}

grpc::Status ImageGrpcService::ListImages(
    grpc::ServerContext*, const image::v1::ListImagesRequest* request,
    image::v1::ListImagesResponse* response) {
  return Answer(store_->List(*request), response);
}

grpc::Status ImageGrpcService::InspectImage(
    grpc::ServerContext*, const image::v1::InspectImageRequest* request,
    image::v1::InspectImageResponse* response) {
  return Answer(store_->Inspect(request->image()), response->mutable_image());
}

grpc::Status ImageGrpcService::ResolveImage(
    grpc::ServerContext*, const image::v1::ResolveImageRequest* request,
    image::v1::ResolveImageResponse* response) {
  absl::StatusOr<image::v1::Image> image = store_->Find(request->image());
  if (!image.ok()) return ToGrpcStatus(image.status());
  response->set_image_id(image->id());
  *response->mutable_repo_digests() = image->repo_digests();
  *response->mutable_config() = image->config();
  *response->mutable_platform() = image->platform();
  response->set_size(image->size());
  return grpc::Status::OK;
}

grpc::Status ImageGrpcService::TagImage(grpc::ServerContext*,
                                        const image::v1::TagImageRequest* request,
                                        image::v1::TagImageResponse* response) {
  absl::StatusOr<std::string> id = store_->Tag(request->source(),
                                               request->target());
  if (!id.ok()) return ToGrpcStatus(id.status());
  response->set_image_id(*id);
  return grpc::Status::OK;
}

grpc::Status ImageGrpcService::RemoveImage(
    grpc::ServerContext*, const image::v1::RemoveImageRequest* request,
    image::v1::RemoveImageResponse* response) {
  return Answer(store_->Remove(*request), response);
}

grpc::Status ImageGrpcService::PruneImages(
    grpc::ServerContext*, const image::v1::PruneImagesRequest* request,
    image::v1::PruneImagesResponse* response) {
  return Answer(store_->Prune(*request), response);
}

grpc::Status ImageGrpcService::ImageHistory(
    grpc::ServerContext*, const image::v1::ImageHistoryRequest* request,
    image::v1::ImageHistoryResponse* response) {
  return Answer(store_->History(request->image()), response);
}

grpc::Status ImageGrpcService::PrepareRootfs(
    grpc::ServerContext*, const image::v1::PrepareRootfsRequest* request,
    image::v1::PrepareRootfsResponse* response) {
  return Answer(store_->PrepareRootfs(*request), response);
}

grpc::Status ImageGrpcService::InspectRootfs(
    grpc::ServerContext*, const image::v1::InspectRootfsRequest* request,
    image::v1::InspectRootfsResponse* response) {
  return Answer(store_->InspectRootfs(request->key(), request->with_size()),
                response);
}

grpc::Status ImageGrpcService::RemoveRootfs(
    grpc::ServerContext*, const image::v1::RemoveRootfsRequest* request,
    image::v1::RemoveRootfsResponse*) {
  return ToGrpcStatus(
      store_->RemoveRootfs(request->key(), request->ignore_missing(),
                           request->lease()));
}

grpc::Status ImageGrpcService::DiffRootfs(
    grpc::ServerContext*, const image::v1::DiffRootfsRequest* request,
    image::v1::DiffRootfsResponse* response) {
  return Answer(store_->DiffRootfs(request->key()), response);
}

grpc::Status ImageGrpcService::CommitRootfs(
    grpc::ServerContext*, const image::v1::CommitRootfsRequest* request,
    image::v1::CommitRootfsResponse* response) {
  return Answer(store_->CommitRootfs(*request), response);
}

grpc::Status ImageGrpcService::ListRootfs(
    grpc::ServerContext*, const image::v1::ListRootfsRequest* request,
    image::v1::ListRootfsResponse* response) {
  return Answer(store_->ListRootfs(*request), response);
}

}  // namespace berth::imaged
