// The host's side of publishing a port: whether a host address and port
// can be had (a process may listen there already). An interface so the
// allocation rules are tested without sockets.
#ifndef BERTH_SERVICES_NETD_PORTS_HOST_PORTS_H_
#define BERTH_SERVICES_NETD_PORTS_HOST_PORTS_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "berth/types/v1/types.pb.h"

namespace berth::netd::ports {

class HostPorts {
 public:
  virtual ~HostPorts() = default;
  // OK when `port` of `protocol` on `host_ip` ("" for every address) is
  // free on the host now; FAILED_PRECONDITION naming it when not.
  virtual absl::Status Probe(types::v1::Protocol protocol,
                             const std::string& host_ip, uint32_t port) = 0;
};

// Probes by binding a socket of the protocol to the address and closing it.
std::unique_ptr<HostPorts> NewSocketHostPorts();

}  // namespace berth::netd::ports

#endif  // BERTH_SERVICES_NETD_PORTS_HOST_PORTS_H_
