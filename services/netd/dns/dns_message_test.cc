#include "services/netd/dns/dns_message.h"

#include <string>

#include "gtest/gtest.h"

namespace berth::netd::dns {
namespace {

// A query as a stub resolver sends it: id 0x1234, RD, one question.
std::string Query(const std::string& labels_wire, uint16_t type) {
  std::string packet = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};
  packet += labels_wire;
  packet += std::string{0, static_cast<char>(type >> 8),
                        static_cast<char>(type & 0xff), 0, 1};
  return packet;
}

TEST(DnsMessageTest, ParsesAQuestion) {
  const std::string packet = Query(std::string("\x03Web\x02"
                                               "db",
                                               7),
                                   kTypeA);
  absl::StatusOr<DnsQuery> query = ParseDnsQuery(packet);
  ASSERT_TRUE(query.ok()) << query.status();
  EXPECT_EQ(query->id, 0x1234);
  EXPECT_TRUE(query->recursion_desired);
  EXPECT_EQ(query->name, "web.db");  // lower case
  EXPECT_EQ(query->type, kTypeA);
  EXPECT_EQ(query->qclass, kClassIn);
  EXPECT_EQ(query->question, packet.substr(12));
}

TEST(DnsMessageTest, AnswersWithARecordsPointingAtTheQuestion) {
  absl::StatusOr<DnsQuery> query =
      ParseDnsQuery(Query(std::string("\x03web", 4), kTypeA));
  ASSERT_TRUE(query.ok());
  const std::string answer =
      DnsAnswer(*query, Rcode::kNoError, {0xac120002}, 600);
  // Header: id, QR|RD|RA, 1 question, 1 answer.
  EXPECT_EQ(
      answer.substr(0, 12),
      std::string("\x12\x34\x81\x80\x00\x01\x00\x01\x00\x00\x00\x00", 12));
  EXPECT_EQ(answer.substr(12, query->question.size()), query->question);
  EXPECT_EQ(answer.substr(12 + query->question.size()),
            std::string("\xc0\x0c\x00\x01\x00\x01\x00\x00\x02\x58\x00\x04"
                        "\xac\x12\x00\x02",
                        16));
  const std::string missing = DnsAnswer(*query, Rcode::kNameError);
  EXPECT_EQ(static_cast<uint8_t>(missing[3]) & 0x0f, 3);
  EXPECT_EQ(missing[7], 0);  // no answers
}

TEST(DnsMessageTest, RefusesWhatIsNotAPlainQuery) {
  EXPECT_FALSE(ParseDnsQuery("short").ok());
  std::string response = Query(std::string("\x03web", 4), kTypeA);
  response[2] |= static_cast<char>(0x80);
  EXPECT_FALSE(ParseDnsQuery(response).ok());
  std::string cut = Query(std::string("\x05web", 4), kTypeA);
  cut.resize(15);
  EXPECT_FALSE(ParseDnsQuery(cut).ok());
  EXPECT_FALSE(ParseDnsQuery(Query(std::string("\xc0\x0c", 2), kTypeA)).ok());
  const std::string error = DnsFormatError(response);
  ASSERT_EQ(error.size(), 12u);
  EXPECT_EQ(error.substr(0, 2), "\x12\x34");
  EXPECT_EQ(static_cast<uint8_t>(error[3]) & 0x0f, 1);
  EXPECT_EQ(DnsFormatError("x"), "");
}

}  // namespace
}  // namespace berth::netd::dns
