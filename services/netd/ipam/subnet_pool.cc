#include "services/netd/ipam/subnet_pool.h"

#include "absl/strings/str_cat.h"

namespace berth::netd::ipam {

std::vector<AddressPool> DefaultAddressPools() {
  std::vector<AddressPool> pools;
  for (Ipv4 second = 17; second <= 31; ++second) {
    pools.push_back({Prefix{(172u << 24) | (second << 16), 16}, 16});
  }
  pools.push_back({Prefix{(192u << 24) | (168u << 16), 16}, 20});
  return pools;
}

absl::Status ValidatePool(const AddressPool& pool) {
  if (pool.size < pool.base.length || pool.size > 30) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid address pool ", FormatPrefix(pool.base), " with size ",
        pool.size, ": the size must be between ", pool.base.length,
        " and 30"));
  }
  return absl::OkStatus();
}

absl::StatusOr<Prefix> PickSubnet(const std::vector<AddressPool>& pools,
                                  const std::vector<Prefix>& in_use) {
  for (const AddressPool& pool : pools) {
    if (!ValidatePool(pool).ok()) continue;
    const uint64_t step = uint64_t{1} << (32 - pool.size);
    for (uint64_t at = pool.base.base; at <= pool.base.Last(); at += step) {
      const Prefix block{static_cast<Ipv4>(at), pool.size};
      bool taken = false;
      for (const Prefix& used : in_use) {
        if (block.Overlaps(used)) {
          taken = true;
          // Skip past the whole of a larger used prefix at once.
          if (used.Contains(block)) at = uint64_t{used.Last()} + 1 - step;
          break;
        }
      }
      if (!taken) return block;
    }
  }
  return absl::ResourceExhaustedError(
      "all predefined address pools have been fully subnetted");
}

absl::Status CheckNoOverlap(const Prefix& subnet,
                            const std::vector<Prefix>& networks,
                            const std::vector<Prefix>& host_routes) {
  for (const Prefix& other : networks) {
    if (subnet.Overlaps(other)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "invalid pool request: Pool overlaps with other one on this "
          "address space (", FormatPrefix(subnet), " overlaps ",
          FormatPrefix(other), ")"));
    }
  }
  for (const Prefix& route : host_routes) {
    if (subnet.Overlaps(route)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "networks have overlapping IPv4: ", FormatPrefix(subnet),
          " overlaps the host's route to ", FormatPrefix(route)));
    }
  }
  return absl::OkStatus();
}

}  // namespace berth::netd::ipam
