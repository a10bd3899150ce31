// The gRPC face of imaged: checks requests, calls ImageStore, maps its
// status to gRPC. Holds no logic of its own.
#ifndef BERTH_SERVICES_IMAGED_GRPC_SERVICE_H_
#define BERTH_SERVICES_IMAGED_GRPC_SERVICE_H_

#include <memory>

#include "berth/image/v1/image.grpc.pb.h"
#include "common/descriptor_inbox.h"
#include "common/service_adapter.h"
#include "services/imaged/distribution/blob_downloads.h"
#include "services/imaged/distribution/registry_settings.h"
#include "services/imaged/image_store.h"
#include "services/imaged/registry/http_transport.h"

namespace berth::imaged {

class ImageGrpcService final : public image::v1::ImageService::Service {
 public:
  // The contract this class serves.
  using Contract = image::v1::ImageService;

  static absl::StatusOr<std::unique_ptr<ImageGrpcService>> Create(
      std::unique_ptr<ServiceCore> core);

  grpc::Status Version(grpc::ServerContext* context,
                       const image::v1::VersionRequest* request,
                       image::v1::VersionResponse* response) override;
  grpc::Status Info(grpc::ServerContext* context,
                    const image::v1::InfoRequest* request,
                    image::v1::InfoResponse* response) override;

  grpc::Status ListImages(grpc::ServerContext* context,
                          const image::v1::ListImagesRequest* request,
                          image::v1::ListImagesResponse* response) override;
  grpc::Status InspectImage(grpc::ServerContext* context,
                            const image::v1::InspectImageRequest* request,
                            image::v1::InspectImageResponse* response) override;
  grpc::Status ResolveImage(grpc::ServerContext* context,
                            const image::v1::ResolveImageRequest* request,
                            image::v1::ResolveImageResponse* response) override;
  grpc::Status TagImage(grpc::ServerContext* context,
                        const image::v1::TagImageRequest* request,
                        image::v1::TagImageResponse* response) override;
  grpc::Status RemoveImage(grpc::ServerContext* context,
                           const image::v1::RemoveImageRequest* request,
                           image::v1::RemoveImageResponse* response) override;
  grpc::Status PruneImages(grpc::ServerContext* context,
                           const image::v1::PruneImagesRequest* request,
                           image::v1::PruneImagesResponse* response) override;
  grpc::Status ImageHistory(grpc::ServerContext* context,
                            const image::v1::ImageHistoryRequest* request,
                            image::v1::ImageHistoryResponse* response) override;

  grpc::Status ImportImage(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<image::v1::ImportImageResponse,
                               image::v1::ImportImageRequest>* stream) override;
  grpc::Status SaveImages(
      grpc::ServerContext* context, const image::v1::SaveImagesRequest* request,
      grpc::ServerWriter<image::v1::SaveImagesResponse>* writer) override;
  grpc::Status LoadImages(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<image::v1::LoadImagesResponse,
                               image::v1::LoadImagesRequest>* stream) override;

  grpc::Status PrepareRootfs(
      grpc::ServerContext* context,
      const image::v1::PrepareRootfsRequest* request,
      image::v1::PrepareRootfsResponse* response) override;
  grpc::Status InspectRootfs(
      grpc::ServerContext* context,
      const image::v1::InspectRootfsRequest* request,
      image::v1::InspectRootfsResponse* response) override;
  grpc::Status RemoveRootfs(grpc::ServerContext* context,
                            const image::v1::RemoveRootfsRequest* request,
                            image::v1::RemoveRootfsResponse* response) override;
  grpc::Status DiffRootfs(grpc::ServerContext* context,
                          const image::v1::DiffRootfsRequest* request,
                          image::v1::DiffRootfsResponse* response) override;
  grpc::Status CommitRootfs(grpc::ServerContext* context,
                            const image::v1::CommitRootfsRequest* request,
                            image::v1::CommitRootfsResponse* response) override;
  grpc::Status ListRootfs(grpc::ServerContext* context,
                          const image::v1::ListRootfsRequest* request,
                          image::v1::ListRootfsResponse* response) override;
  // grpc_registry.cc
  grpc::Status PullImage(
      grpc::ServerContext* context, const image::v1::PullImageRequest* request,
      grpc::ServerWriter<image::v1::PullImageResponse>* writer) override;
  grpc::Status PushImage(
      grpc::ServerContext* context, const image::v1::PushImageRequest* request,
      grpc::ServerWriter<image::v1::PushImageResponse>* writer) override;
  grpc::Status RegistryLogin(grpc::ServerContext* context,
                             const image::v1::RegistryLoginRequest* request,
                             image::v1::RegistryLoginResponse* response) override;
  grpc::Status SearchImages(grpc::ServerContext* context,
                            const image::v1::SearchImagesRequest* request,
                            image::v1::SearchImagesResponse* response) override;
  // grpc_events.cc
  grpc::Status Events(grpc::ServerContext* context,
                      const image::v1::EventsRequest* request,
                      grpc::ServerWriter<image::v1::EventsResponse>* writer)
      override;

 private:
  ImageGrpcService(std::unique_ptr<ServiceCore> core,
                   std::unique_ptr<ImageStore> store,
                   std::unique_ptr<DescriptorInbox> inbox,
                   distribution::RegistrySettings registry_settings);

  std::unique_ptr<ServiceCore> core_;
  std::unique_ptr<ImageStore> store_;
  // Files clients hand over for import and load; null when the service has
  // no socket (tests that call it in process).
  std::unique_ptr<DescriptorInbox> inbox_;
  // Registries: imaged's config, one HTTP transport, the downloads shared
  // by concurrent pulls.
  distribution::RegistrySettings registry_settings_;
  std::unique_ptr<registry::HttpTransport> transport_;
  std::unique_ptr<distribution::BlobDownloads> downloads_;
};

}  // namespace berth::imaged

#endif  // BERTH_SERVICES_IMAGED_GRPC_SERVICE_H_
