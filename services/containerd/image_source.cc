#include "services/containerd/image_source.h"

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "berth/image/v1/image.grpc.pb.h"
#include "common/service_channel.h"
#include "common/status_macros.h"

namespace berth::containerd {
namespace {

constexpr absl::Duration kDeadline = absl::Seconds(120);

class ImagedClient final : public ImageSource {
 public:
  explicit ImagedClient(const std::string& socket_path)
      : imaged_("imaged", socket_path),
        stub_(image::v1::ImageService::NewStub(imaged_.channel())) {}

  absl::StatusOr<image::v1::PrepareRootfsResponse> PrepareRootfs(
      const image::v1::PrepareRootfsRequest& request) override {
    image::v1::PrepareRootfsResponse response;
    grpc::ClientContext context;
    imaged_.Prepare(context, kDeadline);
    RETURN_IF_ERROR(
        imaged_.Check(stub_->PrepareRootfs(&context, request, &response)));
    return response;
  }

  absl::StatusOr<image::v1::InspectRootfsResponse> InspectRootfs(
      const std::string& key, bool with_size) override {
    image::v1::InspectRootfsRequest request;
    request.set_key(key);
    request.set_with_size(with_size);
    image::v1::InspectRootfsResponse response;
    grpc::ClientContext context;
    imaged_.Prepare(context, kDeadline);
    RETURN_IF_ERROR(
        imaged_.Check(stub_->InspectRootfs(&context, request, &response)));
    return response;
  }

  absl::Status RemoveRootfs(const std::string& key,
                            const std::string& lease) override {
    image::v1::RemoveRootfsRequest request;
    request.set_key(key);
    request.set_lease(lease);
    request.set_ignore_missing(true);
    image::v1::RemoveRootfsResponse response;
    grpc::ClientContext context;
    imaged_.Prepare(context, kDeadline);
    RETURN_IF_ERROR(
        imaged_.Check(stub_->RemoveRootfs(&context, request, &response)));
    return absl::OkStatus();
  }

  absl::StatusOr<image::v1::Image> InspectImage(
      const std::string& reference) override {
    image::v1::InspectImageRequest request;
    request.set_image(reference);
    image::v1::InspectImageResponse response;
    grpc::ClientContext context;
    imaged_.Prepare(context, kDeadline);
    RETURN_IF_ERROR(
        imaged_.Check(stub_->InspectImage(&context, request, &response)));
    return response.image();
  }

  absl::StatusOr<image::v1::DiffRootfsResponse> DiffRootfs(
      const std::string& key) override {
    image::v1::DiffRootfsRequest request;
    request.set_key(key);
    image::v1::DiffRootfsResponse response;
    grpc::ClientContext context;
    imaged_.Prepare(context, kDeadline);
    RETURN_IF_ERROR(
        imaged_.Check(stub_->DiffRootfs(&context, request, &response)));
    return response;
  }

  absl::StatusOr<image::v1::CommitRootfsResponse> CommitRootfs(
      const image::v1::CommitRootfsRequest& request) override {
    image::v1::CommitRootfsResponse response;
    grpc::ClientContext context;
    // A layer of the container's whole writable content: as long as a load.
    imaged_.Prepare(context, absl::Minutes(10));
    RETURN_IF_ERROR(
        imaged_.Check(stub_->CommitRootfs(&context, request, &response)));
    return response;
  }

  absl::StatusOr<std::vector<image::v1::Rootfs>> ListRootfs() override {
    image::v1::ListRootfsRequest request;
    image::v1::ListRootfsResponse response;
    grpc::ClientContext context;
    imaged_.Prepare(context, kDeadline);
    RETURN_IF_ERROR(
        imaged_.Check(stub_->ListRootfs(&context, request, &response)));
    return std::vector<image::v1::Rootfs>(response.snapshots().begin(),
                                          response.snapshots().end());
  }

 private:
  ServiceChannel imaged_;
  std::unique_ptr<image::v1::ImageService::Stub> stub_;
};

}  // namespace

std::unique_ptr<ImageSource> NewImagedClient(const std::string& socket_path) {
  return std::make_unique<ImagedClient>(socket_path);
}

}  // namespace berth::containerd
