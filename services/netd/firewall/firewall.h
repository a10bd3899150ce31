// What netd asks of the host's packet filter: Berth's table as a whole.
// NftFirewall does it through libnftables; the controller's tests use a
// fake.
#ifndef BERTH_SERVICES_NETD_FIREWALL_FIREWALL_H_
#define BERTH_SERVICES_NETD_FIREWALL_FIREWALL_H_

#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/netd/firewall/ruleset.h"

namespace berth::netd::firewall {

class Firewall {
 public:
  virtual ~Firewall() = default;
  // Replaces Berth's table with `rules` atomically; the rest of the host's
  // ruleset is never touched.
  virtual absl::Status Apply(const Ruleset& rules) = 0;
};

// libnftables in the calling process's network namespace. Apply also turns
// on what the rules need of the kernel: IPv4 forwarding, and
// route_localnet on each bridge (127.0.0.1 DNATed to a container).
absl::StatusOr<std::unique_ptr<Firewall>> NewNftFirewall();

}  // namespace berth::netd::firewall

#endif  // BERTH_SERVICES_NETD_FIREWALL_FIREWALL_H_
