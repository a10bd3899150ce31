// A container's /etc/hosts and /etc/resolv.conf as netd renders them for
// its networks. Pure.
#ifndef BERTH_SERVICES_NETD_DNS_FILES_H_
#define BERTH_SERVICES_NETD_DNS_FILES_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "berth/network/v1/network.pb.h"
#include "berth/types/v1/types.pb.h"

namespace berth::netd {

// Docker's layout: the loopback lines, the extra hosts (--add-host), then
// the container's own address(es) with its hostname.
std::string RenderHosts(
    const network::v1::ContainerIdentity& container,
    const std::vector<types::v1::NetworkEndpoint>& endpoints,
    const google::protobuf::RepeatedPtrField<types::v1::HostEntry>& extra_hosts);

// The container's DNS overrides (--dns, --dns-search, --dns-option) over
// the host's resolv.conf without its loopback name servers. With
// `embedded_dns` (a container on a user network), the name server is
// netd's 127.0.0.11 with Docker's "options ndots:0".
std::string RenderResolvConf(const types::v1::DnsConfig& dns,
                             absl::string_view host_resolv_conf,
                             bool embedded_dns = false);

// The IPv4 name servers of a resolv.conf, loopback ones included: the
// embedded DNS server forwards from netd's namespace, where they answer.
std::vector<std::string> NameServers(absl::string_view resolv_conf);

}  // namespace berth::netd

#endif  // BERTH_SERVICES_NETD_DNS_FILES_H_
