#include "services/imaged/registry/registry_session.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "common/fs_util.h"
#include "common/status_macros.h"
#include "nlohmann/json.hpp"

namespace berth::imaged::registry {
namespace {

// The client id Docker sends as "docker"; token servers log it.
constexpr char kClientId[] = "berth";
constexpr int64_t kMaxTokenResponseSize = 1 << 20;
constexpr size_t kMaxRegistryMessage = 256;

void SetAuthorization(HttpRequest& request, const std::string& value) {
  request.headers.erase(
      std::remove_if(request.headers.begin(), request.headers.end(),
                     [](const auto& header) {
                       return absl::EqualsIgnoreCase(header.first,
                                                     "authorization");
                     }),
      request.headers.end());
  if (!value.empty()) request.headers.emplace_back("Authorization", value);
}

// The registry's error as Docker prints it: "manifest unknown: manifest
// unknown" (the code in words, then the message); "" when the body has none.
std::string RegistryErrorText(const std::string& body) {
  const nlohmann::json json =
      nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return "";
  auto errors = json.find("errors");
  if (errors == json.end() || !errors->is_array() || errors->empty() ||
      !(*errors)[0].is_object()) {
    return "";
  }
  const nlohmann::json& first = (*errors)[0];
  std::string code = first.value("code", "");
  std::string message = first.value("message", "");
  code = absl::AsciiStrToLower(absl::StrReplaceAll(code, {{"_", " "}}));
  std::string text = code.empty() || message.empty()
                         ? code + message
                         : absl::StrCat(code, ": ", message);
  return absl::CEscape(text.substr(0, kMaxRegistryMessage));
}

bool IsRetriable(int status) { return status >= 500 || status == 429; }

std::string ScopeKey(const std::vector<std::string>& scopes) {
  return absl::StrJoin(scopes, " ");
}

}  // namespace

absl::StatusOr<TlsSettings> TlsSettingsFor(const Endpoint& endpoint) {
  TlsSettings tls;
  tls.verify = !endpoint.skip_tls_verify;
  if (endpoint.scheme != "https") return tls;
  for (const std::string& dir : endpoint.certs_dirs) {
    absl::StatusOr<std::vector<std::string>> names = ListDir(dir);
    if (absl::IsNotFound(names.status())) continue;
    if (!names.ok()) return names.status();
    std::sort(names->begin(), names->end());
    for (const std::string& name : *names) {
      const std::string path = absl::StrCat(dir, "/", name);
      if (absl::EndsWith(name, ".crt")) {
        tls.ca_files.push_back(path);
        continue;
      }
      const bool is_cert = absl::EndsWith(name, ".cert");
      const bool is_key = absl::EndsWith(name, ".key");
      if (!is_cert && !is_key) continue;
      const std::string stem = path.substr(0, path.rfind('.'));
      const std::string pair = stem + (is_cert ? ".key" : ".cert");
      if (std::find(names->begin(), names->end(),
                    pair.substr(dir.size() + 1)) == names->end()) {
        return absl::InvalidArgumentError(
            is_cert ? absl::StrCat("missing key ", pair,
                                   " for client certificate ", path)
                    : absl::StrCat("missing client certificate ", pair,
                                   " for key ", path));
      }
      if (is_cert && tls.client_cert_file.empty()) {
        tls.client_cert_file = path;
        tls.client_key_file = pair;
      }
    }
  }
  return tls;
}

RegistrySession::RegistrySession(HttpTransport& transport,
                                 ClientOptions options)
    : transport_(transport),
      options_(std::move(options)),
      tls_(TlsSettingsFor(options_.endpoint)) {}

std::string RegistrySession::Url(absl::string_view path) const {
  return absl::StrCat(endpoint().url, path);
}

std::string RegistrySession::ResolveLocation(absl::string_view location) const {
  const std::string lower = absl::AsciiStrToLower(location);
  if (absl::StartsWith(lower, "http://") || absl::StartsWith(lower, "https://")) {
    return std::string(location);
  }
  if (absl::StartsWith(location, "/")) {
    return absl::StrCat(endpoint().scheme, "://", endpoint().host, location);
  }
  return absl::StrCat(endpoint().url, "/", location);
}

std::vector<std::string> RegistrySession::ReadScopes() const {
  if (options_.access == Access::kPullPush) return WriteScopes();
  return {PullScope(options_.repository)};
}

std::vector<std::string> RegistrySession::WriteScopes() const {
  return {PushScope(options_.repository)};
}

absl::Duration RegistrySession::RetryDelay(int retry) const {
  return options_.retry_base_delay * (int64_t{1} << std::min(retry, 16));
}

absl::StatusOr<HttpResponse> RegistrySession::SendWithRetries(
    const HttpRequest& request) {
  for (int attempt = 1;; ++attempt) {
    ASSIGN_OR_RETURN(HttpResponse response, transport_.Send(request));
    if (!IsRetriable(response.status) || attempt >= options_.attempts) {
      return response;
    }
    absl::SleepFor(RetryDelay(attempt - 1));
  }
}

absl::StatusOr<HttpResponse> RegistrySession::Send(
    HttpRequest request, const std::vector<std::string>& scopes) {
  RETURN_IF_ERROR(tls_.status());
  request.tls = *tls_;
  ASSIGN_OR_RETURN(std::string authorization, KnownAuthorization(scopes));
  SetAuthorization(request, authorization);
  ASSIGN_OR_RETURN(HttpResponse response, SendWithRetries(request));
  if (response.status != 401 || !options_.credentials.registry_token.empty()) {
    return response;
  }
  ASSIGN_OR_RETURN(authorization,
                   AnswerChallenge(response, scopes, false, nullptr));
  if (authorization.empty()) return response;
  SetAuthorization(request, authorization);
  return SendWithRetries(request);
}

absl::StatusOr<std::string> RegistrySession::Login() {
  const Credentials& credentials = options_.credentials;
  HttpRequest ping;
  ping.url = Url("/v2/");
  RETURN_IF_ERROR(tls_.status());
  ping.tls = *tls_;
  if (!credentials.registry_token.empty()) {
    SetAuthorization(ping, "Bearer " + credentials.registry_token);
  }
  ASSIGN_OR_RETURN(HttpResponse response, SendWithRetries(ping));
  std::string refresh_token;
  if (response.status == 401 && credentials.registry_token.empty()) {
    if (credentials.username.empty() && credentials.identity_token.empty()) {
      return Unauthenticated(absl::StrCat("login to ", endpoint().host,
                                          ": no username given"));
    }
    ASSIGN_OR_RETURN(std::string authorization,
                     AnswerChallenge(response, {}, true, &refresh_token));
    SetAuthorization(ping, authorization);
    ASSIGN_OR_RETURN(response, SendWithRetries(ping));
  }
  if (response.status / 100 != 2) {
    return ResponseError(response, absl::StrCat("login to ", endpoint().host));
  }
  return refresh_token;
}

absl::StatusOr<std::string> RegistrySession::KnownAuthorization(
    const std::vector<std::string>& scopes) {
  if (!options_.credentials.registry_token.empty()) {
    return "Bearer " + options_.credentials.registry_token;
  }
  std::optional<Challenge> challenge;
  {
    absl::MutexLock lock(&mu_);
    if (!challenge_.has_value()) return std::string();
    if (challenge_->scheme == "basic") return BasicAuthorization();
    if (challenge_->scheme != "bearer") return std::string();
    auto cached = tokens_.find(ScopeKey(scopes));
    if (cached != tokens_.end() && absl::Now() < cached->second.ExpiresAt()) {
      return "Bearer " + cached->second.token;
    }
    challenge = challenge_;
  }
  // The registry's challenge is known: ask for the token before the
  // request rather than after its 401.
  ASSIGN_OR_RETURN(TokenResponse token, FetchToken(*challenge, scopes, false));
  absl::MutexLock lock(&mu_);
  tokens_[ScopeKey(scopes)] = token;
  return "Bearer " + token.token;
}

absl::StatusOr<std::string> RegistrySession::AnswerChallenge(
    const HttpResponse& unauthorized, const std::vector<std::string>& scopes,
    bool offline_token, std::string* refresh_token) {
  absl::StatusOr<std::vector<Challenge>> challenges =
      ParseChallengeHeaders(unauthorized.Headers("www-authenticate"));
  if (!challenges.ok()) {
    return Annotate(challenges.status(),
                    absl::StrCat(endpoint().host, " answered 401"));
  }
  if (const Challenge* bearer = FindChallenge(*challenges, "bearer")) {
    ASSIGN_OR_RETURN(TokenResponse token,
                     FetchToken(*bearer, scopes, offline_token));
    if (refresh_token != nullptr) *refresh_token = token.refresh_token;
    absl::MutexLock lock(&mu_);
    challenge_ = *bearer;
    tokens_[ScopeKey(scopes)] = token;
    return "Bearer " + token.token;
  }
  if (const Challenge* basic = FindChallenge(*challenges, "basic")) {
    absl::MutexLock lock(&mu_);
    challenge_ = *basic;
    return BasicAuthorization();
  }
  return std::string();
}

absl::StatusOr<TokenResponse> RegistrySession::FetchToken(
    const Challenge& bearer, const std::vector<std::string>& scopes,
    bool offline_token) {
  const Credentials& credentials = options_.credentials;
  // Also checks the realm is an http(s) URL.
  ASSIGN_OR_RETURN(std::string url,
                   TokenRequestUrl(bearer, scopes, credentials.username));
  HttpRequest request;
  request.tls = *tls_;
  request.max_body_in_memory = kMaxTokenResponseSize;
  if (!credentials.identity_token.empty()) {
    // A refresh token goes in an OAuth2 form, as Docker posts it.
    request.method = "POST";
    request.url = bearer.Param("realm");
    request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
    request.body = absl::StrCat(
        "client_id=", kClientId, "&grant_type=refresh_token",
        "&refresh_token=", QueryEscape(credentials.identity_token),
        "&scope=", QueryEscape(absl::StrJoin(scopes, " ")),
        "&service=", QueryEscape(bearer.Param("service")));
  } else {
    request.url = url;
    if (offline_token) {
      absl::StrAppend(&request.url,
                      absl::StrContains(url, '?') ? "&" : "?", "client_id=",
                      kClientId, "&offline_token=true");
    }
    if (!credentials.username.empty()) {
      SetAuthorization(request, BasicAuthorization());
    }
  }
  ASSIGN_OR_RETURN(HttpResponse response, SendWithRetries(request));
  if (response.status == 401 || response.status == 403) {
    return Unauthenticated(absl::StrCat(
        "authentication to ", endpoint().host,
        " failed: the token server refused the credentials (HTTP ",
        response.status, ")"));
  }
  if (response.status != 200) {
    return absl::UnavailableError(
        absl::StrCat("the token server of ", endpoint().host, " answered HTTP ",
                     response.status));
  }
  return ParseTokenResponse(response.body, absl::Now());
}

std::string RegistrySession::BasicAuthorization() const {
  const Credentials& credentials = options_.credentials;
  if (credentials.username.empty()) return "";
  return "Basic " + absl::Base64Escape(absl::StrCat(credentials.username, ":",
                                                    credentials.password));
}

absl::Status RegistrySession::Unauthenticated(absl::string_view what) const {
  return absl::UnauthenticatedError(absl::StrCat(
      what, "; run `berth login ", endpoint().host, "`"));
}

absl::Status RegistrySession::ResponseError(const HttpResponse& response,
                                            absl::string_view what) const {
  const std::string detail = RegistryErrorText(response.body);
  auto with_detail = [&detail](absl::string_view text,
                               absl::string_view fallback) {
    const std::string& shown = detail.empty() ? std::string(fallback) : detail;
    return shown.empty() ? std::string(text) : absl::StrCat(text, ": ", shown);
  };
  const int status = response.status;
  if (status == 401) {
    return Unauthenticated(
        with_detail(what, "unauthorized: authentication required"));
  }
  if (status == 403) {
    return absl::PermissionDeniedError(with_detail(
        what, "denied: requested access to the resource is denied"));
  }
  if (status == 404) {
    return absl::NotFoundError(with_detail(absl::StrCat(what, " not found"), ""));
  }
  if (IsRetriable(status)) {
    return absl::UnavailableError(with_detail(
        absl::StrCat(what, ": ", endpoint().url, " answered HTTP ", status,
                     " (", options_.attempts, " attempts)"),
        ""));
  }
  if (status == 400) {
    return absl::InvalidArgumentError(with_detail(
        absl::StrCat(what, ": ", endpoint().host, " answered HTTP 400"), ""));
  }
  return absl::UnknownError(with_detail(
      absl::StrCat(what, ": ", endpoint().host, " answered HTTP ", status), ""));
}

}  // namespace berth::imaged::registry
