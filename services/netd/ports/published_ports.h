// Which host ports a container's published ports get: Docker's rules, pure
// but for the HostPorts probe. An explicit host port must be free among the
// ports netd published already and on the host; a host port of 0 (`-p 80`,
// `-P`) gets the first free one of the ephemeral range.
#ifndef BERTH_SERVICES_NETD_PORTS_PUBLISHED_PORTS_H_
#define BERTH_SERVICES_NETD_PORTS_PUBLISHED_PORTS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "berth/types/v1/types.pb.h"
#include "services/netd/ports/host_ports.h"

namespace berth::netd::ports {

// Docker's ephemeral ports (the kernel's default ip_local_port_range).
struct PortRange {
  uint32_t first = 32768;
  uint32_t last = 60999;
};

// An EXPOSEd "80/tcp" ("80" is tcp) as a binding to an ephemeral host port
// on every address; INVALID_ARGUMENT for anything else.
absl::StatusOr<types::v1::PortBinding> ExposedPort(const std::string& spec);

// Whether two bindings want the same host port: same protocol and port on
// the same address, or either on every address.
bool Clash(const types::v1::PortBinding& a, const types::v1::PortBinding& b);

// `wanted` with protocols made explicit and host ports chosen, in order.
// INVALID_ARGUMENT for a port out of 1..65535 or a host IP that is not
// IPv4; FAILED_PRECONDITION in Docker's words for a host port `taken`
// already ("Bind for 0.0.0.0:8080 failed: port is already allocated") or
// busy on the host; RESOURCE_EXHAUSTED when `range` has no free port.
absl::StatusOr<std::vector<types::v1::PortBinding>> ResolvePorts(
    const std::vector<types::v1::PortBinding>& wanted,
    const std::vector<types::v1::PortBinding>& taken, HostPorts& host,
    PortRange range = {});

}  // namespace berth::netd::ports

#endif  // BERTH_SERVICES_NETD_PORTS_PUBLISHED_PORTS_H_
