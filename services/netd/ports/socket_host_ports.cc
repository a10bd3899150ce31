// HostPorts by bind(2): a socket bound without SO_REUSEADDR fails with
// EADDRINUSE where a process listens (or is bound) already.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "services/netd/ports/host_ports.h"

namespace berth::netd::ports {
namespace {

class SocketHostPorts final : public HostPorts {
 public:
  absl::Status Probe(types::v1::Protocol protocol, const std::string& host_ip,
                     uint32_t port) override {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    const std::string ip = host_ip.empty() ? "0.0.0.0" : host_ip;
    if (inet_pton(AF_INET, ip.c_str(), &address.sin_addr) != 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid host IP \"", host_ip, "\" for a published port"));
    }
    const int type = protocol == types::v1::PROTOCOL_UDP ? SOCK_DGRAM : SOCK_STREAM;
    const int ip_protocol =
        protocol == types::v1::PROTOCOL_SCTP ? IPPROTO_SCTP : 0;
    const int fd = socket(AF_INET, type | SOCK_CLOEXEC, ip_protocol);
    const std::string where = absl::StrCat(ip, ":", port);
    if (fd < 0) return ErrnoStatus(errno, "socket to probe", where);
    const int bound =
        bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address));
    const int err = errno;
    close(fd);
    if (bound == 0) return absl::OkStatus();
    if (err == EADDRINUSE) {
      return absl::FailedPreconditionError(absl::StrCat(
          "Bind for ", where, " failed: address already in use"));
    }
    if (err == EADDRNOTAVAIL) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Bind for ", where, " failed: ", ip, " is not an address of this host"));
    }
    return ErrnoStatus(err, "bind to probe", where);
  }
};

}  // namespace

std::unique_ptr<HostPorts> NewSocketHostPorts() {
  return std::make_unique<SocketHostPorts>();
}

}  // namespace berth::netd::ports
