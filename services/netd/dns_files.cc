#include "services/netd/dns_files.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/etc_files.h"
#include "services/netd/ipam/ipv4.h"

namespace berth::netd {

std::string RenderHosts(
    const network::v1::ContainerIdentity& container,
    const std::vector<types::v1::NetworkEndpoint>& endpoints,
    const google::protobuf::RepeatedPtrField<types::v1::HostEntry>& extra_hosts) {
  std::string hosts = LoopbackHostsLines();
  for (const types::v1::HostEntry& entry : extra_hosts) {
    absl::StrAppend(&hosts, entry.ip(), "\t", absl::StrJoin(entry.names(), " "),
                    "\n");
  }
  std::string names = container.hostname();
  if (!container.domainname().empty()) {
    names = absl::StrCat(container.hostname(), ".", container.domainname(), " ",
                         container.hostname());
  }
  for (const types::v1::NetworkEndpoint& endpoint : endpoints) {
    if (endpoint.ipv4_address().empty() || names.empty()) continue;
    absl::StrAppend(&hosts, endpoint.ipv4_address(), "\t", names, "\n");
  }
  return hosts;
}

std::string RenderResolvConf(const types::v1::DnsConfig& dns,
                             absl::string_view host_resolv_conf,
                             bool embedded_dns) {
  const std::string host = ResolvConfWithoutLoopback(host_resolv_conf);
  if (!embedded_dns && dns.servers().empty() && dns.searches().empty() &&
      dns.options().empty()) {
    return host;
  }
  const bool servers = embedded_dns || !dns.servers().empty();
  std::vector<std::string> options(dns.options().begin(), dns.options().end());
  if (embedded_dns && options.empty()) options.push_back("ndots:0");
  // An override replaces the host's lines of its kind; the others stay.
  std::string out;
  for (absl::string_view line : absl::StrSplit(host, '\n', absl::SkipEmpty())) {
    if ((servers && absl::StartsWith(line, "nameserver")) ||
        (!dns.searches().empty() &&
         (absl::StartsWith(line, "search") || absl::StartsWith(line, "domain"))) ||
        (!options.empty() && absl::StartsWith(line, "options"))) {
      continue;
    }
    absl::StrAppend(&out, line, "\n");
  }
  if (embedded_dns) {
    absl::StrAppend(&out, "nameserver 127.0.0.11\n");
  } else {
    for (const std::string& server : dns.servers()) {
      absl::StrAppend(&out, "nameserver ", server, "\n");
    }
  }
  if (!dns.searches().empty()) {
    absl::StrAppend(&out, "search ", absl::StrJoin(dns.searches(), " "), "\n");
  }
  if (!options.empty()) {
    absl::StrAppend(&out, "options ", absl::StrJoin(options, " "), "\n");
  }
  return out;
}

std::vector<std::string> NameServers(absl::string_view resolv_conf) {
  std::vector<std::string> servers;
  for (absl::string_view line : absl::StrSplit(resolv_conf, '\n')) {
    std::vector<absl::string_view> words =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    if (words.size() >= 2 && words[0] == "nameserver" &&
        ipam::ParseIpv4(words[1], "name server").ok()) {
      servers.emplace_back(words[1]);
    }
  }
  return servers;
}

}  // namespace berth::netd
