// The container group's names for completion: every container's name.
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "berth/container/v1/container.grpc.pb.h"
#include "ctl/container/container_commands.h"
#include "ctl/container/container_group.h"

namespace berth::ctl {

std::vector<NameSource> ContainerNameSources() {
  auto containers = [](CommandContext& context)
      -> absl::StatusOr<std::vector<std::string>> {
    container::v1::ListContainersRequest request;
    request.set_all(true);
    container::v1::ListContainersResponse response;
    auto call = Connections::CallContext(absl::Seconds(10));
    const grpc::Status status =
        container_cli::ContainerStub(context)->ListContainers(
            call.get(), request, &response);
    if (!status.ok()) return container_cli::ContainerdError(context, status);
    std::vector<std::string> names;
    for (const auto& container : response.containers()) {
      names.push_back(container.name());
    }
    return names;
  };
  return {{ArgKind::kContainer, containers}};
}

}  // namespace berth::ctl
