#include "services/containerd/image_source.h"

#include <chrono>

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "berth/image/v1/image.grpc.pb.h"
#include "common/grpc_status.h"
#include "common/status_macros.h"

namespace berth::containerd {
namespace {

constexpr int kDeadlineSeconds = 120;
constexpr int kConnectGraceMs = 2000;

class ImagedClient final : public ImageSource {
 public:
  explicit ImagedClient(const std::string& socket_path)
      : socket_path_(socket_path),
        channel_(grpc::CreateCustomChannel(absl::StrCat("unix://", socket_path),
                                           grpc::InsecureChannelCredentials(),
                                           ReconnectQuickly())),
        stub_(image::v1::ImageService::NewStub(channel_)) {}

  absl::StatusOr<image::v1::PrepareRootfsResponse> PrepareRootfs(
      const image::v1::PrepareRootfsRequest& request) override {
    image::v1::PrepareRootfsResponse response;
    grpc::ClientContext context;
    SetDeadline(context);
    AwaitConnected();
    RETURN_IF_ERROR(Check(stub_->PrepareRootfs(&context, request, &response)));
    return response;
  }

  absl::StatusOr<image::v1::InspectRootfsResponse> InspectRootfs(
      const std::string& key, bool with_size) override {
    image::v1::InspectRootfsRequest request;
    request.set_key(key);
    request.set_with_size(with_size);
    image::v1::InspectRootfsResponse response;
    grpc::ClientContext context;
    SetDeadline(context);
    AwaitConnected();
    RETURN_IF_ERROR(Check(stub_->InspectRootfs(&context, request, &response)));
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
    SetDeadline(context);
    AwaitConnected();
    RETURN_IF_ERROR(Check(stub_->RemoveRootfs(&context, request, &response)));
    return absl::OkStatus();
  }

  absl::StatusOr<image::v1::Image> InspectImage(
      const std::string& reference) override {
    image::v1::InspectImageRequest request;
    request.set_image(reference);
    image::v1::InspectImageResponse response;
    grpc::ClientContext context;
    SetDeadline(context);
    AwaitConnected();
    RETURN_IF_ERROR(Check(stub_->InspectImage(&context, request, &response)));
    return response.image();
  }

  absl::StatusOr<image::v1::DiffRootfsResponse> DiffRootfs(
      const std::string& key) override {
    image::v1::DiffRootfsRequest request;
    request.set_key(key);
    image::v1::DiffRootfsResponse response;
    grpc::ClientContext context;
    SetDeadline(context);
    AwaitConnected();
    RETURN_IF_ERROR(Check(stub_->DiffRootfs(&context, request, &response)));
    return response;
  }

  absl::StatusOr<image::v1::CommitRootfsResponse> CommitRootfs(
      const image::v1::CommitRootfsRequest& request) override {
    image::v1::CommitRootfsResponse response;
    grpc::ClientContext context;
    // A layer of the container's whole writable content: as long as a load.
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::minutes(10));
    AwaitConnected();
    RETURN_IF_ERROR(Check(stub_->CommitRootfs(&context, request, &response)));
    return response;
  }

  absl::StatusOr<std::vector<image::v1::Rootfs>> ListRootfs() override {
    image::v1::ListRootfsRequest request;
    image::v1::ListRootfsResponse response;
    grpc::ClientContext context;
    SetDeadline(context);
    AwaitConnected();
    RETURN_IF_ERROR(Check(stub_->ListRootfs(&context, request, &response)));
    return std::vector<image::v1::Rootfs>(response.snapshots().begin(),
                                          response.snapshots().end());
  }

 private:
  // UNAVAILABLE names imaged and its socket, so the user knows what to start.
  absl::Status Check(const grpc::Status& status) const {
    if (status.ok()) return absl::OkStatus();
    if (status.error_code() == grpc::StatusCode::UNAVAILABLE) {
      return absl::UnavailableError(absl::StrCat(
          "imaged is unreachable at ", socket_path_,
          ": start berthd or berth-imaged (", status.error_message(), ")"));
    }
    return FromGrpcStatus(status);
  }

  // A split imaged may start after containerd, or restart: gRPC's default
  // reconnect backoff (up to two minutes) would fail calls fast long after
  // imaged is back (the fault harness saw creates refused with imaged up).
  static grpc::ChannelArguments ReconnectQuickly() {
    grpc::ChannelArguments arguments;
    arguments.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
    arguments.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
    arguments.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
    return arguments;
  }

  // Gives a channel that is not connected a moment to connect (it may be
  // between reconnect attempts), so a call does not fail fast on the last
  // attempt's error; an imaged that is really down is still reported soon.
  void AwaitConnected() {
    if (channel_->GetState(/*try_to_connect=*/true) == GRPC_CHANNEL_READY) return;
    channel_->WaitForConnected(std::chrono::system_clock::now() +
                               std::chrono::milliseconds(kConnectGraceMs));
  }

  static void SetDeadline(grpc::ClientContext& context) {
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(kDeadlineSeconds));
  }

  std::string socket_path_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<image::v1::ImageService::Stub> stub_;
};

}  // namespace

std::unique_ptr<ImageSource> NewImagedClient(const std::string& socket_path) {
  return std::make_unique<ImagedClient>(socket_path);
}

}  // namespace berth::containerd
