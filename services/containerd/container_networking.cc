// The supervisor's side of networking: checking the networks a create
// names, attaching a starting container through netd (container_network.h)
// and releasing it at its exit, removal, or after a restart of containerd.
#include <functional>

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

// Docker's refusals of `network connect` for containers whose network is
// not netd's, and of connects to the modes that are no network.
absl::Status UnconnectableMode(const NetworkMode& mode) {
  switch (mode.kind) {
    case NetworkMode::Kind::kHost:
      return absl::FailedPreconditionError(
          "container cannot be disconnected from host network or connected "
          "to host network");
    case NetworkMode::Kind::kNone:
      return absl::FailedPreconditionError(
          "container cannot be connected to multiple networks with one of "
          "the networks in private (none) mode");
    case NetworkMode::Kind::kContainer:
      return absl::FailedPreconditionError(
          "container sharing network namespace with another container or "
          "host cannot be connected to any other network");
    default:
      return absl::OkStatus();
  }
}

// Whether the record holds a live attachment netd knows of.
bool Attached(const Container& container) {
  return HasProcess(container.state().status()) &&
         !container.network_settings().sandbox_key().empty();
}

absl::Status EditHosts(const Container& container,
                       const std::function<std::string(const std::string&)>& edit) {
  ASSIGN_OR_RETURN(std::string hosts,
                   ReadFileToString(container.hosts_path(), 1 << 20));
  return RewriteFileInPlace(container.hosts_path(), edit(hosts));
}

}  // namespace

absl::Status ContainerSupervisor::ChangeNetworks(
    const std::string& reference, const std::string& network_reference,
    const char* action, const NetworkChange& change) {
  ASSIGN_OR_RETURN(Container found, records_->Find(reference));
  std::shared_ptr<absl::Mutex> op = OpLock(found.id());
  absl::MutexLock op_lock(op.get());
  ASSIGN_OR_RETURN(Container container, Load(found.id()));
  ASSIGN_OR_RETURN(NetworkMode mode,
                   ParseNetworkMode(container.host_config().network_mode()));
  // The host's network is neither left nor joined (Docker's words).
  if (mode.kind == NetworkMode::Kind::kHost) return UnconnectableMode(mode);
  if (netd_ == nullptr) return NoNetd(container);
  ASSIGN_OR_RETURN(network::v1::Network network,
                   netd_->InspectNetwork(network_reference));
  if (network.name() == "host") {
    return UnconnectableMode({NetworkMode::Kind::kHost, ""});
  }
  bool changed = false;
  RETURN_IF_ERROR(change(container, mode, network, &changed));
  if (!changed) return absl::OkStatus();
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(Save(container));
  log_.info("container {}: {} network {}", container.id(), action,
            network.name());
  return absl::OkStatus();
}

absl::StatusOr<types::v1::NetworkEndpoint> ContainerSupervisor::ConnectNetwork(
    const container::v1::ConnectContainerNetworkRequest& request) {
  types::v1::NetworkEndpoint endpoint;
  RETURN_IF_ERROR(ChangeNetworks(
      request.id(), request.network(), "connected to",
      [&](Container& container, const NetworkMode& mode,
          const network::v1::Network& network, bool* changed) -> absl::Status {
        RETURN_IF_ERROR(UnconnectableMode(mode));
        if (network.name() == "none") {
          return UnconnectableMode({NetworkMode::Kind::kNone, ""});
        }
        if (container.network_settings().networks().count(network.name()) > 0) {
          return absl::AlreadyExistsError(
              absl::StrCat("endpoint with name ", container.name(),
                           " already exists in network ", network.name()));
        }
        const types::v1::EndpointConfig& config = request.endpoint_config();
        // netd refuses these too, but a stopped container's connect never
        // reaches it before its start.
        if (network.predefined() &&
            (!config.ipv4_address().empty() || !config.aliases().empty())) {
          return absl::InvalidArgumentError(
              !config.ipv4_address().empty()
                  ? "user specified IP address is supported on user defined "
                    "networks only"
                  : "network-scoped alias is supported only for containers in "
                    "user defined networks");
        }
        types::v1::NetworkEndpoint recorded;
        if (Attached(container)) {
          ASSIGN_OR_RETURN(
              network::v1::ConnectContainerResponse connected,
              netd_->Connect(ConnectRequestFor(container, network.name(), config)));
          endpoint = connected.endpoint();
          recorded = endpoint;
          absl::Status written = EditHosts(container, [&](const std::string& hosts) {
            return HostsWithAddress(hosts, container, endpoint.ipv4_address());
          });
          if (written.ok() && !connected.resolv_conf().empty()) {
            written = RewriteFileInPlace(container.resolv_conf_path(),
                                         connected.resolv_conf());
          }
          if (!written.ok()) {
            absl::Status undone = netd_->Disconnect(
                DisconnectRequestFor(container, network.name(), /*force=*/true));
            if (!undone.ok()) {
              log_.error("container {}: undoing its connect to {}: {}",
                         container.id(), network.name(),
                         std::string(undone.message()));
            }
            return written;
          }
        } else {
          recorded.set_network_id(network.id());
          recorded.set_network_name(network.name());
        }
        (*container.mutable_network_settings()->mutable_networks())[network.name()] =
            recorded;
        (*container.mutable_networking_config()->mutable_endpoints())[network.name()] =
            config;
        *changed = true;
        return absl::OkStatus();
      }));
  return endpoint;
}

absl::Status ContainerSupervisor::DisconnectNetwork(
    const container::v1::DisconnectContainerNetworkRequest& request) {
  return ChangeNetworks(
      request.id(), request.network(), "disconnected from",
      [&](Container& container, const NetworkMode&,
          const network::v1::Network& network, bool* changed) -> absl::Status {
        auto connected = container.network_settings().networks().find(network.name());
        if (connected == container.network_settings().networks().end()) {
          if (request.force()) return absl::OkStatus();
          return absl::NotFoundError(absl::StrCat("container ", container.id(),
                                                  " is not connected to network ",
                                                  network.name()));
        }
        if (Attached(container)) {
          absl::Status detached = netd_->Disconnect(
              DisconnectRequestFor(container, network.name(), request.force()));
          if (!detached.ok() && !request.force()) return detached;
          if (!detached.ok()) {
            log_.error("container {}: forced disconnect from {}: {}",
                       container.id(), network.name(),
                       std::string(detached.message()));
          }
          const std::string ip = connected->second.ipv4_address();
          if (!ip.empty()) {
            absl::Status written = EditHosts(container, [&](const std::string& hosts) {
              return HostsWithoutAddress(hosts, ip);
            });
            if (!written.ok()) {
              log_.error("container {}: /etc/hosts keeps {}: {}", container.id(),
                         ip, std::string(written.message()));
            }
          }
        }
        ForgetNetwork(&container, network.name());
        *changed = true;
        return absl::OkStatus();
      });
}

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
