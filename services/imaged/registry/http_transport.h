// HttpTransport: one HTTP exchange with a registry, a token server or a
// blob store a registry redirects to. The registry client depends on this
// small interface; CurlTransport (libcurl) is the real one.
//
// A transport never interprets status codes: any HTTP response, 404 or 500
// included, is returned as a response. A non-OK status means no response
// came at all (unknown host, connection refused, TLS failure, timeout) and
// always names the host and what failed, never a header value.
#ifndef BERTH_SERVICES_IMAGED_REGISTRY_HTTP_TRANSPORT_H_
#define BERTH_SERVICES_IMAGED_REGISTRY_HTTP_TRANSPORT_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace berth::imaged::registry {

// How to speak TLS to one endpoint (https URLs only).
struct TlsSettings {
  // false for an insecure registry: the certificate is not checked.
  bool verify = true;
  // Extra CA certificates (PEM files) trusted besides the system's:
  // certs.d's ca.crt and *.crt.
  std::vector<std::string> ca_files;
  // A client certificate and its key (certs.d's *.cert and *.key); both
  // empty or both set.
  std::string client_cert_file;
  std::string client_key_file;
};

struct HttpRequest {
  std::string method = "GET";  // GET, HEAD, PUT, POST, PATCH, DELETE
  std::string url;
  // Sent as given; names in any case.
  std::vector<std::pair<std::string, std::string>> headers;
  // The request body, unless `body_path` is set: then `body_length` bytes
  // (-1: to the end) of that file from `body_offset` are streamed.
  std::string body;
  std::string body_path;
  int64_t body_offset = 0;
  int64_t body_length = -1;
  // Where a 2xx response body goes: appended to this file when set (a
  // download, possibly resumed), else into HttpResponse::body. A non-2xx
  // body always goes into HttpResponse::body. A 200 answering a request
  // with a Range header carries the whole content (the server ignored the
  // range), so it replaces what the file held instead of being appended.
  std::string output_path;
  // Largest body kept in memory; more is an error (OUT_OF_RANGE).
  int64_t max_body_in_memory = 4 << 20;
  // Redirects are followed (blob downloads go to storage elsewhere).
  // Authorization is sent only to the request's own host.
  bool follow_redirects = true;
  absl::Duration connect_timeout = absl::Seconds(30);
  // Abort when less than 1 byte/s moved for this long: a stalled transfer,
  // however large, fails instead of hanging; there is no total limit.
  absl::Duration stall_timeout = absl::Seconds(60);
  // Called as body bytes arrive (downloads) or leave (uploads) with the
  // count so far in this exchange; returning false aborts it (CANCELLED).
  std::function<bool(int64_t bytes)> on_progress;
  TlsSettings tls;
};

struct HttpResponse {
  int status = 0;
  // Of the final response after redirects; names lowercased, in order.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;           // unless written to output_path
  int64_t body_bytes = 0;     // bytes received of the body (either place)
  std::string effective_url;  // after redirects

  // The first value of header `name` (any case), "" when absent.
  std::string Header(absl::string_view name) const;
  // Every value of header `name` (any case), in order.
  std::vector<std::string> Headers(absl::string_view name) const;
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // Thread-safe: several layers download at once through one transport.
  // Errors: UNAVAILABLE (no response: the message says which of unknown
  // host, connection refused, TLS verification failed, timed out, and the
  // host), CANCELLED (on_progress returned false), OUT_OF_RANGE (body over
  // max_body_in_memory), INTERNAL (output file not writable; with errno).
  virtual absl::StatusOr<HttpResponse> Send(const HttpRequest& request) = 0;
};

// The libcurl transport. Process-wide curl init happens on first use.
std::unique_ptr<HttpTransport> NewCurlTransport();

}  // namespace berth::imaged::registry

#endif  // BERTH_SERVICES_IMAGED_REGISTRY_HTTP_TRANSPORT_H_
