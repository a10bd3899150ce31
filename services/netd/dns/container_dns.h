// The embedded DNS server as netd's controller drives it: listening for a
// container once it is attached to a user network, and no more once it is
// detached. DnsServer (dns_server.h) in the daemon; a fake in tests.
#ifndef BERTH_SERVICES_NETD_DNS_CONTAINER_DNS_H_
#define BERTH_SERVICES_NETD_DNS_CONTAINER_DNS_H_

#include <string>

#include "absl/status/status.h"

namespace berth::netd::dns {

class ContainerDns {
 public:
  virtual ~ContainerDns() = default;
  // Serves the container at 127.0.0.11 inside the namespace at
  // `netns_path`; again for the same container replaces the first.
  virtual absl::Status Listen(const std::string& container_id,
                              const std::string& netns_path) = 0;
  // Fine when it is not served.
  virtual void Close(const std::string& container_id) = 0;
};

}  // namespace berth::netd::dns

#endif  // BERTH_SERVICES_NETD_DNS_CONTAINER_DNS_H_
