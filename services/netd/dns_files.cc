#include "services/netd/dns_files.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/etc_files.h"

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
                             absl::string_view host_resolv_conf) {
  const std::string host = ResolvConfWithoutLoopback(host_resolv_conf);
  if (dns.servers().empty() && dns.searches().empty() && dns.options().empty()) {
    return host;
  }
  // An override replaces the host's lines of its kind; the others stay.
  std::string out;
  for (absl::string_view line : absl::StrSplit(host, '\n', absl::SkipEmpty())) {
    if ((!dns.servers().empty() && absl::StartsWith(line, "nameserver")) ||
        (!dns.searches().empty() &&
         (absl::StartsWith(line, "search") || absl::StartsWith(line, "domain"))) ||
        (!dns.options().empty() && absl::StartsWith(line, "options"))) {
      continue;
    }
    absl::StrAppend(&out, line, "\n");
  }
  for (const std::string& server : dns.servers()) {
    absl::StrAppend(&out, "nameserver ", server, "\n");
  }
  if (!dns.searches().empty()) {
    absl::StrAppend(&out, "search ", absl::StrJoin(dns.searches(), " "), "\n");
  }
  if (!dns.options().empty()) {
    absl::StrAppend(&out, "options ", absl::StrJoin(dns.options(), " "), "\n");
  }
  return out;
}

}  // namespace berth::netd
