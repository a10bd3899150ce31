// A container's network as containerd handles it: the namespace it gets
// (NetnsStore), the request that asks netd to wire it (AttachRequestFor),
// and the record of what netd answered (network_settings). The supervisor
// attaches at every start of a container on a bridge or user network and
// releases at its exit and removal (container_network.cc).
#ifndef BERTH_SERVICES_CONTAINERD_CONTAINER_NETWORK_H_
#define BERTH_SERVICES_CONTAINERD_CONTAINER_NETWORK_H_

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "berth/container/v1/container.pb.h"
#include "berth/network/v1/network.pb.h"

namespace spdlog {
class logger;
}

namespace berth::containerd {

// The network namespaces of containers, one per container id, each kept
// by a bind mount (common/netns.h) so netd can wire it before the init
// joins it by path.
class NetnsStore {
 public:
  virtual ~NetnsStore() = default;
  virtual std::string PathOf(const std::string& id) const = 0;
  // A new namespace at PathOf(id), replacing one left there.
  virtual absl::Status Create(const std::string& id) = 0;
  // Fine when there is none.
  virtual absl::Status Remove(const std::string& id) = 0;
  // The ids that have one.
  virtual std::set<std::string> List() const = 0;
};

// Namespaces bound under `dir` (RUN_ROOT/netns), made when first needed;
// a thread of the store keeps two made ahead, so a start only binds one.
std::unique_ptr<NetnsStore> NewBoundNetnsStore(const std::string& dir,
                                               spdlog::logger& log);

// Whether the container's network comes from netd (bridge or a user
// network), as opposed to none, host or another container's.
bool UsesNetd(const container::v1::Container& container);

// netd's request for the container's start: the networks its record lists
// (or, none listed, its mode's and its networking_config's), the mode's
// first (the primary one), the others in name order, each with its
// endpoint config; ports
// (-p, and with -P every exposed port), DNS settings and extra hosts.
network::v1::AttachContainerRequest AttachRequestFor(
    const container::v1::Container& container, const std::string& netns_path);

// The record of a running container's attachment, keyed by network name as
// Docker's NetworkSettings.Networks.
void RecordAttachment(const network::v1::AttachContainerResponse& attached,
                      const std::string& netns_path,
                      container::v1::Container* container);
// A container without a process keeps its networks' names and ids only.
void ForgetAttachment(container::v1::Container* container);

// The network mode's network as netd knows it ("bridge" for the default
// and for modes that are no network).
std::string PrimaryNetwork(const container::v1::Container& container);

// netd's request for `network connect` of the running container: its
// namespace (the record's sandbox key), `network` with `config`, its DNS
// overrides.
network::v1::ConnectContainerRequest ConnectRequestFor(
    const container::v1::Container& container, const std::string& network,
    const types::v1::EndpointConfig& config);

// ... and for `network disconnect` of it (`force`: drop the record even if
// the kernel's side cannot be undone).
network::v1::DisconnectContainerRequest DisconnectRequestFor(
    const container::v1::Container& container, const std::string& network,
    bool force);

// Docker's edits of a running container's /etc/hosts: a connect adds the
// new address with the container's hostname, a disconnect drops the lines
// of the address it loses. Everything else in the file stays.
std::string HostsWithAddress(absl::string_view hosts,
                             const container::v1::Container& container,
                             const std::string& ip);
std::string HostsWithoutAddress(absl::string_view hosts, const std::string& ip);

// The record without `network` (a canonical name) after a disconnect: in
// neither settings nor networking config. The mode stays (Docker's
// HostConfig.NetworkMode): the next start attaches the networks left, or
// the mode's again when none is.
void ForgetNetwork(container::v1::Container* container, const std::string& network);

// One `--link NAME[:ALIAS]`: INVALID_ARGUMENT for an empty name or alias.
struct Link {
  std::string name;
  std::string alias;  // the name when not given
};
absl::StatusOr<Link> ParseLink(const std::string& link);

// What a link to `target` (at `ip` on the default bridge) gives the
// container named `name`: its /etc/hosts line (the alias, the target's
// hostname and name) and Docker's legacy environment: ALIAS_PORT and
// ALIAS_PORT_<port>_<PROTO>{,_ADDR,_PORT,_PROTO} for each exposed port,
// ALIAS_NAME=/NAME/ALIAS, and ALIAS_ENV_<key> for the target's environment
// (but HOME and PATH), ALIAS in upper case with '-' as '_'.
types::v1::HostEntry LinkHostEntry(const Link& link,
                                   const container::v1::Container& target,
                                   const std::string& ip);
// The links' variables, but those the container sets itself, before its
// own (Docker's order: the container's win).
google::protobuf::RepeatedPtrField<std::string> WithLinkEnvironment(
    const std::vector<std::string>& links,
    const google::protobuf::RepeatedPtrField<std::string>& own);
std::vector<std::string> LinkEnvironment(const Link& link,
                                         const std::string& name,
                                         const container::v1::Container& target,
                                         const std::string& ip);

}  // namespace berth::containerd

#endif  // BERTH_SERVICES_CONTAINERD_CONTAINER_NETWORK_H_
