#include "services/netd/dns/dns_message.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace berth::netd::dns {
namespace {

constexpr size_t kHeaderSize = 12;
constexpr uint16_t kResponse = 0x8000;
constexpr uint16_t kOpcodeMask = 0x7800;
constexpr uint16_t kRecursionDesired = 0x0100;
constexpr uint16_t kRecursionAvailable = 0x0080;

uint16_t Get16(absl::string_view bytes, size_t at) {
  return static_cast<uint16_t>(static_cast<uint8_t>(bytes[at]) << 8 |
                               static_cast<uint8_t>(bytes[at + 1]));
}

void Put16(std::string& out, uint16_t value) {
  out.push_back(static_cast<char>(value >> 8));
  out.push_back(static_cast<char>(value & 0xff));
}

void Put32(std::string& out, uint32_t value) {
  Put16(out, static_cast<uint16_t>(value >> 16));
  Put16(out, static_cast<uint16_t>(value & 0xffff));
}

absl::Status Malformed(absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("DNS query: ", why));
}

}  // namespace

absl::StatusOr<DnsQuery> ParseDnsQuery(absl::string_view packet) {
  if (packet.size() < kHeaderSize) return Malformed("shorter than a header");
  DnsQuery query;
  query.id = Get16(packet, 0);
  const uint16_t flags = Get16(packet, 2);
  if ((flags & kResponse) != 0) return Malformed("a response, not a query");
  if ((flags & kOpcodeMask) != 0) return Malformed("not a standard query");
  query.recursion_desired = (flags & kRecursionDesired) != 0;
  if (Get16(packet, 4) != 1) return Malformed("not exactly one question");
  size_t at = kHeaderSize;
  while (true) {
    if (at >= packet.size()) return Malformed("the name is cut off");
    const uint8_t length = static_cast<uint8_t>(packet[at]);
    if (length == 0) {
      ++at;
      break;
    }
    if ((length & 0xc0) != 0) return Malformed("a compressed question");
    if (at + 1 + length > packet.size()) return Malformed("a label is cut off");
    if (!query.name.empty()) query.name.push_back('.');
    query.name.append(absl::AsciiStrToLower(packet.substr(at + 1, length)));
    at += 1 + length;
    if (query.name.size() > 253) return Malformed("the name is too long");
  }
  if (at + 4 > packet.size()) return Malformed("the question is cut off");
  query.type = Get16(packet, at);
  query.qclass = Get16(packet, at + 2);
  query.question =
      std::string(packet.substr(kHeaderSize, at + 4 - kHeaderSize));
  return query;
}

std::string DnsAnswer(const DnsQuery& query, Rcode rcode,
                      const std::vector<uint32_t>& addresses, uint32_t ttl) {
  std::string out;
  Put16(out, query.id);
  Put16(out, kResponse | kRecursionAvailable |
                 (query.recursion_desired ? kRecursionDesired : 0) |
                 static_cast<uint16_t>(rcode));
  Put16(out, 1);
  Put16(out, static_cast<uint16_t>(addresses.size()));
  Put16(out, 0);
  Put16(out, 0);
  out.append(query.question);
  for (uint32_t address : addresses) {
    Put16(out, 0xc000 | kHeaderSize);  // the question's name
    Put16(out, kTypeA);
    Put16(out, kClassIn);
    Put32(out, ttl);
    Put16(out, 4);
    Put32(out, address);
  }
  return out;
}

std::string DnsFormatError(absl::string_view packet) {
  if (packet.size() < 2) return "";
  std::string out(packet.substr(0, 2));
  Put16(out, kResponse | static_cast<uint16_t>(Rcode::kFormatError));
  for (int i = 0; i < 4; ++i) Put16(out, 0);
  return out;
}

}  // namespace berth::netd::dns
