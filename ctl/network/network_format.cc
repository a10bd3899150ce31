#include "ctl/network/network_format.h"

#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ctl/cli/format.h"

namespace berth::ctl {
namespace {

using nlohmann::ordered_json;
using StringMap = google::protobuf::Map<std::string, std::string>;

// Docker's `network ls` table and quiet formats.
constexpr char kDefaultTableFormat[] =
    "table {{.ID}}\\t{{.Name}}\\t{{.Driver}}\\t{{.Scope}}";
constexpr char kQuietFormat[] = "{{.ID}}";

absl::Time ToTime(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

std::map<std::string, std::string> Sorted(const StringMap& map) {
  return std::map<std::string, std::string>(map.begin(), map.end());
}

// A map Docker's daemon always fills in: {} when empty, keys sorted.
ordered_json MapOrEmpty(const StringMap& map) {
  ordered_json out = ordered_json::object();
  for (const auto& [key, value] : Sorted(map)) out[key] = value;
  return out;
}

// "172.18.0.2/16", or "" without an address.
std::string AddressWithPrefix(const std::string& address, int prefix) {
  return address.empty() ? "" : absl::StrCat(address, "/", prefix);
}

ordered_json IpamJson(const network::v1::Network& network) {
  const network::v1::Ipam& ipam = network.ipam();
  ordered_json config = ordered_json::array();
  for (const network::v1::IpamPool& pool : ipam.pools()) {
    ordered_json entry = ordered_json::object();
    entry["Subnet"] = pool.subnet();
    if (!pool.ip_range().empty()) entry["IPRange"] = pool.ip_range();
    entry["Gateway"] = pool.gateway();
    if (!pool.aux_addresses().empty()) {
      entry["AuxiliaryAddresses"] = MapOrEmpty(pool.aux_addresses());
    }
    config.push_back(std::move(entry));
  }
  // Docker's predefined networks have no IPAM options (null); a network
  // made by `network create` has the map, empty or not.
  ordered_json options = MapOrEmpty(ipam.options());
  if (network.predefined() && ipam.options().empty()) options = nullptr;
  return ordered_json{
      {"Driver", ipam.driver().empty() ? "default" : ipam.driver()},
      {"Options", std::move(options)},
      {"Config", std::move(config)}};
}

ordered_json ContainersJson(const network::v1::Network& network) {
  std::map<std::string, const types::v1::NetworkEndpoint*> sorted;
  for (const auto& [id, endpoint] : network.containers()) {
    sorted[id] = &endpoint;
  }
  ordered_json out = ordered_json::object();
  for (const auto& [id, e] : sorted) {
    out[id] = ordered_json{
        {"Name", e->container_name()},
        {"EndpointID", e->endpoint_id()},
        {"MacAddress", e->mac_address()},
        {"IPv4Address",
         AddressWithPrefix(e->ipv4_address(), e->ipv4_prefix_length())},
        {"IPv6Address",
         AddressWithPrefix(e->ipv6_address(), e->ipv6_prefix_length())}};
  }
  return out;
}

// Docker's row methods: networkContext.Label.
TemplateMethods RowMethods(const StringMap& labels) {
  return LabelMethods(Sorted(labels));
}

ordered_json ListHeader() {
  return ordered_json{{"CreatedAt", "CREATED AT"}, {"Driver", "DRIVER"},
                      {"ID", "NETWORK ID"},        {"IPv4", "IPV4"},
                      {"IPv6", "IPV6"},            {"Internal", "INTERNAL"},
                      {"Labels", "LABELS"},        {"Name", "NAME"},
                      {"Scope", "SCOPE"}};
}

const char* Bool(bool value) { return value ? "true" : "false"; }

}  // namespace

ordered_json NetworkInspectJson(const network::v1::Network& network) {
  ordered_json out = ordered_json::object();
  out["Name"] = network.name();
  out["Id"] = network.id();
  out["Created"] = FormatRfc3339Nano(ToTime(network.created()));
  out["Scope"] = network.scope().empty() ? "local" : network.scope();
  out["Driver"] = network.driver();
  // Every Berth network has IPv4 (Docker 28 can turn it off).
  out["EnableIPv4"] = true;
  out["EnableIPv6"] = network.enable_ipv6();
  out["IPAM"] = IpamJson(network);
  out["Internal"] = network.internal();
  out["Attachable"] = network.attachable();
  out["Ingress"] = false;
  out["ConfigFrom"] = ordered_json{{"Network", ""}};
  out["ConfigOnly"] = false;
  out["Containers"] = ContainersJson(network);
  out["Options"] = MapOrEmpty(network.options());
  out["Labels"] = MapOrEmpty(network.labels());
  return out;
}

TemplateRow NetworkRow(const network::v1::Network& network, bool no_trunc,
                       absl::TimeZone zone) {
  std::vector<std::string> labels;
  for (const auto& [key, value] : Sorted(network.labels())) {
    labels.push_back(absl::StrCat(key, "=", value));
  }
  // Go's time.Time.String(): the fraction as long as it needs to be.
  const std::string created = absl::FormatTime(
      "%Y-%m-%d %H:%M:%E*S %z %Z", ToTime(network.created()), zone);
  ordered_json fields{
      {"CreatedAt", created},
      {"Driver", network.driver()},
      {"ID", no_trunc ? network.id() : TruncateId(network.id())},
      {"IPv4", "true"},
      {"IPv6", Bool(network.enable_ipv6())},
      {"Internal", Bool(network.internal())},
      {"Labels", absl::StrJoin(labels, ",")},
      {"Name", network.name()},
      {"Scope", network.scope()},
  };
  return TemplateRow{std::move(fields), RowMethods(network.labels())};
}

absl::StatusOr<std::string> RenderNetworkList(
    const std::vector<const network::v1::Network*>& networks,
    const NetworkListOptions& options, absl::TimeZone zone) {
  std::string format = options.format;
  if (format.empty() || format == "table") {
    format = options.quiet ? kQuietFormat : kDefaultTableFormat;
  }
  std::vector<TemplateRow> rows;
  for (const network::v1::Network* network : networks) {
    rows.push_back(NetworkRow(*network, options.no_trunc, zone));
  }
  return RenderListTemplate(
      ListTemplate{format, ListHeader(), "*network.networkContext"}, rows);
}

std::string RenderPrunedNetworks(
    const network::v1::PruneNetworksResponse& response) {
  if (response.deleted().empty()) return "";
  std::string out = "Deleted Networks:\n";
  for (const std::string& name : response.deleted()) {
    absl::StrAppend(&out, name, "\n");
  }
  return out + "\n";
}

}  // namespace berth::ctl
