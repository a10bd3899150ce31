// Docker's port rules without sockets: a fake host with busy ports.
#include "services/netd/ports/published_ports.h"

#include <set>
#include <utility>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace berth::netd::ports {
namespace {

using types::v1::PortBinding;
using ::testing::HasSubstr;

class FakeHost final : public HostPorts {
 public:
  absl::Status Probe(types::v1::Protocol, const std::string&, uint32_t port) override {
    probes.push_back(port);
    if (busy.count(port) > 0) {
      return absl::FailedPreconditionError("address already in use");
    }
    return absl::OkStatus();
  }
  std::set<uint32_t> busy;
  std::vector<uint32_t> probes;
};

PortBinding Binding(uint32_t container, uint32_t host, const std::string& ip = "",
                    types::v1::Protocol protocol = types::v1::PROTOCOL_UNSPECIFIED) {
  PortBinding binding;
  binding.set_container_port(container);
  binding.set_host_port(host);
  binding.set_host_ip(ip);
  binding.set_protocol(protocol);
  return binding;
}

TEST(PublishedPortsTest, ExplicitPortsMustBeFreeInNetdAndOnTheHost) {
  FakeHost host;
  const std::vector<PortBinding> taken = {Binding(80, 8080, "127.0.0.1")};
  auto clash = ResolvePorts({Binding(80, 8080)}, taken, host);
  EXPECT_EQ(clash.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(clash.status().message(),
            "Bind for 0.0.0.0:8080 failed: port is already allocated");
  // Another address, or another protocol, is another port.
  EXPECT_TRUE(ResolvePorts({Binding(80, 8080, "127.0.0.2")}, taken, host).ok());
  auto udp = ResolvePorts({Binding(80, 8080, "", types::v1::PROTOCOL_UDP)}, taken, host);
  ASSERT_TRUE(udp.ok()) << udp.status();
  EXPECT_EQ((*udp)[0].protocol(), types::v1::PROTOCOL_UDP);
  // Twice in one request.
  EXPECT_FALSE(ResolvePorts({Binding(80, 9000), Binding(81, 9000)}, {}, host).ok());
  host.busy.insert(9001);
  EXPECT_THAT(ResolvePorts({Binding(80, 9001)}, {}, host).status().message(),
              HasSubstr("address already in use"));
  auto resolved = ResolvePorts({Binding(80, 9002)}, {}, host);
  ASSERT_TRUE(resolved.ok());
  EXPECT_EQ((*resolved)[0].protocol(), types::v1::PROTOCOL_TCP);
}

TEST(PublishedPortsTest, EphemeralPortsAreTheFirstFreeOfTheRange) {
  FakeHost host;
  host.busy.insert(32769);
  const std::vector<PortBinding> taken = {Binding(80, 32768)};
  auto resolved =
      ResolvePorts({Binding(80, 0), Binding(443, 0)}, taken, host);
  ASSERT_TRUE(resolved.ok()) << resolved.status();
  EXPECT_EQ((*resolved)[0].host_port(), 32770u);
  EXPECT_EQ((*resolved)[1].host_port(), 32771u);
  auto none = ResolvePorts({Binding(80, 0)}, {}, host, {32769, 32769});
  EXPECT_EQ(none.status().code(), absl::StatusCode::kResourceExhausted);
}

TEST(PublishedPortsTest, BadPortsAndExposedSpecs) {
  FakeHost host;
  EXPECT_EQ(ResolvePorts({Binding(0, 80)}, {}, host).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ResolvePorts({Binding(80, 70000)}, {}, host).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ResolvePorts({Binding(80, 80, "::1")}, {}, host).status().code(),
            absl::StatusCode::kInvalidArgument);
  auto exposed = ExposedPort("53/udp");
  ASSERT_TRUE(exposed.ok());
  EXPECT_EQ(exposed->container_port(), 53u);
  EXPECT_EQ(exposed->protocol(), types::v1::PROTOCOL_UDP);
  EXPECT_EQ(ExposedPort("80")->protocol(), types::v1::PROTOCOL_TCP);
  EXPECT_FALSE(ExposedPort("80/icmp").ok());
  EXPECT_FALSE(ExposedPort("x/tcp").ok());
}

}  // namespace
}  // namespace berth::netd::ports
