#include "ctl/container/port_specs.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace berth::ctl {
namespace {

using ::testing::ElementsAre;

std::string Text(const types::v1::PortBinding& b) {
  return absl::StrCat(b.host_ip(), "|", b.host_port(), "|", ExposedName(b));
}

std::vector<std::string> Parsed(const std::string& spec) {
  absl::StatusOr<std::vector<types::v1::PortBinding>> parsed = ParsePublish(spec);
  EXPECT_TRUE(parsed.ok()) << spec << ": " << parsed.status();
  std::vector<std::string> out;
  if (parsed.ok()) {
    for (const auto& binding : *parsed) out.push_back(Text(binding));
  }
  return out;
}

std::string Error(const std::string& spec) {
  return std::string(ParsePublish(spec).status().message());
}

TEST(PortSpecsTest, DockersForms) {
  EXPECT_THAT(Parsed("80"), ElementsAre("|0|80/tcp"));
  EXPECT_THAT(Parsed("8080:80"), ElementsAre("|8080|80/tcp"));
  EXPECT_THAT(Parsed("127.0.0.1:18080:80/tcp"), ElementsAre("127.0.0.1|18080|80/tcp"));
  EXPECT_THAT(Parsed("127.0.0.1::53/UDP"), ElementsAre("127.0.0.1|0|53/udp"));
  EXPECT_THAT(Parsed("8000-8002:9000-9002"),
              ElementsAre("|8000|9000/tcp", "|8001|9001/tcp", "|8002|9002/tcp"));
  EXPECT_THAT(Parsed("[::1]:8080:80"), ElementsAre("::1|8080|80/tcp"));
}

TEST(PortSpecsTest, DockersErrors) {
  EXPECT_EQ(Error("abc"), "invalid containerPort: abc");
  EXPECT_EQ(Error("x:80"), "invalid hostPort: x");
  EXPECT_EQ(Error("80/icmp"), "invalid proto: icmp");
  EXPECT_EQ(Error("8000-8002:80-81"),
            "invalid ranges specified for container and host Ports: 80-81 and 8000-8002");
  EXPECT_EQ(Error("70000"), "invalid containerPort: 70000");
  EXPECT_EQ(Error("8080:"), "no port specified: 8080:<empty>");
  EXPECT_FALSE(ParsePublish("a:b:c:d").ok());
}

TEST(PortSpecsTest, Expose) {
  EXPECT_THAT(*ParseExpose("80"), ElementsAre("80/tcp"));
  EXPECT_THAT(*ParseExpose("53/udp"), ElementsAre("53/udp"));
  EXPECT_THAT(*ParseExpose("7000-7001"), ElementsAre("7000/tcp", "7001/tcp"));
  EXPECT_FALSE(ParseExpose("x").ok());
}

}  // namespace
}  // namespace berth::ctl
