// IPv4 addresses and prefixes as netd's IPAM reckons with them: host-order
// integers, parsed from and printed as Docker prints them ("172.18.0.0/16",
// "172.18.0.2").
#ifndef BERTH_SERVICES_NETD_IPAM_IPV4_H_
#define BERTH_SERVICES_NETD_IPAM_IPV4_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace berth::netd::ipam {

using Ipv4 = uint32_t;  // host byte order

// "10.0.0.1" -> address. INVALID_ARGUMENT naming `what` for anything else
// (IPv6, a prefix length, a short form such as "10.1").
absl::StatusOr<Ipv4> ParseIpv4(absl::string_view text, absl::string_view what);
std::string FormatIpv4(Ipv4 address);

struct Prefix {
  Ipv4 base = 0;   // the first address; its host bits are zero
  int length = 0;  // 0..32

  // How many addresses it spans (2^(32-length)).
  uint64_t Size() const;
  Ipv4 Last() const;
  bool Contains(Ipv4 address) const;
  bool Contains(const Prefix& other) const;
  bool Overlaps(const Prefix& other) const;
  bool operator==(const Prefix& other) const {
    return base == other.base && length == other.length;
  }
};

// "172.18.0.0/16" -> prefix. INVALID_ARGUMENT naming `what` when it is not
// CIDR or its host bits are set ("172.18.0.1/16": "it should be
// 172.18.0.0/16", as Docker answers).
absl::StatusOr<Prefix> ParsePrefix(absl::string_view text,
                                   absl::string_view what);
std::string FormatPrefix(const Prefix& prefix);

}  // namespace berth::netd::ipam

#endif  // BERTH_SERVICES_NETD_IPAM_IPV4_H_
