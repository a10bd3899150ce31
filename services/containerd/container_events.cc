// Container events (`berth events`): what Docker's daemon attaches to each
// (LogContainerEventWithAttributes): the container's labels, then its image
// as the user named it and its name, then the action's own attributes.
#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/containerd/container_supervisor.h"

namespace berth::containerd {

void ContainerSupervisor::Emit(const container::v1::Container& container,
                               const std::string& action,
                               const std::map<std::string, std::string>& extra) {
  std::map<std::string, std::string> attributes(
      container.config().labels().begin(), container.config().labels().end());
  attributes["image"] = container.config().image();
  attributes["name"] = container.name();
  for (const auto& [key, value] : extra) attributes[key] = value;
  events_.Emit(types::v1::OBJECT_TYPE_CONTAINER, action, container.id(),
               attributes);
}

void ContainerSupervisor::EmitExec(const std::string& id,
                                   const std::string& action,
                                   const std::string& exec_id,
                                   const std::map<std::string, std::string>& extra) {
  absl::StatusOr<container::v1::Container> container = records_->Find(id);
  if (!container.ok()) return;  // removed meanwhile: nothing to name
  std::map<std::string, std::string> attributes = extra;
  attributes["execID"] = exec_id;
  Emit(*container, action, attributes);
}

std::string ExecAction(const std::string& action,
                       const container::v1::ExecConfig& config) {
  // Docker names the command in exec_create and exec_start ("exec_start:
  // sh -c date"); filters match the bare word as a prefix.
  return absl::StrCat(action, ": ", absl::StrJoin(config.cmd(), " "));
}

std::string HealthWord(container::v1::Health::Status status) {
  switch (status) {
    case container::v1::Health::STATUS_STARTING:
      return "starting";
    case container::v1::Health::STATUS_HEALTHY:
      return "healthy";
    case container::v1::Health::STATUS_UNHEALTHY:
      return "unhealthy";
    default:
      return "none";
  }
}

}  // namespace berth::containerd
