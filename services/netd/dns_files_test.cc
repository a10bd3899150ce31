#include "services/netd/dns_files.h"

#include "gtest/gtest.h"

namespace berth::netd {
namespace {

TEST(DnsFilesTest, HostsHaveLoopbackExtraHostsAndTheContainer) {
  network::v1::ContainerIdentity container;
  container.set_hostname("web");
  types::v1::NetworkEndpoint endpoint;
  endpoint.set_ipv4_address("172.18.0.2");
  google::protobuf::RepeatedPtrField<types::v1::HostEntry> extra;
  types::v1::HostEntry* entry = extra.Add();
  entry->set_ip("10.0.0.5");
  entry->add_names("db");
  entry->add_names("db.local");
  const std::string hosts = RenderHosts(container, {endpoint}, extra);
  EXPECT_EQ(hosts.substr(0, 20), "127.0.0.1\tlocalhost\n");
  EXPECT_NE(hosts.find("10.0.0.5\tdb db.local\n172.18.0.2\tweb\n"),
            std::string::npos)
      << hosts;
  container.set_domainname("example.org");
  EXPECT_NE(RenderHosts(container, {endpoint}, {})
                .find("172.18.0.2\tweb.example.org web\n"),
            std::string::npos);
}

TEST(DnsFilesTest, ResolvConfDropsLoopbackAndTakesOverrides) {
  const std::string host =
      "nameserver 127.0.0.53\nnameserver 10.0.2.3\nsearch lan\noptions edns0\n";
  EXPECT_EQ(RenderResolvConf({}, host),
            "nameserver 10.0.2.3\nsearch lan\noptions edns0\n");
  types::v1::DnsConfig dns;
  dns.add_servers("10.9.9.9");
  dns.add_options("ndots:2");
  EXPECT_EQ(RenderResolvConf(dns, host),
            "search lan\nnameserver 10.9.9.9\noptions ndots:2\n");
}

TEST(DnsFilesTest, OnUserNetworksTheNameServerIsTheEmbeddedOne) {
  const std::string host =
      "nameserver 10.0.2.3\nsearch lan\noptions edns0\n";
  EXPECT_EQ(RenderResolvConf({}, host, /*embedded_dns=*/true),
            "search lan\nnameserver 127.0.0.11\noptions ndots:0\n");
  types::v1::DnsConfig dns;
  dns.add_servers("10.9.9.9");  // not written: the embedded server answers
  dns.add_options("ndots:2");
  EXPECT_EQ(RenderResolvConf(dns, host, true),
            "search lan\nnameserver 127.0.0.11\noptions ndots:2\n");
}

TEST(DnsFilesTest, NameServersAreTheIpv4Ones) {
  EXPECT_EQ(NameServers("# x\nnameserver 127.0.0.53\nnameserver ::1\n"
                        "nameserver\t10.0.2.3\nsearch lan\n"),
            (std::vector<std::string>{"127.0.0.53", "10.0.2.3"}));
}

}  // namespace
}  // namespace berth::netd
