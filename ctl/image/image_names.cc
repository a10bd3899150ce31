// The image group's names for completion: every tag, as `berth images`
// shows it ("busybox:latest").
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "berth/image/v1/image.grpc.pb.h"
#include "ctl/image/image_commands.h"
#include "ctl/image/image_group.h"

namespace berth::ctl {

std::vector<NameSource> ImageNameSources() {
  auto images = [](CommandContext& context)
      -> absl::StatusOr<std::vector<std::string>> {
    image::v1::ListImagesRequest request;
    image::v1::ListImagesResponse response;
    auto call = Connections::CallContext(absl::Seconds(10));
    const grpc::Status status =
        image_cli::ImageStub(context)->ListImages(call.get(), request,
                                                  &response);
    if (!status.ok()) return image_cli::ImagedError(context, status);
    std::vector<std::string> names;
    for (const auto& image : response.images()) {
      names.insert(names.end(), image.repo_tags().begin(),
                   image.repo_tags().end());
    }
    return names;
  };
  return {{ArgKind::kImage, images}};
}

}  // namespace berth::ctl
