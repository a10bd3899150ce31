// ContainerSupervisor::Commit (`berth commit`): imaged turns the
// container's writable layer into a new image (CommitRootfs) whose config is
// the container's, over the image's (which keeps what a container has no
// say in: SHELL, ONBUILD), paused meanwhile unless asked not to, as Docker's
// commit does. A commit is a container event "commit" with Docker's
// attributes: the comment, the new image's id and its reference
// ("mine:latest"; "" without one).
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "services/containerd/container_supervisor.h"
#include "services/imaged/reference/reference.h"

namespace berth::containerd {

using container::v1::Container;

image::v1::ImageConfig CommittedConfig(const Container& container,
                                       const image::v1::ImageConfig& image) {
  const container::v1::ContainerConfig& config = container.config();
  image::v1::ImageConfig committed = image;
  committed.set_user(config.user());
  *committed.mutable_env() = config.env();
  *committed.mutable_entrypoint() = config.entrypoint().values();
  *committed.mutable_cmd() = config.cmd().values();
  committed.set_working_dir(config.working_dir());
  *committed.mutable_labels() = config.labels();
  committed.set_stop_signal(config.stop_signal());
  *committed.mutable_healthcheck() = config.healthcheck();
  for (const std::string& port : config.exposed_ports()) {
    if (std::find(committed.exposed_ports().begin(), committed.exposed_ports().end(),
                  port) == committed.exposed_ports().end()) {
      committed.add_exposed_ports(port);
    }
  }
  for (const std::string& volume : config.volumes()) {
    if (std::find(committed.volumes().begin(), committed.volumes().end(), volume) ==
        committed.volumes().end()) {
      committed.add_volumes(volume);
    }
  }
  return committed;
}

absl::StatusOr<std::string> ContainerSupervisor::Commit(
    const container::v1::CommitContainerRequest& request) {
  ASSIGN_OR_RETURN(Container container, records_->Find(request.id()));
  const std::string id = container.id();
  ASSIGN_OR_RETURN(image::v1::Image image, images_->InspectImage(container.image_id()));
  image::v1::CommitRootfsRequest commit;
  commit.set_key(container.rootfs_key());
  *commit.mutable_config() = CommittedConfig(container, image.config());
  *commit.mutable_changes() = request.changes();
  commit.set_author(request.author());
  commit.set_comment(request.comment());
  commit.set_reference(request.reference());
  std::vector<std::string> command = {container.path()};
  command.insert(command.end(), container.args().begin(), container.args().end());
  commit.set_created_by(absl::StrJoin(command, " "));
  commit.set_container_id(id);
  // A consistent layer: nothing writes to it while imaged reads it.
  const bool pause = !request.no_pause() &&
                     container.state().status() == container::v1::CONTAINER_STATUS_RUNNING;
  if (pause) RETURN_IF_ERROR(Pause(id));
  absl::StatusOr<image::v1::CommitRootfsResponse> committed =
      images_->CommitRootfs(commit);
  if (pause) {
    if (absl::Status resumed = Unpause(id); !resumed.ok()) {
      log_.error("container {}: unpausing it after the commit: {}", id,
                 std::string(resumed.message()));
    }
  }
  if (!committed.ok()) return committed.status();
  // Docker names the reference as its daemon tagged it: familiar, with the
  // default tag.
  std::string image_ref;
  if (!request.reference().empty()) {
    absl::StatusOr<imaged::Reference> parsed =
        imaged::ParseTagReference(request.reference());
    image_ref = parsed.ok() ? parsed->Familiar() : request.reference();
  }
  Emit(container, "commit",
       {{"comment", request.comment()},
        {"imageID", committed->image_id()},
        {"imageRef", image_ref}});
  log_.info("container {}: committed as {}{}", id, committed->image_id(),
            request.reference().empty() ? "" : absl::StrCat(" (", request.reference(), ")"));
  return committed->image_id();
}

}  // namespace berth::containerd
