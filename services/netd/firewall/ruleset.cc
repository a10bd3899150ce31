#include "services/netd/firewall/ruleset.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/proto_util.h"

namespace berth::netd::firewall {
namespace {

std::string Quoted(const std::string& name) { return absl::StrCat("\"", name, "\""); }

}  // namespace

std::string RenderRuleset(const Ruleset& rules) {
  std::string out = absl::StrCat("table ip ", kTable, " {}\ndelete table ip ",
                                 kTable, "\ntable ip ", kTable, " {\n");
  std::vector<std::string> names;
  for (const BridgeRules& bridge : rules.bridges) names.push_back(Quoted(bridge.bridge));
  absl::StrAppend(&out, "  set bridges {\n    type ifname\n");
  if (!names.empty()) {
    absl::StrAppend(&out, "    elements = { ", absl::StrJoin(names, ", "), " }\n");
  }
  absl::StrAppend(&out, "  }\n");

  // Between networks: nothing passes but published ports (DNAT), and an
  // internal network talks only to itself.
  absl::StrAppend(&out,
                  "  chain forward {\n"
                  "    type filter hook forward priority filter; policy accept;\n");
  for (const BridgeRules& bridge : rules.bridges) {
    const std::string name = Quoted(bridge.bridge);
    if (bridge.internal) {
      absl::StrAppend(&out, "    iifname ", name, " oifname != ", name, " drop\n");
      absl::StrAppend(&out, "    oifname ", name, " iifname != ", name, " drop\n");
    }
  }
  absl::StrAppend(&out, "    ct status dnat accept\n");
  for (const BridgeRules& bridge : rules.bridges) {
    const std::string name = Quoted(bridge.bridge);
    if (!bridge.internal) {
      absl::StrAppend(&out, "    iifname ", name, " oifname != ", name,
                      " oifname @bridges drop\n");
    }
  }
  absl::StrAppend(&out, "  }\n");

  // Published ports: to any of the host's addresses, from outside
  // (prerouting) and from the host itself (output).
  absl::StrAppend(&out, "  chain publish {\n");
  for (const PortForward& port : rules.ports) {
    const types::v1::PortBinding& binding = port.binding;
    std::string match;
    if (!binding.host_ip().empty() && binding.host_ip() != "0.0.0.0") {
      match = absl::StrCat("ip daddr ", binding.host_ip(), " ");
    }
    absl::StrAppend(&out, "    ", match, ProtocolName(binding.protocol()), " dport ",
                    binding.host_port(), " dnat to ", port.container_ip, ":",
                    binding.container_port(), "\n");
  }
  absl::StrAppend(&out,
                  "  }\n"
                  "  chain prerouting {\n"
                  "    type nat hook prerouting priority dstnat; policy accept;\n"
                  "    fib daddr type local jump publish\n"
                  "  }\n"
                  "  chain output {\n"
                  "    type nat hook output priority -100; policy accept;\n"
                  "    fib daddr type local jump publish\n"
                  "  }\n");

  // The host's 127.0.0.1 and a container reaching its own network's
  // published port need a source the container can answer; outbound
  // traffic leaves with the host's address when masquerade is on.
  absl::StrAppend(&out,
                  "  chain postrouting {\n"
                  "    type nat hook postrouting priority srcnat; policy accept;\n");
  for (const BridgeRules& bridge : rules.bridges) {
    const std::string name = Quoted(bridge.bridge);
    absl::StrAppend(&out, "    oifname ", name, " ip saddr 127.0.0.0/8 masquerade\n");
    absl::StrAppend(&out, "    oifname ", name, " ip saddr ", bridge.subnet,
                    " ct status dnat masquerade\n");
    if (rules.masquerade && !bridge.internal) {
      absl::StrAppend(&out, "    oifname != ", name, " ip saddr ", bridge.subnet,
                      " masquerade\n");
    }
  }
  absl::StrAppend(&out, "  }\n}\n");
  return out;
}

std::string RemoveRulesetScript() {
  return absl::StrCat("table ip ", kTable, " {}\ndelete table ip ", kTable, "\n");
}

}  // namespace berth::netd::firewall
