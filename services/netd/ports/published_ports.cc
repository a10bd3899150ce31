#include "services/netd/ports/published_ports.h"

#include <arpa/inet.h>

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/proto_util.h"
#include "common/status_macros.h"

namespace berth::netd::ports {
namespace {

using types::v1::PortBinding;

bool EveryAddress(const std::string& ip) { return ip.empty() || ip == "0.0.0.0"; }

std::string HostAddress(const PortBinding& binding) {
  return absl::StrCat(EveryAddress(binding.host_ip()) ? "0.0.0.0" : binding.host_ip(),
                      ":", binding.host_port());
}

absl::Status Validate(const PortBinding& binding) {
  if (binding.container_port() < 1 || binding.container_port() > 65535) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid container port ", binding.container_port(), ": use 1-65535"));
  }
  if (binding.host_port() > 65535) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid host port ", binding.host_port(), ": use 1-65535"));
  }
  in_addr parsed{};
  if (!binding.host_ip().empty() &&
      inet_pton(AF_INET, binding.host_ip().c_str(), &parsed) != 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid host IP \"", binding.host_ip(),
        "\" for a published port: Berth publishes on IPv4 addresses"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<PortBinding> ExposedPort(const std::string& spec) {
  const size_t slash = spec.find('/');
  const std::optional<types::v1::Protocol> protocol =
      ProtocolNamed(slash == std::string::npos ? "" : spec.substr(slash + 1));
  uint32_t port = 0;
  if (!absl::SimpleAtoi(spec.substr(0, slash), &port) || port < 1 || port > 65535 ||
      !protocol.has_value()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid exposed port \"", spec, "\": use PORT[/tcp|udp|sctp]"));
  }
  PortBinding binding;
  binding.set_container_port(port);
  binding.set_protocol(*protocol);
  return binding;
}

bool Clash(const PortBinding& a, const PortBinding& b) {
  return std::string(ProtocolName(a.protocol())) == ProtocolName(b.protocol()) &&
         a.host_port() == b.host_port() &&
         (EveryAddress(a.host_ip()) || EveryAddress(b.host_ip()) ||
          a.host_ip() == b.host_ip());
}

absl::StatusOr<std::vector<PortBinding>> ResolvePorts(
    const std::vector<PortBinding>& wanted, const std::vector<PortBinding>& taken,
    HostPorts& host, PortRange range) {
  std::vector<PortBinding> resolved;
  auto free_here = [&](const PortBinding& candidate) {
    auto clashes = [&](const PortBinding& other) { return Clash(candidate, other); };
    return std::none_of(taken.begin(), taken.end(), clashes) &&
           std::none_of(resolved.begin(), resolved.end(), clashes);
  };
  for (PortBinding binding : wanted) {
    RETURN_IF_ERROR(Validate(binding));
    if (binding.protocol() == types::v1::PROTOCOL_UNSPECIFIED) {
      binding.set_protocol(types::v1::PROTOCOL_TCP);
    }
    if (binding.host_port() != 0) {
      if (!free_here(binding)) {
        return absl::FailedPreconditionError(absl::StrCat(
            "Bind for ", HostAddress(binding), " failed: port is already allocated"));
      }
      RETURN_IF_ERROR(
          host.Probe(binding.protocol(), binding.host_ip(), binding.host_port()));
      resolved.push_back(binding);
      continue;
    }
    bool found = false;
    for (uint32_t port = range.first; port <= range.last && !found; ++port) {
      binding.set_host_port(port);
      found = free_here(binding) &&
              host.Probe(binding.protocol(), binding.host_ip(), port).ok();
    }
    if (!found) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "no free host port in ", range.first, "-", range.last, " for ",
          binding.container_port(), "/", ProtocolName(binding.protocol())));
    }
    resolved.push_back(binding);
  }
  return resolved;
}

}  // namespace berth::netd::ports
