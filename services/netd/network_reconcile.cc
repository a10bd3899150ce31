// NetworkController's start after a crash: the records against the kernel.
// Endpoints whose container namespace ended while netd was down are
// released (their veths went with the namespace), and veths on Berth's
// bridges that no record names (a kill -9 between wiring one and
// recording it) are removed. The firewall table is made again from what is
// left (Open).
#include <set>

#include "services/netd/network_controller.h"
#include "services/netd/network_records.h"
#include "spdlog/spdlog.h"

namespace berth::netd {

void NetworkController::ReconcileLocked() {
  std::set<std::string> ended;
  std::set<std::string> recorded_veths;
  absl::Status listed = EndpointsTable().ForEach(
      store_, [&](const types::v1::NetworkEndpoint& endpoint) {
        if (!endpoint.netns_path().empty() &&
            !driver_.NamespaceExists(endpoint.netns_path())) {
          ended.insert(endpoint.container_id());
        } else {
          recorded_veths.insert(endpoint.host_interface());
        }
        return true;
      });
  if (!listed.ok()) {
    log_.error("reading endpoints to check them against the kernel: {}",
               listed.ToString());
    return;
  }
  for (const std::string& container_id : ended) {
    absl::Status released = DetachLocked(container_id, {}, /*namespace_ends=*/true);
    if (released.ok()) {
      log_.warn("container {}: released the endpoints of a namespace that ended "
                "while netd was down",
                container_id);
    } else {
      log_.error("container {}: releasing its ended endpoints: {}", container_id,
                 released.ToString());
    }
  }
  for (const auto& [id, network] : networks_) {
    if (network.driver() != "bridge") continue;
    absl::StatusOr<std::vector<std::string>> ports = driver_.Ports(network.bridge_name());
    if (!ports.ok()) {
      log_.error("network {}: listing the ports of {}: {}", id,
                 network.bridge_name(), ports.status().ToString());
      continue;
    }
    for (const std::string& port : *ports) {
      if (recorded_veths.count(port) > 0) continue;
      absl::Status removed = driver_.RemoveEndpoint(port);
      if (removed.ok()) {
        log_.warn("network {}: removed {}, a veth on {} no endpoint holds", id,
                  port, network.bridge_name());
      } else {
        log_.error("network {}: removing the stray veth {}: {}", id, port,
                   removed.ToString());
      }
    }
  }
}

}  // namespace berth::netd
