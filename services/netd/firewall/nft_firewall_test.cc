// NftFirewall against the kernel, in a network namespace of the test's
// own (a thread unshares it: the table, bridge and sysctls go with it).
#include <nftables/libnftables.h>
#include <sched.h>

#include <string>
#include <thread>

#include "common/fs_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/netd/bridge/netlink_bridge_driver.h"
#include "services/netd/firewall/firewall.h"

namespace berth::netd::firewall {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string ListTable() {
  nft_ctx* ctx = nft_ctx_new(NFT_CTX_DEFAULT);
  nft_ctx_buffer_output(ctx);
  nft_ctx_buffer_error(ctx);
  nft_run_cmd_from_buffer(ctx, "list table ip berth");
  std::string out = nft_ctx_get_output_buffer(ctx);
  out += nft_ctx_get_error_buffer(ctx);
  nft_ctx_free(ctx);
  return out;
}

TEST(NftFirewallTest, AppliesAndReplacesBerthsTable) {
  std::thread inside([] {
    ASSERT_EQ(unshare(CLONE_NEWNET), 0);
    auto driver = bridge::NetlinkBridgeDriver::Open();
    ASSERT_TRUE(driver.ok()) << driver.status();
    bridge::BridgeSpec spec;
    spec.name = "brtest0";
    spec.gateway = *ipam::ParseIpv4("10.77.0.1", "");
    spec.prefix_length = 24;
    ASSERT_TRUE((*driver)->EnsureBridge(spec).ok());
    auto firewall = NewNftFirewall();
    ASSERT_TRUE(firewall.ok()) << firewall.status();

    Ruleset rules;
    rules.bridges = {{"brtest0", "10.77.0.0/24", false}};
    PortForward web;
    web.binding.set_container_port(80);
    web.binding.set_host_port(18080);
    web.binding.set_host_ip("127.0.0.1");
    web.container_ip = "10.77.0.2";
    rules.ports = {web};
    ASSERT_TRUE((*firewall)->Apply(rules).ok());
    std::string listed = ListTable();
    EXPECT_THAT(listed, HasSubstr("dnat to 10.77.0.2:80"));
    EXPECT_THAT(listed, HasSubstr("oifname != \"brtest0\" ip saddr 10.77.0.0/24 masquerade"));
    EXPECT_EQ(*ReadFileToString("/proc/sys/net/ipv4/ip_forward"), "1\n");
    EXPECT_EQ(*ReadFileToString("/proc/sys/net/ipv4/conf/brtest0/route_localnet"), "1\n");

    // Applied again without the port: no rule of it is left.
    rules.ports.clear();
    rules.masquerade = false;
    ASSERT_TRUE((*firewall)->Apply(rules).ok());
    listed = ListTable();
    EXPECT_THAT(listed, Not(HasSubstr("dnat to")));
    EXPECT_THAT(listed, Not(HasSubstr("oifname != \"brtest0\" ip saddr")));
    EXPECT_THAT(listed, HasSubstr("@bridges drop"));

    // A bad address is nftables' error, and the table stays as it was.
    rules.ports = {web};
    rules.ports[0].container_ip = "not-an-ip";
    absl::Status refused = (*firewall)->Apply(rules);
    EXPECT_THAT(refused.message(), HasSubstr("nftables refused"));
    EXPECT_THAT(ListTable(), HasSubstr("@bridges drop"));
  });
  inside.join();
}

}  // namespace
}  // namespace berth::netd::firewall
