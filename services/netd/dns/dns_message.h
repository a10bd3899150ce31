// The little of DNS (RFC 1035) netd's embedded server speaks: one question
// per query, answers of A records for the names of containers, and errors.
// Pure: bytes in, bytes out.
#ifndef BERTH_SERVICES_NETD_DNS_DNS_MESSAGE_H_
#define BERTH_SERVICES_NETD_DNS_DNS_MESSAGE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace berth::netd::dns {

inline constexpr uint16_t kTypeA = 1;
inline constexpr uint16_t kTypeAaaa = 28;
inline constexpr uint16_t kClassIn = 1;

enum class Rcode : uint8_t {
  kNoError = 0,
  kFormatError = 1,
  kServerFailure = 2,
  kNameError = 3,  // NXDOMAIN
  kNotImplemented = 4,
  kRefused = 5,
};

struct DnsQuery {
  uint16_t id = 0;
  bool recursion_desired = false;
  // Lower case, without the trailing dot: "web", "db.example".
  std::string name;
  uint16_t type = 0;
  uint16_t qclass = 0;
  // The question as it came, echoed in the answer.
  std::string question;
};

// A standard query with exactly one question; INVALID_ARGUMENT otherwise
// (a response, another opcode, a truncated or compressed name).
absl::StatusOr<DnsQuery> ParseDnsQuery(absl::string_view packet);

// The answer to `query`: `addresses` (IPv4, host order) as A records with
// `ttl` seconds, and the code.
std::string DnsAnswer(const DnsQuery& query, Rcode rcode,
                      const std::vector<uint32_t>& addresses = {},
                      uint32_t ttl = 600);

// FORMERR for a packet that is not a query this server reads, keeping its
// id; "" when not even a header came.
std::string DnsFormatError(absl::string_view packet);

}  // namespace berth::netd::dns

#endif  // BERTH_SERVICES_NETD_DNS_DNS_MESSAGE_H_
