#include "services/netd/ipam/address_space.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace berth::netd::ipam {

absl::StatusOr<AddressSpace> AddressSpace::Create(const PoolRequest& request) {
  AddressSpace space;
  absl::StatusOr<Prefix> subnet = ParsePrefix(request.subnet, "subnet");
  if (!subnet.ok()) return subnet.status();
  if (subnet->length > 30) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid subnet ", request.subnet,
        ": it leaves no address for a gateway and a container (at most /30)"));
  }
  space.subnet_ = *subnet;
  space.range_ = *subnet;
  if (!request.ip_range.empty()) {
    absl::StatusOr<Prefix> range = ParsePrefix(request.ip_range, "ip-range");
    if (!range.ok()) return range.status();
    if (!subnet->Contains(*range)) {
      return absl::InvalidArgumentError(
          absl::StrCat("no matching subnet for range ", request.ip_range));
    }
    space.range_ = *range;
  }
  // The first usable address: Docker's default gateway.
  space.gateway_ = subnet->base + 1;
  if (!request.gateway.empty()) {
    absl::StatusOr<Ipv4> gateway = ParseIpv4(request.gateway, "gateway");
    if (!gateway.ok()) return gateway.status();
    if (!subnet->Contains(*gateway)) {
      return absl::InvalidArgumentError(
          absl::StrCat("no matching subnet for gateway ", request.gateway));
    }
    space.gateway_ = *gateway;
  }
  if (std::string why = space.Unusable(space.gateway_); !why.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid gateway ", request.gateway, ": ", why));
  }
  for (const std::string& text : request.aux_addresses) {
    absl::StatusOr<Ipv4> aux = ParseIpv4(text, "aux-address");
    if (!aux.ok()) return aux.status();
    if (!subnet->Contains(*aux)) {
      return absl::InvalidArgumentError(
          absl::StrCat("no matching subnet for aux-address ", text));
    }
    space.reserved_.insert(*aux);
  }
  return space;
}

std::string AddressSpace::Unusable(Ipv4 address) const {
  if (!subnet_.Contains(address)) {
    return absl::StrCat("it is outside the subnet ", FormatPrefix(subnet_));
  }
  if (address == subnet_.base) return "it is the subnet's network address";
  if (address == subnet_.Last()) return "it is the subnet's broadcast address";
  return "";
}

absl::StatusOr<Ipv4> AddressSpace::Allocate() {
  for (uint64_t at = range_.base; at <= range_.Last(); ++at) {
    const Ipv4 address = static_cast<Ipv4>(at);
    if (address == gateway_ || used_.count(address) > 0 ||
        reserved_.count(address) > 0 || !Unusable(address).empty()) {
      continue;
    }
    used_.insert(address);
    return address;
  }
  return absl::ResourceExhaustedError(absl::StrCat(
      "no available IPv4 addresses on this network's address pools (",
      FormatPrefix(range_), ")"));
}

absl::Status AddressSpace::AllocateFixed(Ipv4 address) {
  if (std::string why = Unusable(address); !why.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid address ", FormatIpv4(address), ": ", why));
  }
  if (address == gateway_ || reserved_.count(address) > 0 ||
      used_.count(address) > 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "Address already in use: ", FormatIpv4(address),
        address == gateway_ ? " (the network's gateway)" : ""));
  }
  used_.insert(address);
  return absl::OkStatus();
}

absl::Status AddressSpace::Restore(Ipv4 address) {
  if (!subnet_.Contains(address)) {
    return absl::FailedPreconditionError(
        absl::StrCat("recorded address ", FormatIpv4(address),
                     " is outside the subnet ", FormatPrefix(subnet_)));
  }
  if (!used_.insert(address).second) {
    return absl::FailedPreconditionError(absl::StrCat(
        "address ", FormatIpv4(address), " is recorded twice"));
  }
  return absl::OkStatus();
}

void AddressSpace::Release(Ipv4 address) { used_.erase(address); }

}  // namespace berth::netd::ipam
