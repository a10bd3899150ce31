#include "services/imaged/registry/http_transport.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/base/call_once.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/fs_util.h"
#include "common/status_macros.h"
#include "common/tree_archive/fd.h"

namespace berth::imaged::registry {

std::string HttpResponse::Header(absl::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (absl::EqualsIgnoreCase(key, name)) return value;
  }
  return "";
}

std::vector<std::string> HttpResponse::Headers(absl::string_view name) const {
  std::vector<std::string> values;
  for (const auto& [key, value] : headers) {
    if (absl::EqualsIgnoreCase(key, name)) values.push_back(value);
  }
  return values;
}

namespace {

// Extra CAs are trusted besides the system's, as Docker's certs.d adds to
// the system pool rather than replacing it.
constexpr char kSystemCaBundle[] = "/etc/ssl/certs/ca-certificates.crt";
constexpr int64_t kMaxCaFileSize = 4 << 20;
constexpr int kMaxRedirects = 10;

struct CurlEasyDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct CurlSlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
struct CurlUrlDeleter {
  void operator()(CURLU* url) const { curl_url_cleanup(url); }
};

using tree_archive::Fd;

void InitCurlOnce() {
  static absl::once_flag once;
  absl::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// Where a URL points: "host[:port]" for messages, and scheme://host:port
// (default port filled in) to tell whether a redirect leaves the origin.
struct UrlOrigin {
  std::string display;
  std::string key;
};

UrlOrigin OriginOf(const std::string& url) {
  std::unique_ptr<CURLU, CurlUrlDeleter> parsed(curl_url());
  UrlOrigin origin{"(bad URL)", ""};
  if (!parsed || curl_url_set(parsed.get(), CURLUPART_URL, url.c_str(), 0) !=
                     CURLUE_OK) {
    return origin;
  }
  auto part = [&parsed](CURLUPart which, unsigned flags) {
    char* value = nullptr;
    std::string text;
    if (curl_url_get(parsed.get(), which, &value, flags) == CURLUE_OK) {
      text = value;
    }
    curl_free(value);
    return text;
  };
  const std::string host = part(CURLUPART_HOST, 0);
  const std::string port = part(CURLUPART_PORT, 0);
  origin.display = port.empty() ? host : absl::StrCat(host, ":", port);
  origin.key = absl::StrCat(absl::AsciiStrToLower(part(CURLUPART_SCHEME, 0)),
                            "://", absl::AsciiStrToLower(host), ":",
                            part(CURLUPART_PORT, CURLU_DEFAULT_PORT));
  return origin;
}

// The PEM bundle for a request with extra CAs: the system's, then theirs.
absl::StatusOr<std::string> CaBundle(const TlsSettings& tls) {
  std::string pem;
  if (access(kSystemCaBundle, R_OK) == 0) {
    ASSIGN_OR_RETURN(pem, ReadFileToString(kSystemCaBundle, kMaxCaFileSize));
  }
  for (const std::string& file : tls.ca_files) {
    ASSIGN_OR_RETURN(std::string extra, ReadFileToString(file, kMaxCaFileSize));
    absl::StrAppend(&pem, "\n", extra, "\n");
  }
  return pem;
}

// One exchange (one hop of a redirect chain), shared with curl's callbacks.
// The callbacks record why they stopped a transfer in `abort_reason`.
struct Exchange {
  const HttpRequest* request = nullptr;
  CURL* curl = nullptr;
  std::string host;  // for messages
  HttpResponse response;
  // The body source: a file (body_fd) or request->body.
  int body_fd = -1;
  int64_t body_start = 0;
  int64_t body_size = 0;
  int64_t body_sent = 0;
  // The sink, decided when the first body byte arrives.
  bool sink_decided = false;
  bool to_file = false;
  bool counts_progress = false;
  Fd out_fd;
  int64_t progress_bytes = 0;
  absl::Status abort_reason;
};

absl::Status OutputError(int err, absl::string_view op,
                         const std::string& path) {
  return absl::InternalError(ErrnoStatus(err, op, path).message());
}

bool IsUpload(const std::string& method) {
  return method == "PUT" || method == "POST" || method == "PATCH";
}

bool RangeRequested(const HttpRequest& request) {
  for (const auto& [name, value] : request.headers) {
    if (absl::EqualsIgnoreCase(name, "range")) return true;
  }
  return false;
}

// A 2xx body goes to output_path: appended, except that a 200 answering a
// Range request is the whole blob (the server ignored the range) and
// replaces what the file held.
absl::Status OpenSink(Exchange& exchange) {
  exchange.sink_decided = true;
  long status = 0;
  curl_easy_getinfo(exchange.curl, CURLINFO_RESPONSE_CODE, &status);
  exchange.response.status = static_cast<int>(status);
  const bool success = status / 100 == 2;
  // An upload's progress is the bytes sent, not its answer's.
  exchange.counts_progress = success && !IsUpload(exchange.request->method);
  const std::string& path = exchange.request->output_path;
  if (!success || path.empty()) return absl::OkStatus();
  int flags = O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC;
  if (status == 200 && RangeRequested(*exchange.request)) flags |= O_TRUNC;
  const int fd = open(path.c_str(), flags, 0644);
  if (fd < 0) return OutputError(errno, "open", path);
  exchange.out_fd.Reset(fd);
  exchange.to_file = true;
  return absl::OkStatus();
}

absl::Status WriteAll(int fd, const char* data, size_t size,
                      const std::string& path) {
  while (size > 0) {
    const ssize_t written = write(fd, data, size);
    if (written < 0) {
      if (errno == EINTR) continue;
      return OutputError(errno, "write", path);
    }
    data += written;
    size -= static_cast<size_t>(written);
  }
  return absl::OkStatus();
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* exchange = static_cast<Exchange*>(user);
  absl::string_view line(data, size * count);
  if (absl::StartsWith(line, "HTTP/")) {
    // A new response (after a 100 Continue): only the last one's headers.
    exchange->response.headers.clear();
    return size * count;
  }
  const size_t colon = line.find(':');
  if (colon != absl::string_view::npos) {
    exchange->response.headers.emplace_back(
        absl::AsciiStrToLower(absl::StripAsciiWhitespace(line.substr(0, colon))),
        std::string(absl::StripAsciiWhitespace(line.substr(colon + 1))));
  }
  return size * count;
}

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* exchange = static_cast<Exchange*>(user);
  const size_t bytes = size * count;
  if (!exchange->sink_decided) {
    exchange->abort_reason = OpenSink(*exchange);
    if (!exchange->abort_reason.ok()) return 0;
  }
  if (exchange->to_file) {
    exchange->abort_reason = WriteAll(exchange->out_fd.get(), data, bytes,
                                      exchange->request->output_path);
    if (!exchange->abort_reason.ok()) return 0;
  } else {
    const int64_t limit = exchange->request->max_body_in_memory;
    if (static_cast<int64_t>(exchange->response.body.size() + bytes) > limit) {
      exchange->abort_reason = absl::OutOfRangeError(absl::StrCat(
          exchange->host, ": response body is larger than ", limit, " bytes"));
      return 0;
    }
    exchange->response.body.append(data, bytes);
  }
  exchange->response.body_bytes += static_cast<int64_t>(bytes);
  if (exchange->counts_progress && exchange->request->on_progress) {
    exchange->progress_bytes += static_cast<int64_t>(bytes);
    if (!exchange->request->on_progress(exchange->progress_bytes)) {
      exchange->abort_reason = absl::CancelledError(
          absl::StrCat(exchange->host, ": transfer cancelled"));
      return 0;
    }
  }
  return bytes;
}

size_t OnReadBody(char* buffer, size_t size, size_t count, void* user) {
  auto* exchange = static_cast<Exchange*>(user);
  const int64_t wanted = std::min<int64_t>(
      static_cast<int64_t>(size * count),
      exchange->body_size - exchange->body_sent);
  if (wanted <= 0) return 0;
  int64_t got = wanted;
  if (exchange->body_fd >= 0) {
    const ssize_t n = pread(exchange->body_fd, buffer, wanted,
                            exchange->body_start + exchange->body_sent);
    if (n <= 0) {
      exchange->abort_reason =
          n < 0 ? ErrnoStatus(errno, "read", exchange->request->body_path)
                : absl::InternalError(absl::StrCat(
                      exchange->request->body_path, " ended before ",
                      exchange->body_size, " bytes were sent"));
      return CURL_READFUNC_ABORT;
    }
    got = n;
  } else {
    std::memcpy(buffer, exchange->request->body.data() + exchange->body_sent,
                wanted);
  }
  exchange->body_sent += got;
  if (exchange->request->on_progress &&
      !exchange->request->on_progress(exchange->body_sent)) {
    exchange->abort_reason = absl::CancelledError(
        absl::StrCat(exchange->host, ": transfer cancelled"));
    return CURL_READFUNC_ABORT;
  }
  return static_cast<size_t>(got);
}

// curl rewinds the body when it must send it again on a new connection.
int OnSeekBody(void* user, curl_off_t offset, int origin) {
  auto* exchange = static_cast<Exchange*>(user);
  if (origin != SEEK_SET || offset < 0 || offset > exchange->body_size) {
    return CURL_SEEKFUNC_CANTSEEK;
  }
  exchange->body_sent = offset;
  return CURL_SEEKFUNC_OK;
}

// What failed when no response came, worded for a person: the host and the
// kind, plus curl's detail where it says more (TLS).
absl::Status TransferError(Exchange& exchange, CURLcode code,
                           const char* detail) {
  if (!exchange.abort_reason.ok()) return exchange.abort_reason;
  const std::string& host = exchange.host;
  auto unavailable = [&host](absl::string_view kind,
                             absl::string_view more = "") {
    return absl::UnavailableError(
        more.empty() ? absl::StrCat(host, ": ", kind)
                     : absl::StrCat(host, ": ", kind, " (", more, ")"));
  };
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return unavailable("unknown host");
    case CURLE_COULDNT_CONNECT: {
      long os_errno = 0;
      curl_easy_getinfo(exchange.curl, CURLINFO_OS_ERRNO, &os_errno);
      if (os_errno == ECONNREFUSED || os_errno == 0) {
        return unavailable("connection refused");
      }
      return unavailable("cannot connect",
                         std::strerror(static_cast<int>(os_errno)));
    }
    case CURLE_OPERATION_TIMEDOUT:
      return unavailable("timed out");
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
      return unavailable("TLS verification failed", detail);
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
      return unavailable("TLS handshake failed", detail);
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return unavailable("connection dropped", curl_easy_strerror(code));
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return absl::InvalidArgumentError(
          absl::StrCat(host, ": URL is not a valid http(s) URL"));
    default:
      return unavailable(curl_easy_strerror(code));
  }
}

absl::Status SetBody(Exchange& exchange, Fd& body_file) {
  const HttpRequest& request = *exchange.request;
  if (request.body_path.empty()) {
    exchange.body_size = static_cast<int64_t>(request.body.size());
    return absl::OkStatus();
  }
  body_file.Reset(open(request.body_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (body_file.get() < 0) return ErrnoStatus(errno, "open", request.body_path);
  struct stat info;
  if (fstat(body_file.get(), &info) != 0) {
    return ErrnoStatus(errno, "stat", request.body_path);
  }
  exchange.body_fd = body_file.get();
  exchange.body_start = request.body_offset;
  exchange.body_size = request.body_length >= 0
                           ? request.body_length
                           : info.st_size - request.body_offset;
  if (request.body_offset < 0 || exchange.body_size < 0 ||
      request.body_offset + exchange.body_size > info.st_size) {
    return absl::InvalidArgumentError(absl::StrCat(
        request.body_path, " has ", info.st_size, " bytes, less than offset ",
        request.body_offset, " + length ", exchange.body_size));
  }
  return absl::OkStatus();
}

void SetMethod(Exchange& exchange) {
  CURL* curl = exchange.curl;
  const std::string& method = exchange.request->method;
  if (method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (IsUpload(method)) {
    // Upload mode for every body, so no form Content-Type is added.
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, OnReadBody);
    curl_easy_setopt(curl, CURLOPT_READDATA, &exchange);
    curl_easy_setopt(curl, CURLOPT_SEEKFUNCTION, OnSeekBody);
    curl_easy_setopt(curl, CURLOPT_SEEKDATA, &exchange);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE,
                     static_cast<curl_off_t>(exchange.body_size));
    if (method != "PUT") {
      curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
    }
  } else if (method != "GET") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  }
}

class CurlTransport : public HttpTransport {
 public:
  CurlTransport() { InitCurlOnce(); }

  absl::StatusOr<HttpResponse> Send(const HttpRequest& request) override {
    std::string ca_bundle;
    if (!request.tls.ca_files.empty()) {
      ASSIGN_OR_RETURN(ca_bundle, CaBundle(request.tls));
    }
    // Redirects are followed here rather than by curl, so the rule about
    // Authorization is ours to see: it goes only to the first origin.
    const std::string first_origin = OriginOf(request.url).key;
    HttpRequest hop = request;
    for (int redirects = 0; redirects <= kMaxRedirects; ++redirects) {
      const bool same_origin = OriginOf(hop.url).key == first_origin;
      ASSIGN_OR_RETURN(HttpResponse response,
                       SendOnce(hop, same_origin, ca_bundle));
      const int status = response.status;
      const bool redirect = status == 301 || status == 302 || status == 303 ||
                            status == 307 || status == 308;
      if (!request.follow_redirects || !redirect || response.effective_url.empty()) {
        response.effective_url = hop.url;
        return response;
      }
      hop.url = response.effective_url;
      if (status == 303 && hop.method != "HEAD") {
        hop.method = "GET";
        hop.body.clear();
        hop.body_path.clear();
      }
    }
    return absl::UnavailableError(absl::StrCat(
        OriginOf(request.url).display, ": more than ", kMaxRedirects,
        " redirects"));
  }

 private:
  // One exchange; for a 3xx, effective_url holds the redirect target.
  static absl::StatusOr<HttpResponse> SendOnce(const HttpRequest& request,
                                               bool send_authorization,
                                               const std::string& ca_bundle) {
    std::unique_ptr<CURL, CurlEasyDeleter> curl(curl_easy_init());
    if (!curl) return absl::InternalError("curl_easy_init failed");
    Exchange exchange;
    exchange.request = &request;
    exchange.curl = curl.get();
    exchange.host = OriginOf(request.url).display;
    Fd body_file;
    RETURN_IF_ERROR(SetBody(exchange, body_file));

    char detail[CURL_ERROR_SIZE] = {0};
    CURL* c = curl.get();
    curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, detail);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // threads, no SIGALRM
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(absl::ToInt64Milliseconds(
                         request.connect_timeout)));
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME,
                     std::max<long>(1, absl::ToInt64Seconds(
                                           request.stall_timeout)));
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, OnHeader);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &exchange);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, OnBody);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &exchange);
    SetMethod(exchange);

    std::unique_ptr<curl_slist, CurlSlistDeleter> headers;
    auto add_header = [&headers](const std::string& line) {
      curl_slist* list = curl_slist_append(headers.get(), line.c_str());
      if (list != nullptr) {
        headers.release();
        headers.reset(list);
      }
    };
    // No "Expect: 100-continue" round trip before uploads.
    add_header("Expect:");
    for (const auto& [name, value] : request.headers) {
      if (!send_authorization && absl::EqualsIgnoreCase(name, "authorization")) {
        continue;
      }
      add_header(absl::StrCat(name, ": ", value));
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());

    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, request.tls.verify ? 1L : 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, request.tls.verify ? 2L : 0L);
    if (!ca_bundle.empty()) {
      curl_blob blob{const_cast<char*>(ca_bundle.data()), ca_bundle.size(),
                     CURL_BLOB_NOCOPY};
      curl_easy_setopt(c, CURLOPT_CAINFO_BLOB, &blob);
    }
    if (!request.tls.client_cert_file.empty()) {
      curl_easy_setopt(c, CURLOPT_SSLCERT, request.tls.client_cert_file.c_str());
      curl_easy_setopt(c, CURLOPT_SSLKEY, request.tls.client_key_file.c_str());
    }

    const CURLcode code = curl_easy_perform(c);
    if (code != CURLE_OK) return TransferError(exchange, code, detail);
    if (!exchange.sink_decided) {
      // No body byte came; a 2xx download still leaves its file right.
      RETURN_IF_ERROR(OpenSink(exchange));
    }
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    exchange.response.status = static_cast<int>(status);
    char* redirect_url = nullptr;
    curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &redirect_url);
    exchange.response.effective_url = redirect_url ? redirect_url : "";
    return std::move(exchange.response);
  }
};

}  // namespace

std::unique_ptr<HttpTransport> NewCurlTransport() {
  return std::make_unique<CurlTransport>();
}

}  // namespace berth::imaged::registry
