#include "ctl/container/port_specs.h"

#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/proto_util.h"
#include "common/status_macros.h"

namespace berth::ctl {
namespace {

using types::v1::PortBinding;

struct PortRangeSpec {
  uint32_t first = 0;
  uint32_t last = 0;
  uint32_t size() const { return last - first + 1; }
};

// "80" or "8000-8002"; `what` names the part in the error.
absl::StatusOr<PortRangeSpec> ParseRange(const std::string& text,
                                         const std::string& what) {
  const auto invalid = [&] {
    return absl::InvalidArgumentError(absl::StrCat("invalid ", what, ": ", text));
  };
  std::vector<std::string> ends = absl::StrSplit(text, '-');
  PortRangeSpec range;
  if (ends.size() > 2 || !absl::SimpleAtoi(ends[0], &range.first) ||
      range.first < 1 || range.first > 65535) {
    return invalid();
  }
  range.last = range.first;
  if (ends.size() == 2 && (!absl::SimpleAtoi(ends[1], &range.last) ||
                           range.last < range.first || range.last > 65535)) {
    return invalid();
  }
  return range;
}

absl::StatusOr<types::v1::Protocol> ParseProtocol(const std::string& text) {
  std::optional<types::v1::Protocol> protocol = ProtocolNamed(text);
  if (!protocol.has_value()) {
    return absl::InvalidArgumentError(absl::StrCat("invalid proto: ", text));
  }
  return *protocol;
}

// "PORTS/PROTO" -> ("PORTS", "PROTO").
std::pair<std::string, std::string> SplitProto(const std::string& text) {
  const size_t slash = text.rfind('/');
  if (slash == std::string::npos) return {text, ""};
  return {text.substr(0, slash), text.substr(slash + 1)};
}

}  // namespace

std::string ExposedName(const PortBinding& binding) {
  return absl::StrCat(binding.container_port(), "/", ProtocolName(binding.protocol()));
}

absl::StatusOr<std::vector<PortBinding>> ParsePublish(const std::string& spec) {
  auto [rest, proto_text] = SplitProto(spec);
  ASSIGN_OR_RETURN(types::v1::Protocol protocol, ParseProtocol(proto_text));
  std::string ip;
  if (!rest.empty() && rest[0] == '[') {
    // [IPv6]:HOST:CONTAINER
    const size_t close = rest.find("]:");
    if (close == std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat("invalid IP address: ", rest));
    }
    ip = rest.substr(1, close - 1);
    rest = rest.substr(close + 2);
    if (rest.find(':') == std::string::npos) rest = ":" + rest;
  }
  std::vector<std::string> parts = absl::StrSplit(rest, ':');
  std::string host_text;
  std::string container_text;
  switch (parts.size()) {
    case 1:
      container_text = parts[0];
      break;
    case 2:
      host_text = parts[0];
      container_text = parts[1];
      break;
    case 3:
      if (!ip.empty()) {
        return absl::InvalidArgumentError(absl::StrCat("invalid port spec: ", spec));
      }
      ip = parts[0];
      host_text = parts[1];
      container_text = parts[2];
      break;
    default:
      return absl::InvalidArgumentError(absl::StrCat(
          "invalid port specification: \"", spec,
          "\": use [IP:][HOST_PORT:]CONTAINER_PORT[/PROTO]"));
  }
  if (container_text.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("no port specified: ", spec, "<empty>"));
  }
  ASSIGN_OR_RETURN(PortRangeSpec inside, ParseRange(container_text, "containerPort"));
  PortRangeSpec host;
  if (!host_text.empty()) {
    ASSIGN_OR_RETURN(host, ParseRange(host_text, "hostPort"));
    if (host.size() != inside.size()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "invalid ranges specified for container and host Ports: ",
          container_text, " and ", host_text));
    }
  }
  std::vector<PortBinding> bindings;
  for (uint32_t i = 0; i < inside.size(); ++i) {
    PortBinding binding;
    binding.set_container_port(inside.first + i);
    binding.set_protocol(protocol);
    binding.set_host_ip(ip);
    binding.set_host_port(host_text.empty() ? 0 : host.first + i);
    bindings.push_back(std::move(binding));
  }
  return bindings;
}

absl::StatusOr<std::vector<std::string>> ParseExpose(const std::string& spec) {
  auto [ports, proto_text] = SplitProto(spec);
  ASSIGN_OR_RETURN(types::v1::Protocol protocol, ParseProtocol(proto_text));
  ASSIGN_OR_RETURN(PortRangeSpec range, ParseRange(ports, "range format for --expose"));
  std::vector<std::string> exposed;
  for (uint32_t port = range.first; port <= range.last; ++port) {
    exposed.push_back(absl::StrCat(port, "/", ProtocolName(protocol)));
  }
  return exposed;
}

}  // namespace berth::ctl
