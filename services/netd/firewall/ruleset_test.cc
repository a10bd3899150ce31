#include "services/netd/firewall/ruleset.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace berth::netd::firewall {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

Ruleset TwoNetworks() {
  Ruleset rules;
  rules.bridges = {{"berth0", "172.17.0.0/16", false}, {"br-in", "10.9.0.0/24", true}};
  PortForward web;
  web.binding.set_container_port(80);
  web.binding.set_host_port(18080);
  web.binding.set_host_ip("127.0.0.1");
  web.container_ip = "172.17.0.2";
  PortForward dns;
  dns.binding.set_container_port(53);
  dns.binding.set_host_port(5353);
  dns.binding.set_protocol(types::v1::PROTOCOL_UDP);
  dns.container_ip = "172.17.0.3";
  rules.ports = {web, dns};
  return rules;
}

TEST(RulesetTest, ReplacesTheTableWhole) {
  const std::string script = RenderRuleset(TwoNetworks());
  EXPECT_EQ(script.rfind("table ip berth {}\ndelete table ip berth\ntable ip berth {\n", 0), 0u);
  EXPECT_THAT(script, HasSubstr("elements = { \"berth0\", \"br-in\" }"));
  EXPECT_EQ(RemoveRulesetScript(), "table ip berth {}\ndelete table ip berth\n");
}

TEST(RulesetTest, IsolatesNetworksAndInternalOnes) {
  const std::string script = RenderRuleset(TwoNetworks());
  EXPECT_THAT(script, HasSubstr("iifname \"berth0\" oifname != \"berth0\" oifname @bridges drop\n"));
  EXPECT_THAT(script, HasSubstr("iifname \"br-in\" oifname != \"br-in\" drop\n"));
  EXPECT_THAT(script, HasSubstr("oifname \"br-in\" iifname != \"br-in\" drop\n"));
  // Internal drops come before published ports are let through.
  EXPECT_LT(script.find("oifname \"br-in\" iifname != \"br-in\" drop"),
            script.find("ct status dnat accept"));
  EXPECT_LT(script.find("ct status dnat accept"),
            script.find("iifname \"berth0\" oifname != \"berth0\" oifname @bridges drop"));
}

TEST(RulesetTest, PublishesPortsFromOutsideAndFromTheHost) {
  const std::string script = RenderRuleset(TwoNetworks());
  EXPECT_THAT(script, HasSubstr("ip daddr 127.0.0.1 tcp dport 18080 dnat to 172.17.0.2:80\n"));
  EXPECT_THAT(script, HasSubstr("    udp dport 5353 dnat to 172.17.0.3:53\n"));
  EXPECT_THAT(script, HasSubstr("type nat hook prerouting priority dstnat; policy accept;\n"
                                "    fib daddr type local jump publish\n"));
  EXPECT_THAT(script, HasSubstr("type nat hook output priority -100; policy accept;\n"
                                "    fib daddr type local jump publish\n"));
  EXPECT_THAT(script, HasSubstr("oifname \"berth0\" ip saddr 127.0.0.0/8 masquerade\n"));
}

TEST(RulesetTest, MasqueradesOutboundOnlyWhenAskedAndNeverForInternal) {
  Ruleset rules = TwoNetworks();
  EXPECT_THAT(RenderRuleset(rules),
              HasSubstr("oifname != \"berth0\" ip saddr 172.17.0.0/16 masquerade\n"));
  EXPECT_THAT(RenderRuleset(rules), Not(HasSubstr("oifname != \"br-in\" ip saddr")));
  rules.masquerade = false;
  EXPECT_THAT(RenderRuleset(rules), Not(HasSubstr("oifname != \"berth0\" ip saddr")));
}

}  // namespace
}  // namespace berth::netd::firewall
