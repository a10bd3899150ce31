// The supervisor's side of networking: checking the networks a create
// names, attaching a starting container through netd (container_network.h)
// and releasing it at its exit, removal, or after a restart of containerd.
#include "absl/strings/str_cat.h"
#include "common/fs_util.h"
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
  ASSIGN_OR_RETURN(NetworkMode mode,
                   ParseNetworkMode(container->host_config().network_mode()));
  if (mode.kind == NetworkMode::Kind::kContainer) {
    // Docker's "No such container: NAME" at create.
    RETURN_IF_ERROR(records_->Find(mode.name).status());
    if (!container->config().hostname().empty() &&
        container->config().hostname() != container->id().substr(0, 12)) {
      return absl::InvalidArgumentError(
          "conflicting options: hostname and the network mode");
    }
  }
  for (const std::string& text : container->host_config().links()) {
    if (mode.kind != NetworkMode::Kind::kBridge) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--link works on the default bridge only, not with network mode \"",
          mode.ToString(), "\": on a user network containers find each other by "
          "name, or use --network-alias"));
    }
    ASSIGN_OR_RETURN(Link link, ParseLink(text));
    RETURN_IF_ERROR(records_->Find(link.name).status());
  }
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

absl::StatusOr<ContainerSupervisor::ResolvedLinks>
ContainerSupervisor::ResolveLinks(const Container& container) {
  ResolvedLinks resolved;
  for (const std::string& text : container.host_config().links()) {
    ASSIGN_OR_RETURN(Link link, ParseLink(text));
    ASSIGN_OR_RETURN(Container target, records_->Find(link.name));
    if (!HasProcess(target.state().status())) {
      return absl::FailedPreconditionError(absl::StrCat(
          "cannot link to a non running container: /", target.name(),
          " AS /", container.name(), "/", link.alias));
    }
    auto bridge = target.network_settings().networks().find("bridge");
    if (bridge == target.network_settings().networks().end() ||
        bridge->second.ipv4_address().empty()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "cannot link to /", target.name(),
          ": it is not on the default bridge network"));
    }
    const std::string& ip = bridge->second.ipv4_address();
    resolved.hosts.push_back(LinkHostEntry(link, target, ip));
    for (std::string& variable :
         LinkEnvironment(link, container.name(), target, ip)) {
      resolved.env.push_back(std::move(variable));
    }
  }
  return resolved;
}

absl::StatusOr<network::v1::AttachContainerResponse>
ContainerSupervisor::AttachNetwork(const Container& container,
                                   const std::vector<types::v1::HostEntry>& links) {
  if (netd_ == nullptr || netns_ == nullptr) return NoNetd(container);
  const std::string& id = container.id();
  network::v1::AttachContainerRequest request =
      AttachRequestFor(container, netns_->PathOf(id));
  for (const types::v1::HostEntry& entry : links) {
    *request.add_extra_hosts() = entry;
  }
  RETURN_IF_ERROR(netns_->Create(id));
  absl::StatusOr<network::v1::AttachContainerResponse> attached =
      netd_->Attach(request);
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

absl::StatusOr<ContainerSupervisor::JoinedNetwork>
ContainerSupervisor::JoinNetwork(const Container& container) {
  ASSIGN_OR_RETURN(NetworkMode mode,
                   ParseNetworkMode(container.host_config().network_mode()));
  ASSIGN_OR_RETURN(Container other, records_->Find(mode.name));
  if (other.id() == container.id()) {
    return absl::InvalidArgumentError(
        "cannot join own network namespace: name another container");
  }
  if (!HasProcess(other.state().status()) || other.state().pid() <= 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot join network namespace of a non running container: ",
        other.id()));
  }
  JoinedNetwork joined;
  // Its bound namespace, or the one its init is in (none, or joined).
  joined.netns_path = !other.network_settings().sandbox_key().empty()
                          ? other.network_settings().sandbox_key()
                          : absl::StrCat("/proc/", other.state().pid(), "/ns/net");
  ASSIGN_OR_RETURN(std::string hosts,
                   ReadFileToString(other.hosts_path(), 1 << 20));
  ASSIGN_OR_RETURN(std::string resolv_conf,
                   ReadFileToString(other.resolv_conf_path(), 1 << 20));
  joined.hostname = other.config().hostname();
  joined.files.set_hosts(std::move(hosts));
  joined.files.set_resolv_conf(std::move(resolv_conf));
  return joined;
}

absl::StatusOr<ContainerSupervisor::StartNetwork>
ContainerSupervisor::PrepareNetwork(Container& container, shim::ShimSpec& spec) {
  ASSIGN_OR_RETURN(NetworkMode mode,
                   ParseNetworkMode(container.host_config().network_mode()));
  StartNetwork network;
  if (UsesNetd(container)) {
    ASSIGN_OR_RETURN(ResolvedLinks links, ResolveLinks(container));
    *spec.mutable_env() = WithLinkEnvironment(links.env, spec.env());
    ASSIGN_OR_RETURN(network.files, AttachNetwork(container, links.hosts));
    network.attached = true;
    spec.set_network_mode(::berth::shim::v1::NETWORK_MODE_PATH);
    spec.set_netns_path(netns_->PathOf(container.id()));
  } else if (mode.kind == NetworkMode::Kind::kContainer) {
    ASSIGN_OR_RETURN(JoinedNetwork joined, JoinNetwork(container));
    spec.set_network_mode(::berth::shim::v1::NETWORK_MODE_PATH);
    spec.set_netns_path(joined.netns_path);
    spec.set_hostname(joined.hostname);
    container.mutable_config()->set_hostname(joined.hostname);
    network.files = std::move(joined.files);
  }
  return network;
}

void ContainerSupervisor::ReleaseNetwork(const Container& container) {
  if (!UsesNetd(container) || netd_ == nullptr || netns_ == nullptr) return;
  const std::string& id = container.id();
  // netd first, while the namespace still holds the container's side; the
  // namespace's end takes the veths with it.
  absl::Status detached =
      netd_->Detach(id, netns_->PathOf(id), /*namespace_ends=*/true);
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
    absl::Status detached = netd_->Detach(id, "", /*namespace_ends=*/false);
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
