#include "services/imaged/registry/endpoints.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/status_macros.h"

namespace berth::imaged::registry {
namespace {

// An IPv4 address in its IPv4-mapped IPv6 form, so one comparison serves
// both families (as Go's net.IP does).
using Ip = std::array<unsigned char, 16>;

std::optional<Ip> ParseIp(absl::string_view text) {
  const std::string s(text);
  Ip ip{};
  unsigned char v4[4];
  if (inet_pton(AF_INET, s.c_str(), v4) == 1) {
    ip[10] = ip[11] = 0xff;
    std::memcpy(&ip[12], v4, 4);
    return ip;
  }
  if (inet_pton(AF_INET6, s.c_str(), ip.data()) == 1) return ip;
  return std::nullopt;
}

bool IsV4(const Ip& ip) {
  static constexpr unsigned char kPrefix[12] = {0, 0, 0, 0, 0,    0,
                                                0, 0, 0, 0, 0xff, 0xff};
  return std::memcmp(ip.data(), kPrefix, 12) == 0;
}

struct Cidr {
  Ip base;
  int bits;  // over the 128-bit form

  bool Contains(const Ip& ip) const {
    for (int i = 0; i < bits; ++i) {
      const int mask = 0x80 >> (i % 8);
      if ((ip[i / 8] & mask) != (base[i / 8] & mask)) return false;
    }
    return true;
  }
};

std::optional<Cidr> ParseCidr(absl::string_view text) {
  const size_t slash = text.find('/');
  if (slash == absl::string_view::npos) return std::nullopt;
  std::optional<Ip> ip = ParseIp(text.substr(0, slash));
  int bits = 0;
  if (!ip || !absl::SimpleAtoi(text.substr(slash + 1), &bits) || bits < 0) {
    return std::nullopt;
  }
  const bool v4 = text.substr(0, slash).find(':') == absl::string_view::npos;
  if (bits > (v4 ? 32 : 128)) return std::nullopt;
  return Cidr{*ip, v4 ? bits + 96 : bits};
}

// The host of host[:port], without IPv6 brackets.
std::string HostOf(absl::string_view domain) {
  if (absl::StartsWith(domain, "[")) {
    const size_t close = domain.find(']');
    return std::string(domain.substr(1, close == absl::string_view::npos
                                            ? absl::string_view::npos
                                            : close - 1));
  }
  // Two colons or more: a bare IPv6 address, not host:port.
  if (std::count(domain.begin(), domain.end(), ':') == 1) {
    return std::string(domain.substr(0, domain.find(':')));
  }
  return std::string(domain);
}

bool IsDockerHub(absl::string_view domain) {
  const std::string lower = absl::AsciiStrToLower(domain);
  return lower == "docker.io" || lower == "index.docker.io";
}

// An insecure entry without Docker's tolerated scheme prefix.
absl::string_view StripScheme(absl::string_view entry) {
  const std::string lower = absl::AsciiStrToLower(entry.substr(0, 8));
  if (absl::StartsWith(lower, "http://")) return entry.substr(7);
  if (absl::StartsWith(lower, "https://")) return entry.substr(8);
  return entry;
}

absl::Status ValidateHostPort(absl::string_view entry) {
  const auto invalid = [entry] {
    return absl::InvalidArgumentError(absl::StrCat(
        "insecure registry ", absl::CEscape(entry), " is not valid"));
  };
  if (entry.empty() || absl::StrContains(entry, "/")) return invalid();
  for (char c : entry) {
    if (absl::ascii_isspace(static_cast<unsigned char>(c))) return invalid();
  }
  absl::string_view port;
  if (absl::StartsWith(entry, "[")) {
    const size_t close = entry.find(']');
    if (close == absl::string_view::npos ||
        !ParseIp(entry.substr(1, close - 1))) {
      return invalid();
    }
    absl::string_view rest = entry.substr(close + 1);
    if (!rest.empty()) {
      if (!absl::ConsumePrefix(&rest, ":") || rest.empty()) return invalid();
      port = rest;
    }
  } else if (std::count(entry.begin(), entry.end(), ':') == 1) {
    port = entry.substr(entry.find(':') + 1);
    if (port.empty() || entry.front() == ':') return invalid();
  }
  int number = 0;
  if (!port.empty() &&
      (!absl::SimpleAtoi(port, &number) || number < 1 || number > 65535)) {
    return invalid();
  }
  return absl::OkStatus();
}

struct Mirror {
  std::string url;  // without a trailing "/"
  std::string scheme;
  std::string host;
};

absl::StatusOr<Mirror> ParseMirror(absl::string_view text) {
  const auto invalid = [text](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid mirror: ", why, " in \"", absl::CEscape(text),
                     "\""));
  };
  Mirror mirror;
  std::string url(text);
  // Docker's default for a bare host.
  if (url.find("://") == std::string::npos) url = "https://" + url;
  const size_t scheme_end = url.find("://");
  mirror.scheme = absl::AsciiStrToLower(url.substr(0, scheme_end));
  if (mirror.scheme != "http" && mirror.scheme != "https") {
    return invalid(absl::StrCat("unsupported scheme \"",
                                absl::CEscape(mirror.scheme), "\""));
  }
  if (url.find_first_of("?#") != std::string::npos) {
    return invalid("query or fragment at end of the URI");
  }
  absl::string_view rest = absl::string_view(url).substr(scheme_end + 3);
  mirror.host = std::string(rest.substr(0, rest.find('/')));
  if (absl::StrContains(mirror.host, "@")) {
    return invalid("username/password not allowed");
  }
  if (mirror.host.empty()) return invalid("no host");
  for (char c : url) {
    if (absl::ascii_isspace(static_cast<unsigned char>(c))) {
      return invalid("white space");
    }
  }
  while (absl::EndsWith(url, "/")) url.pop_back();
  mirror.url = absl::StrCat(mirror.scheme, url.substr(scheme_end));
  return mirror;
}

std::vector<std::string> CertsDirs(const EndpointConfig& config,
                                   absl::string_view host) {
  std::vector<std::string> dirs;
  for (const std::string& root : config.certs_roots) {
    dirs.push_back(absl::StrCat(absl::StripSuffix(root, "/"), "/", host, "/"));
  }
  return dirs;
}

}  // namespace

bool Endpoint::operator==(const Endpoint& other) const {
  return url == other.url && scheme == other.scheme && host == other.host &&
         mirror == other.mirror && skip_tls_verify == other.skip_tls_verify &&
         certs_dirs == other.certs_dirs;
}

absl::Status ValidateEndpointConfig(const EndpointConfig& config) {
  for (const auto& [domain, mirrors] : config.mirrors) {
    if (domain.empty()) {
      return absl::InvalidArgumentError("mirrors: empty registry name");
    }
    for (const std::string& mirror : mirrors) {
      RETURN_IF_ERROR(ParseMirror(mirror).status());
    }
  }
  for (const std::string& entry : config.insecure_registries) {
    absl::string_view host = StripScheme(entry);
    if (absl::StrContains(host, "://")) {
      return absl::InvalidArgumentError(
          absl::StrCat("insecure registry ", absl::CEscape(entry),
                       " should not contain '://'"));
    }
    if (absl::StrContains(host, "/")) {
      if (!ParseCidr(host)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "insecure registry ", absl::CEscape(entry), " is not valid"));
      }
      continue;
    }
    RETURN_IF_ERROR(ValidateHostPort(host));
  }
  return absl::OkStatus();
}

bool IsInsecureRegistry(absl::string_view domain, const EndpointConfig& config) {
  if (IsDockerHub(domain)) return false;
  const std::string lower = absl::AsciiStrToLower(domain);
  std::vector<Cidr> cidrs = {*ParseCidr("127.0.0.0/8"), *ParseCidr("::1/128")};
  for (const std::string& entry : config.insecure_registries) {
    absl::string_view host = StripScheme(entry);
    if (std::optional<Cidr> cidr = ParseCidr(host)) {
      cidrs.push_back(*cidr);
    } else if (absl::AsciiStrToLower(host) == lower) {
      return true;
    }
  }
  const std::string host = HostOf(lower);
  std::vector<std::string> addresses;
  if (ParseIp(host)) {
    addresses = {host};
  } else if (config.resolve) {
    addresses = config.resolve(host);
  } else if (host == "localhost") {
    addresses = {"127.0.0.1", "::1"};
  }
  for (const std::string& address : addresses) {
    std::optional<Ip> ip = ParseIp(address);
    if (!ip) continue;
    for (const Cidr& cidr : cidrs) {
      // A v4 CIDR never matches a v6 address and back, as in Go.
      if (IsV4(*ip) != IsV4(cidr.base)) continue;
      if (cidr.Contains(*ip)) return true;
    }
  }
  return false;
}

absl::StatusOr<std::vector<Endpoint>> RegistryEndpoints(
    absl::string_view domain, const EndpointConfig& config) {
  if (domain.empty()) {
    return absl::InvalidArgumentError("registry endpoints: empty registry");
  }
  RETURN_IF_ERROR(ValidateEndpointConfig(config));
  std::vector<Endpoint> endpoints;
  for (const auto& [key, mirrors] : config.mirrors) {
    const bool same = IsDockerHub(domain)
                          ? IsDockerHub(key)
                          : absl::EqualsIgnoreCase(key, domain);
    if (!same) continue;
    for (const std::string& text : mirrors) {
      ASSIGN_OR_RETURN(Mirror mirror, ParseMirror(text));
      Endpoint endpoint;
      endpoint.url = mirror.url;
      endpoint.scheme = mirror.scheme;
      endpoint.host = mirror.host;
      endpoint.mirror = true;
      if (mirror.scheme == "https") {
        endpoint.skip_tls_verify = IsInsecureRegistry(mirror.host, config);
        endpoint.certs_dirs = CertsDirs(config, mirror.host);
      }
      endpoints.push_back(std::move(endpoint));
    }
  }
  if (IsDockerHub(domain)) {
    Endpoint origin;
    origin.url = kDockerHubOrigin;
    origin.scheme = "https";
    origin.host = "registry-1.docker.io";
    endpoints.push_back(std::move(origin));
    return endpoints;
  }
  const std::string host(domain);
  Endpoint https;
  https.url = "https://" + host;
  https.scheme = "https";
  https.host = host;
  https.skip_tls_verify = IsInsecureRegistry(host, config);
  https.certs_dirs = CertsDirs(config, host);
  const bool insecure = https.skip_tls_verify;
  endpoints.push_back(std::move(https));
  if (insecure) {
    Endpoint http;
    http.url = "http://" + host;
    http.scheme = "http";
    http.host = host;
    endpoints.push_back(std::move(http));
  }
  return endpoints;
}

}  // namespace berth::imaged::registry
