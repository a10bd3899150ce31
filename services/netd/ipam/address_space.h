// The addresses of one network: its subnet, the range dynamic addresses
// come from (--ip-range), the gateway and the reserved (--aux-address)
// ones, and which are handed out. Pure: netd keeps the allocations in
// RocksDB and rebuilds this from them.
#ifndef BERTH_SERVICES_NETD_IPAM_ADDRESS_SPACE_H_
#define BERTH_SERVICES_NETD_IPAM_ADDRESS_SPACE_H_

#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/netd/ipam/ipv4.h"

namespace berth::netd::ipam {

// A network's IPv4 pool as `network create` gives it ("" = not given).
struct PoolRequest {
  std::string subnet;  // required here: a picked one is filled in first
  std::string ip_range;
  std::string gateway;
  std::vector<std::string> aux_addresses;
};

class AddressSpace {
 public:
  // Checks the pool as Docker does: a CIDR subnet of at most /30, an
  // ip-range inside it, a gateway and aux addresses inside it and neither
  // its network nor its broadcast address. The gateway defaults to the
  // first usable address. INVALID_ARGUMENT naming the bad value.
  static absl::StatusOr<AddressSpace> Create(const PoolRequest& request);

  const Prefix& subnet() const { return subnet_; }
  const Prefix& range() const { return range_; }
  Ipv4 gateway() const { return gateway_; }

  // The lowest free address of the range (Docker's order).
  // RESOURCE_EXHAUSTED when none is left.
  absl::StatusOr<Ipv4> Allocate();
  // A fixed address (`--ip`): anywhere in the subnet, not the network's
  // own, broadcast, gateway or a reserved address, and not in use.
  // INVALID_ARGUMENT outside the subnet; FAILED_PRECONDITION when taken.
  absl::Status AllocateFixed(Ipv4 address);
  // Marks an address in use again, as recorded (at start, from the store);
  // FAILED_PRECONDITION when it is already, so a record held twice shows.
  absl::Status Restore(Ipv4 address);
  // Frees an address; freeing one not in use is not an error (release is
  // idempotent: a retried detach).
  void Release(Ipv4 address);

  bool InUse(Ipv4 address) const { return used_.count(address) > 0; }
  size_t used_count() const { return used_.size(); }

 private:
  AddressSpace() = default;
  // Why `address` can never be a container's ("" if it can).
  std::string Unusable(Ipv4 address) const;

  Prefix subnet_;
  Prefix range_;
  Ipv4 gateway_ = 0;
  std::set<Ipv4> reserved_;
  std::set<Ipv4> used_;
};

}  // namespace berth::netd::ipam

#endif  // BERTH_SERVICES_NETD_IPAM_ADDRESS_SPACE_H_
