// The supervisor's side of networking: checking the networks a create
// names, attaching a starting container through netd (container_network.h)
// and releasing it at its exit, removal, or after a restart of containerd.
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "services/containerd/container_supervisor.h"
#include "services/containerd/network_mode.h"

namespace berth::containerd {

using container::v1::Container;

namespace {

absl::Status NoNetd(const Container& container) {
  return absl::FailedPreconditionError(absl::StrCat(
      "network \"", container.host_config().network_mode(),
      "\" needs netd, which this containerd is not connected to: use "
      "--network none or --network host"));
}

}  // namespace

absl::Status ContainerSupervisor::CheckNetworks(Container* container) {
  if (!UsesNetd(*container)) {
    if (!container->networking_config().endpoints().empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "container cannot be connected to other networks with network "
          "mode \"",
          container->host_config().network_mode(), "\""));
    }
    return absl::OkStatus();
  }
  if (netd_ == nullptr) return NoNetd(*container);
  const network::v1::AttachContainerRequest request =
      AttachRequestFor(*container, "");
  container::v1::NetworkSettings* settings =
      container->mutable_network_settings();
  for (const network::v1::NetworkAttachment& attachment : request.networks()) {
    ASSIGN_OR_RETURN(network::v1::Network network,
                     netd_->InspectNetwork(attachment.network()));
    if (network.name() == "host" || network.name() == "none") {
      return absl::InvalidArgumentError(
          absl::StrCat("network \"", network.name(),
                       "\" is a network mode, not a network "
                       "to attach to: use --network ",
                       network.name(), " alone"));
    }
    types::v1::NetworkEndpoint& named =
        (*settings->mutable_networks())[network.name()];
    named.set_network_name(network.name());
  }
  return absl::OkStatus();
}

absl::StatusOr<network::v1::AttachContainerResponse>
ContainerSupervisor::AttachNetwork(const Container& container) {
  if (netd_ == nullptr || netns_ == nullptr) return NoNetd(container);
  const std::string& id = container.id();
  RETURN_IF_ERROR(netns_->Create(id));
  absl::StatusOr<network::v1::AttachContainerResponse> attached =
      netd_->Attach(AttachRequestFor(container, netns_->PathOf(id)));
  if (!attached.ok()) {
    // netd attaches all or nothing: only the namespace is left to undo.
    absl::Status removed = netns_->Remove(id);
    if (!removed.ok()) {
      log_.error("container {}: {}", id, std::string(removed.message()));
    }
    return Annotate(attached.status(), absl::StrCat("attaching container ", id,
                                                    " to its networks"));
  }
  log_.info("container {}: attached to {} network(s)", id,
            attached->endpoints_size());
  return attached;
}

void ContainerSupervisor::ReleaseNetwork(const Container& container) {
  if (!UsesNetd(container) || netd_ == nullptr || netns_ == nullptr) return;
  const std::string& id = container.id();
  // netd first, while the namespace still holds the container's side.
  absl::Status detached = netd_->Detach(id, netns_->PathOf(id));
  if (!detached.ok()) {
    // The sweep at the next start of containerd tries again.
    log_.error("container {}: releasing its network endpoints: {}", id,
               std::string(detached.message()));
  }
  absl::Status removed = netns_->Remove(id);
  if (!removed.ok()) {
    log_.error("container {}: {}", id, std::string(removed.message()));
  }
}

void ContainerSupervisor::RemoveStaleNamespaces() {
  if (netns_ == nullptr) return;
  for (const std::string& id : netns_->List()) {
    absl::StatusOr<Container> container = Load(id);
    if (container.ok() && HasProcess(container->state().status())) continue;
    absl::Status removed = netns_->Remove(id);
    if (!removed.ok()) {
      log_.error("container {}: {}", id, std::string(removed.message()));
    }
  }
}

void ContainerSupervisor::SweepStaleEndpoints(int attempt) {
  absl::StatusOr<std::vector<types::v1::NetworkEndpoint>> endpoints =
      netd_->ListEndpoints();
  if (!endpoints.ok()) {
    if (RetrySweep(attempt, endpoints.status(),
                   [this](int next) { SweepStaleEndpoints(next); })) {
      return;
    }
    log_.warn(
        "endpoints of containers that ended while containerd was down "
        "stay until the next start: {}",
        std::string(endpoints.status().message()));
    return;
  }
  std::set<std::string> ids;
  for (const types::v1::NetworkEndpoint& endpoint : *endpoints) {
    ids.insert(endpoint.container_id());
  }
  for (const std::string& id : ids) {
    // A start holds the container's operation lock from its attach to its
    // record: taken, the record tells whether the endpoints are in use.
    std::shared_ptr<absl::Mutex> op = OpLock(id);
    absl::MutexLock op_lock(op.get());
    absl::StatusOr<Container> container = Load(id);
    if (container.ok() && HasProcess(container->state().status())) continue;
    absl::Status detached = netd_->Detach(id, "");
    if (detached.ok()) {
      log_.warn(
          "container {}: released the network endpoints it held "
          "without running",
          id);
    } else {
      log_.error("container {}: releasing stale network endpoints: {}", id,
                 std::string(detached.message()));
    }
  }
}

}  // namespace berth::containerd
