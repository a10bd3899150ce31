#include "ctl/network/network_request.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace berth::ctl {
namespace {

// An address as Go's net package holds it for Contains: 4 bytes for IPv4
// (also an IPv4-mapped IPv6 address), 16 for IPv6.
struct Address {
  std::array<uint8_t, 16> bytes{};
  size_t size = 0;
};

// Go's net.ParseIP: nullopt for anything but a plain IPv4 or IPv6 address.
std::optional<Address> ParseAddress(const std::string& text) {
  Address address;
  if (inet_pton(AF_INET, text.c_str(), address.bytes.data()) == 1) {
    address.size = 4;
    return address;
  }
  if (inet_pton(AF_INET6, text.c_str(), address.bytes.data()) == 1) {
    static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0,    0,
                                            0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(address.bytes.data(), kMapped, sizeof(kMapped)) == 0) {
      std::memmove(address.bytes.data(), address.bytes.data() + 12, 4);
      address.size = 4;
    } else {
      address.size = 16;
    }
    return address;
  }
  return std::nullopt;
}

struct Cidr {
  Address address;  // as written, not masked
  int bits = 0;
};

// Go's net.ParseCIDR, with its error ("invalid CIDR address: X").
absl::StatusOr<Cidr> ParseCidr(const std::string& text) {
  const absl::Status invalid =
      absl::InvalidArgumentError(absl::StrCat("invalid CIDR address: ", text));
  const size_t slash = text.find('/');
  if (slash == std::string::npos) return invalid;
  std::optional<Address> address = ParseAddress(text.substr(0, slash));
  const std::string bits = text.substr(slash + 1);
  int n = 0;
  if (!address.has_value() || bits.empty() ||
      !std::all_of(bits.begin(), bits.end(), absl::ascii_isdigit) ||
      !absl::SimpleAtoi(bits, &n) ||
      n > static_cast<int>(address->size * 8)) {
    return invalid;
  }
  return Cidr{*address, n};
}

bool Contains(const Cidr& net, const Address& ip) {
  if (ip.size != net.address.size) return false;
  for (int bit = 0; bit < net.bits; ++bit) {
    const uint8_t mask = static_cast<uint8_t>(0x80 >> (bit % 8));
    if ((net.address.bytes[bit / 8] & mask) != (ip.bytes[bit / 8] & mask)) {
      return false;
    }
  }
  return true;
}

// Docker's subnetMatches: whether `data` (an address, or the address of a
// CIDR) lies in `subnet`. An address that does not parse matches nothing.
absl::StatusOr<bool> SubnetMatches(const std::string& subnet,
                                   const std::string& data) {
  absl::StatusOr<Cidr> net = ParseCidr(subnet);
  if (!net.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid subnet: ", net.status().message()));
  }
  if (absl::StrContains(data, '/')) {
    absl::StatusOr<Cidr> cidr = ParseCidr(data);
    if (!cidr.ok()) return cidr.status();
    return Contains(*net, cidr->address);
  }
  std::optional<Address> ip = ParseAddress(data);
  return ip.has_value() && Contains(*net, *ip);
}

// pflag's string slice: every value split at its commas.
std::vector<std::string> SplitCommas(const std::vector<std::string>& values) {
  std::vector<std::string> out;
  for (const std::string& value : values) {
    for (absl::string_view part : absl::StrSplit(value, ',')) {
      out.emplace_back(part);
    }
  }
  return out;
}

// Docker's MapOpts and ConvertKVStringsToMap: "K=V", or "K" for "";
// the last value of a key wins.
std::map<std::string, std::string> KeyValues(
    const std::vector<std::string>& values) {
  std::map<std::string, std::string> out;
  for (const std::string& value : values) {
    std::pair<std::string, std::string> kv =
        absl::StrSplit(value, absl::MaxSplits('=', 1));
    out[kv.first] = kv.second;
  }
  return out;
}

// Finds the pool of the one subnet `value` belongs to (Docker sets every
// matching one; subnets do not overlap, so there is at most one).
absl::StatusOr<network::v1::IpamPool*> PoolOf(
    const std::string& value, const std::vector<std::string>& subnets,
    std::vector<network::v1::IpamPool*>& pools) {
  network::v1::IpamPool* found = nullptr;
  for (size_t i = 0; i < subnets.size(); ++i) {
    absl::StatusOr<bool> matches = SubnetMatches(subnets[i], value);
    if (!matches.ok()) return matches.status();
    if (*matches && found == nullptr) found = pools[i];
  }
  return found;
}

absl::Status AddPools(const NetworkCreateFlags& flags, network::v1::Ipam& ipam) {
  const std::vector<std::string> subnets = SplitCommas(flags.subnets);
  const std::vector<std::string> ranges = SplitCommas(flags.ip_ranges);
  const std::vector<std::string> gateways = SplitCommas(flags.gateways);
  if (subnets.size() < ranges.size() || subnets.size() < gateways.size()) {
    return absl::InvalidArgumentError(
        "every ip-range or gateway must have a corresponding subnet");
  }
  std::vector<network::v1::IpamPool*> pools;
  for (size_t i = 0; i < subnets.size(); ++i) {
    for (size_t earlier = 0; earlier < i; ++earlier) {
      for (auto [a, b] : {std::pair{i, earlier}, std::pair{earlier, i}}) {
        absl::StatusOr<bool> overlaps = SubnetMatches(subnets[a], subnets[b]);
        if (!overlaps.ok()) return overlaps.status();
        if (*overlaps) {
          return absl::InvalidArgumentError(
              "multiple overlapping subnet configuration is not supported");
        }
      }
    }
    network::v1::IpamPool* pool = ipam.add_pools();
    pool->set_subnet(subnets[i]);
    pools.push_back(pool);
  }
  for (const std::string& range : ranges) {
    if (absl::StatusOr<Cidr> cidr = ParseCidr(range); !cidr.ok()) {
      return cidr.status();
    }
    absl::StatusOr<network::v1::IpamPool*> pool =
        PoolOf(range, subnets, pools);
    if (!pool.ok()) return pool.status();
    if (*pool == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("no matching subnet for range ", range));
    }
    if (!(*pool)->ip_range().empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "cannot configure multiple ranges (", range, ", ",
          (*pool)->ip_range(), ") on the same subnet (", (*pool)->subnet(),
          ")"));
    }
    (*pool)->set_ip_range(range);
  }
  for (const std::string& gateway : gateways) {
    absl::StatusOr<network::v1::IpamPool*> pool =
        PoolOf(gateway, subnets, pools);
    if (!pool.ok()) return pool.status();
    if (*pool == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("no matching subnet for gateway ", gateway));
    }
    if (!(*pool)->gateway().empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "cannot configure multiple gateways (", gateway, ", ",
          (*pool)->gateway(), ") for the same subnet (", (*pool)->subnet(),
          ")"));
    }
    (*pool)->set_gateway(gateway);
  }
  for (const auto& [name, address] : KeyValues(flags.aux_addresses)) {
    absl::StatusOr<network::v1::IpamPool*> pool =
        PoolOf(address, subnets, pools);
    if (!pool.ok()) return pool.status();
    if (*pool == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("no matching subnet for aux-address ", address));
    }
    (*(*pool)->mutable_aux_addresses())[name] = address;
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<network::v1::CreateNetworkRequest> BuildCreateNetworkRequest(
    const NetworkCreateFlags& flags) {
  network::v1::CreateNetworkRequest request;
  request.set_name(flags.name);
  request.set_driver(flags.driver);
  network::v1::Ipam ipam;
  ipam.set_driver(flags.ipam_driver);
  if (absl::Status status = AddPools(flags, ipam); !status.ok()) return status;
  for (const auto& [key, value] : KeyValues(flags.ipam_options)) {
    (*ipam.mutable_options())[key] = value;
  }
  if (flags.ipam_driver != "default" || ipam.pools_size() > 0 ||
      !ipam.options().empty()) {
    *request.mutable_ipam() = std::move(ipam);
  }
  request.set_internal(flags.internal);
  request.set_attachable(flags.attachable);
  request.set_enable_ipv6(flags.ipv6);
  for (const auto& [key, value] : KeyValues(flags.labels)) {
    (*request.mutable_labels())[key] = value;
  }
  for (const auto& [key, value] : KeyValues(flags.options)) {
    (*request.mutable_options())[key] = value;
  }
  return request;
}

absl::StatusOr<network::v1::NetworkFilter> BuildNetworkFilter(
    const std::vector<FilterTerm>& terms, std::vector<std::string>* scopes) {
  network::v1::NetworkFilter filter;
  std::set<std::string> types;
  std::set<std::string> dangling;
  for (const FilterTerm& term : terms) {
    if (term.name == "driver") {
      filter.add_drivers(term.value);
    } else if (term.name == "id") {
      filter.add_ids(term.value);
    } else if (term.name == "name") {
      filter.add_names(term.value);
    } else if (term.name == "label") {
      *filter.add_labels() = ParseLabelFilter(term.value, /*negate=*/false);
    } else if (term.name == "scope") {
      if (term.value != "local" && term.value != "global" &&
          term.value != "swarm") {
        return InvalidFilter("scope", term.value);
      }
      scopes->push_back(term.value);
    } else if (term.name == "type") {
      if (term.value != "custom" && term.value != "builtin") {
        return InvalidFilter("type", term.value);
      }
      types.insert(term.value);
    } else if (term.name == "dangling") {
      dangling.insert(term.value);
    } else {
      return InvalidFilter(term.name);
    }
  }
  // Both types together are every network: no term.
  if (types.size() == 1) filter.set_predefined(*types.begin() == "builtin");
  if (!dangling.empty()) {
    std::optional<bool> value = FilterBool(*dangling.begin());
    if (dangling.size() > 1 || !value.has_value()) {
      return InvalidFilter(
          "dangling", absl::StrJoin(dangling.begin(), dangling.end(), ","));
    }
    filter.set_dangling(*value);
  }
  return filter;
}

}  // namespace berth::ctl
