#include "services/netd/ipam/ipv4.h"

#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace berth::netd::ipam {
namespace {

absl::Status Invalid(absl::string_view what, absl::string_view text,
                     absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("invalid ", what, " \"", text, "\": ", why));
}

Ipv4 MaskOf(int length) {
  return length == 0 ? 0 : ~Ipv4{0} << (32 - length);
}

}  // namespace

absl::StatusOr<Ipv4> ParseIpv4(absl::string_view text, absl::string_view what) {
  const std::vector<absl::string_view> parts = absl::StrSplit(text, '.');
  if (parts.size() != 4) {
    return Invalid(what, text, "not an IPv4 address (a.b.c.d)");
  }
  Ipv4 address = 0;
  for (absl::string_view part : parts) {
    uint32_t octet = 0;
    // Leading zeros are refused as Go's net.ParseIP refuses them.
    if (part.empty() || part.size() > 3 || (part.size() > 1 && part[0] == '0') ||
        !absl::SimpleAtoi(part, &octet) || octet > 255) {
      return Invalid(what, text, "not an IPv4 address (a.b.c.d)");
    }
    address = (address << 8) | octet;
  }
  return address;
}

std::string FormatIpv4(Ipv4 address) {
  return absl::StrCat(address >> 24, ".", (address >> 16) & 0xff, ".",
                      (address >> 8) & 0xff, ".", address & 0xff);
}

uint64_t Prefix::Size() const { return uint64_t{1} << (32 - length); }

Ipv4 Prefix::Last() const { return base | ~MaskOf(length); }

bool Prefix::Contains(Ipv4 address) const {
  return (address & MaskOf(length)) == base;
}

bool Prefix::Contains(const Prefix& other) const {
  return other.length >= length && Contains(other.base);
}

bool Prefix::Overlaps(const Prefix& other) const {
  return Contains(other) || other.Contains(*this);
}

absl::StatusOr<Prefix> ParsePrefix(absl::string_view text,
                                   absl::string_view what) {
  const std::vector<absl::string_view> parts =
      absl::StrSplit(text, absl::MaxSplits('/', 1));
  int length = 0;
  if (parts.size() != 2 || parts[1].empty() || parts[1].size() > 2 ||
      !absl::SimpleAtoi(parts[1], &length) || length < 0 || length > 32) {
    return Invalid(what, text, "not in CIDR form (a.b.c.d/n)");
  }
  absl::StatusOr<Ipv4> base = ParseIpv4(parts[0], what);
  if (!base.ok()) return Invalid(what, text, "not in CIDR form (a.b.c.d/n)");
  if ((*base & ~MaskOf(length)) != 0) {
    // Docker's words (25 and later).
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid ", what, " ", text, ": it should be ",
        FormatIpv4(*base & MaskOf(length)), "/", length));
  }
  return Prefix{*base, length};
}

std::string FormatPrefix(const Prefix& prefix) {
  return absl::StrCat(FormatIpv4(prefix.base), "/", prefix.length);
}

}  // namespace berth::netd::ipam
