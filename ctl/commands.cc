#include "ctl/commands.h"

#include "ctl/container/container_group.h"
#include "ctl/image/image_group.h"
#include "ctl/system/system_group.h"

namespace berth::ctl {

absl::Status RegisterBuiltinCommands(CommandRegistry& registry) {
  for (auto* table : {&SystemCommands, &ImageCommands, &ContainerCommands}) {
    if (absl::Status status = registry.RegisterAll((*table)()); !status.ok()) {
      return status;
    }
  }
  return absl::OkStatus();
}

}  // namespace berth::ctl
