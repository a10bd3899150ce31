// Where a network without --subnet gets its subnet: the first block of the
// default address pools that overlaps nothing already in use (another
// network, a route of the host), as Docker's daemon picks them.
#ifndef BERTH_SERVICES_NETD_IPAM_SUBNET_POOL_H_
#define BERTH_SERVICES_NETD_IPAM_SUBNET_POOL_H_

#include <vector>

#include "absl/status/statusor.h"
#include "services/netd/ipam/ipv4.h"

namespace berth::netd::ipam {

// One entry of `defaultAddressPools`: `base` cut into blocks of /`size`.
struct AddressPool {
  Prefix base;
  int size = 0;
};

// Docker's default pools: 172.17.0.0/16 to 172.31.0.0/16 as /16s, then
// 192.168.0.0/16 as /20s.
std::vector<AddressPool> DefaultAddressPools();

// INVALID_ARGUMENT when `size` is shorter than the base's length or longer
// than /30 (no room for a gateway and a container).
absl::Status ValidatePool(const AddressPool& pool);

// The first block, pool by pool in order, that overlaps none of `in_use`
// (the networks' subnets and the host's routes; never a default route,
// which overlaps everything).
// RESOURCE_EXHAUSTED, in Docker's words, when every block is taken.
absl::StatusOr<Prefix> PickSubnet(const std::vector<AddressPool>& pools,
                                  const std::vector<Prefix>& in_use);

// FAILED_PRECONDITION naming what `subnet` overlaps, for a --subnet given
// (host routes as for PickSubnet: no default route).
absl::Status CheckNoOverlap(const Prefix& subnet,
                            const std::vector<Prefix>& networks,
                            const std::vector<Prefix>& host_routes);

}  // namespace berth::netd::ipam

#endif  // BERTH_SERVICES_NETD_IPAM_SUBNET_POOL_H_
