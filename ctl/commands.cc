#include "ctl/commands.h"

#include <string>
#include <vector>

#include "ctl/container/container_group.h"
#include "ctl/image/image_group.h"
#include "ctl/network/network_group.h"
#include "ctl/shell/shell_group.h"
#include "ctl/system/system_group.h"
#include "ctl/volume/volume_group.h"

namespace berth::ctl {
namespace {

// What `berth inspect` finds: containers, then images.
NameSource ObjectNames(const CommandRegistry& registry) {
  const CommandRegistry* table = &registry;
  return {ArgKind::kObject,
          [table](CommandContext& context)
              -> absl::StatusOr<std::vector<std::string>> {
            std::vector<std::string> names;
            for (ArgKind kind : {ArgKind::kContainer, ArgKind::kImage}) {
              absl::StatusOr<std::vector<std::string>> some =
                  table->FindNameSource(kind)->list(context);
              if (!some.ok()) return some.status();
              names.insert(names.end(), some->begin(), some->end());
            }
            return names;
          }};
}

}  // namespace

absl::Status RegisterBuiltinCommands(CommandRegistry& registry) {
  for (std::vector<CommandSpec> table :
       {SystemCommands(), EventsCommands(), ImageCommands(), RegistryCommands(),
        ContainerCommands(),
        NetworkCommands(), VolumeCommands(), ShellCommands(registry)}) {
    if (absl::Status status = registry.RegisterAll(std::move(table));
        !status.ok()) {
      return status;
    }
  }
  for (std::vector<NameSource> sources :
       {ContainerNameSources(), ImageNameSources(), NetworkNameSources(),
        VolumeNameSources(),
        std::vector<NameSource>{ObjectNames(registry)}}) {
    for (NameSource& source : sources) {
      if (absl::Status status = registry.RegisterNameSource(std::move(source));
          !status.ok()) {
        return status;
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace berth::ctl
