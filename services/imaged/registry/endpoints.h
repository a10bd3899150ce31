// Which URLs to try for a registry, in order, and how to speak TLS to each,
// as Docker decides it (moby registry/service_v2.go):
//
//   docker.io          mirrors..., https://registry-1.docker.io
//   reg.example:5000   mirrors..., https://reg.example:5000
//   127.0.0.1:5000     mirrors..., https://127.0.0.1:5000 (TLS unverified),
//                      http://127.0.0.1:5000
//
// A registry is insecure when listed in insecure_registries by host[:port],
// or when its host is an IP (or resolves to one) inside a listed CIDR or
// the defaults 127.0.0.0/8 and ::1/128. Insecure registries are still tried
// over HTTPS first, without verifying the certificate, then over plain HTTP
// — exactly Docker's order. Docker Hub is never insecure.
//
// Pure functions on values (the optional resolver aside); thread-safe.
#ifndef BERTH_SERVICES_IMAGED_REGISTRY_ENDPOINTS_H_
#define BERTH_SERVICES_IMAGED_REGISTRY_ENDPOINTS_H_

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace berth::imaged::registry {

// Docker Hub's registry API, where "docker.io" references are pulled from.
inline constexpr char kDockerHubOrigin[] = "https://registry-1.docker.io";

struct EndpointConfig {
  // Mirrors per registry domain, tried in order before the origin:
  // {"docker.io": {"http://127.0.0.1:5000"}}. A mirror is an http(s) URL,
  // optionally with a path; without a scheme it is https.
  std::map<std::string, std::vector<std::string>> mirrors;
  // "host[:port]" (an exact registry domain, any "http://" or "https://"
  // prefix dropped as Docker does) or a CIDR ("10.0.0.0/8", "fd00::/8").
  std::vector<std::string> insecure_registries;
  // Addresses of a host name, for matching it against the CIDRs (Docker
  // resolves names). Unset: only IP literals and "localhost" (127.0.0.1,
  // ::1) are matched. Called only for names, never for IP literals.
  std::function<std::vector<std::string>(const std::string& host)> resolve;
  // Where certs.d directories live, searched in order.
  std::vector<std::string> certs_roots = {"/etc/berth/certs.d",
                                          "/etc/docker/certs.d"};
};

struct Endpoint {
  // Base URL without a trailing "/": the client appends "/v2/...".
  // "https://registry-1.docker.io", "http://127.0.0.1:5000",
  // "https://mirror.example/prefix".
  std::string url;
  std::string scheme;  // "https" or "http"
  std::string host;    // host[:port] of url
  bool mirror = false;
  // HTTPS without verifying the server's certificate (insecure registry).
  bool skip_tls_verify = false;
  // Directories to read ca.crt / *.crt (CAs) and *.cert + *.key (client
  // certificates) from, in order: "<root>/<host[:port]>/" for each certs
  // root. Empty for http and for Docker Hub's origin (Docker reads none for
  // it). Given for unverified HTTPS too, for the client certificates;
  // Docker reads none there.
  std::vector<std::string> certs_dirs;

  bool operator==(const Endpoint& other) const;
};

// Checks mirrors (http(s) URLs with a host; no user info, query or
// fragment) and insecure entries (a CIDR, or host[:port] with a port in
// 1..65535 and no other "://" scheme). INVALID_ARGUMENT naming the entry,
// with Docker's wording ("invalid mirror: unsupported scheme ...",
// "insecure registry X is not valid").
absl::Status ValidateEndpointConfig(const EndpointConfig& config);

// Whether `domain` (host[:port]) is insecure under `config`, as above.
bool IsInsecureRegistry(absl::string_view domain, const EndpointConfig& config);

// The endpoints to try for `domain` (a Reference's domain: "docker.io",
// "127.0.0.1:5000", "[::1]:5000"), in order: its mirrors, then the origin
// (HTTPS, then HTTP when insecure). Mirrors are keyed by domain, with
// "index.docker.io" the same as "docker.io". INVALID_ARGUMENT when the
// config is invalid (ValidateEndpointConfig) or `domain` is empty.
absl::StatusOr<std::vector<Endpoint>> RegistryEndpoints(
    absl::string_view domain, const EndpointConfig& config);

}  // namespace berth::imaged::registry

#endif  // BERTH_SERVICES_IMAGED_REGISTRY_ENDPOINTS_H_
