#include "services/imaged/registry/auth_challenge.h"

#include <algorithm>
#include <cstdint>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/status_macros.h"
#include "nlohmann/json.hpp"

namespace berth::imaged::registry {
namespace {

// RFC 7230 tchar.
bool IsTchar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
         absl::StrContains("!#$%&'*+-.^_`|~", c);
}

// RFC 7235 token68 characters (without the trailing "=" padding).
bool IsToken68Char(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
         absl::StrContains("-._~+/", c);
}

// A cursor over one header value. Errors name the offset, and quote the
// header: challenges carry no secrets.
class Scanner {
 public:
  explicit Scanner(absl::string_view text) : text_(text) {}

  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return AtEnd() ? '\0' : text_[pos_]; }
  size_t pos() const { return pos_; }
  void Seek(size_t pos) { pos_ = pos; }
  void Advance() { ++pos_; }

  void SkipSpaces() {
    while (!AtEnd() && (Peek() == ' ' || Peek() == '\t')) ++pos_;
  }
  // Spaces and the empty elements of an RFC 7230 #list.
  void SkipSpacesAndCommas() {
    while (!AtEnd() && (Peek() == ' ' || Peek() == '\t' || Peek() == ',')) {
      ++pos_;
    }
  }
  std::string Token() {
    size_t start = pos_;
    while (!AtEnd() && IsTchar(Peek())) ++pos_;
    return std::string(text_.substr(start, pos_ - start));
  }
  // Matches token68 followed by optional spaces and then a comma or the end;
  // leaves the cursor after it on success, unmoved otherwise.
  bool Token68(std::string* out) {
    size_t end = pos_;
    while (end < text_.size() && IsToken68Char(text_[end])) ++end;
    if (end == pos_) return false;
    while (end < text_.size() && text_[end] == '=') ++end;
    size_t after = end;
    while (after < text_.size() && (text_[after] == ' ' || text_[after] == '\t')) {
      ++after;
    }
    if (after < text_.size() && text_[after] != ',') return false;
    *out = std::string(text_.substr(pos_, end - pos_));
    pos_ = after;
    return true;
  }
  absl::Status QuotedString(std::string* out) {
    size_t start = pos_;
    ++pos_;  // the opening quote
    out->clear();
    while (!AtEnd()) {
      char c = text_[pos_++];
      if (c == '"') return absl::OkStatus();
      if (c == '\\') {
        if (AtEnd()) break;
        c = text_[pos_++];
      }
      out->push_back(c);
    }
    pos_ = start;
    return Error("unterminated quoted string");
  }
  absl::Status Error(absl::string_view what) const {
    return absl::InvalidArgumentError(absl::StrCat(
        "WWW-Authenticate \"", absl::CEscape(text_.substr(0, 256)),
        "\": ", what, " at offset ", pos_));
  }

 private:
  absl::string_view text_;
  size_t pos_ = 0;
};

// Parses the auth-params after a scheme until the next challenge's scheme
// or the end. On return the cursor is at the next scheme (or the end).
absl::Status ParseParams(Scanner& in, Challenge* challenge) {
  while (true) {
    in.SkipSpacesAndCommas();
    if (in.AtEnd()) return absl::OkStatus();
    const size_t name_start = in.pos();
    std::string name = in.Token();
    if (name.empty()) return in.Error("unexpected character");
    in.SkipSpaces();
    if (in.Peek() != '=') {
      // A token not followed by "=" begins the next challenge.
      in.Seek(name_start);
      return absl::OkStatus();
    }
    in.Advance();
    in.SkipSpaces();
    std::string value;
    if (in.Peek() == '"') {
      RETURN_IF_ERROR(in.QuotedString(&value));
    } else {
      value = in.Token();
      if (value.empty()) {
        return in.Error(absl::StrCat("parameter \"", name, "\" has no value"));
      }
    }
    challenge->params.emplace(absl::AsciiStrToLower(name), std::move(value));
    in.SkipSpaces();
    if (!in.AtEnd() && in.Peek() != ',') {
      return in.Error("expected \",\" after a parameter");
    }
  }
}

// Go's url.QueryUnescape, lenient: a bad escape is kept as it is.
std::string QueryUnescape(absl::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out.push_back(' ');
    } else if (text[i] == '%' && i + 2 < text.size() &&
               absl::ascii_isxdigit(static_cast<unsigned char>(text[i + 1])) &&
               absl::ascii_isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out.push_back(static_cast<char>(
          std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

}  // namespace

std::string Challenge::Param(absl::string_view name) const {
  auto it = params.find(std::string(name));
  return it == params.end() ? std::string() : it->second;
}

bool Challenge::operator==(const Challenge& other) const {
  return scheme == other.scheme && params == other.params &&
         token68 == other.token68;
}

absl::StatusOr<std::vector<Challenge>> ParseChallenges(
    absl::string_view header) {
  Scanner in(header);
  std::vector<Challenge> challenges;
  while (true) {
    in.SkipSpacesAndCommas();
    if (in.AtEnd()) break;
    Challenge challenge;
    challenge.scheme = absl::AsciiStrToLower(in.Token());
    if (challenge.scheme.empty()) return in.Error("expected a scheme");
    if (!in.AtEnd() && in.Peek() != ' ' && in.Peek() != '\t' &&
        in.Peek() != ',') {
      return in.Error("expected a space after the scheme");
    }
    in.SkipSpaces();
    if (!in.Token68(&challenge.token68)) {
      RETURN_IF_ERROR(ParseParams(in, &challenge));
    }
    challenges.push_back(std::move(challenge));
  }
  if (challenges.empty()) return in.Error("no challenge");
  return challenges;
}

absl::StatusOr<std::vector<Challenge>> ParseChallengeHeaders(
    const std::vector<std::string>& headers) {
  std::vector<Challenge> all;
  for (const std::string& header : headers) {
    absl::StatusOr<std::vector<Challenge>> some = ParseChallenges(header);
    if (!some.ok()) return some.status();
    for (Challenge& challenge : *some) all.push_back(std::move(challenge));
  }
  if (all.empty()) {
    return absl::InvalidArgumentError("no WWW-Authenticate challenge");
  }
  return all;
}

const Challenge* FindChallenge(const std::vector<Challenge>& challenges,
                               absl::string_view scheme) {
  for (const Challenge& challenge : challenges) {
    if (challenge.scheme == scheme) return &challenge;
  }
  return nullptr;
}

std::string PullScope(absl::string_view repository) {
  return absl::StrCat("repository:", repository, ":pull");
}

std::string PushScope(absl::string_view repository) {
  return absl::StrCat("repository:", repository, ":pull,push");
}

std::vector<std::string> MountScopes(absl::string_view target,
                                     absl::string_view source) {
  return {PushScope(target), PullScope(source)};
}

std::string QueryEscape(absl::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (absl::ascii_isalnum(u) || c == '-' || c == '_' || c == '.' ||
        c == '~') {
      out.push_back(c);
    } else if (c == ' ') {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    }
  }
  return out;
}

absl::StatusOr<std::string> TokenRequestUrl(
    const Challenge& bearer, const std::vector<std::string>& scopes,
    absl::string_view account) {
  if (bearer.scheme != "bearer") {
    return absl::InvalidArgumentError(absl::StrCat(
        "token request: challenge is \"", bearer.scheme, "\", not bearer"));
  }
  std::string realm = bearer.Param("realm");
  if (realm.empty()) {
    return absl::InvalidArgumentError(
        "token request: bearer challenge has no realm");
  }
  // Fragments are never sent; Go's URL keeps them apart from the query.
  realm = realm.substr(0, realm.find('#'));
  const std::string lower = absl::AsciiStrToLower(realm);
  if ((!absl::StartsWith(lower, "https://") &&
       !absl::StartsWith(lower, "http://")) ||
      absl::EndsWith(lower, "://")) {
    return absl::InvalidArgumentError(absl::StrCat(
        "token request: realm \"", absl::CEscape(realm.substr(0, 256)),
        "\" is not an http or https URL"));
  }
  std::string base = realm;
  std::vector<std::pair<std::string, std::string>> query;
  if (size_t q = realm.find('?'); q != std::string::npos) {
    base = realm.substr(0, q);
    for (absl::string_view pair :
         absl::StrSplit(absl::string_view(realm).substr(q + 1), '&',
                        absl::SkipEmpty())) {
      std::pair<absl::string_view, absl::string_view> kv =
          absl::StrSplit(pair, absl::MaxSplits('=', 1));
      query.emplace_back(QueryUnescape(kv.first), QueryUnescape(kv.second));
    }
  }
  const std::string service = bearer.Param("service");
  if (!service.empty()) query.emplace_back("service", service);
  for (const std::string& scope : scopes) query.emplace_back("scope", scope);
  if (!account.empty()) query.emplace_back("account", std::string(account));
  // url.Values.Encode sorts by key and keeps each key's values in order.
  std::stable_sort(query.begin(), query.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> encoded;
  for (const auto& [key, value] : query) {
    encoded.push_back(absl::StrCat(QueryEscape(key), "=", QueryEscape(value)));
  }
  if (encoded.empty()) return base;
  return absl::StrCat(base, "?", absl::StrJoin(encoded, "&"));
}

absl::StatusOr<TokenResponse> ParseTokenResponse(absl::string_view body,
                                                 absl::Time now) {
  // No exceptions, and so no parser message: it would quote the token.
  const nlohmann::json json =
      nlohmann::json::parse(body.begin(), body.end(), nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    return absl::InvalidArgumentError("token response: not a JSON object");
  }
  auto string_field = [&json](const char* key) {
    auto it = json.find(key);
    return it != json.end() && it->is_string() ? it->get<std::string>()
                                               : std::string();
  };
  TokenResponse response;
  response.token = string_field("token");
  if (response.token.empty()) response.token = string_field("access_token");
  if (response.token.empty()) {
    return absl::InvalidArgumentError("token response: has no token");
  }
  response.refresh_token = string_field("refresh_token");

  response.expires_in = kMinTokenLifetime;
  if (auto it = json.find("expires_in"); it != json.end() && !it->is_null()) {
    if (!it->is_number_integer()) {
      return absl::InvalidArgumentError(
          "token response: field \"expires_in\" is not an integer");
    }
    // Clamped before conversion so a huge value cannot overflow.
    constexpr int64_t kTenYears = int64_t{10} * 365 * 24 * 3600;
    const int64_t seconds =
        it->is_number_unsigned()
            ? static_cast<int64_t>(std::min<uint64_t>(it->get<uint64_t>(),
                                                      kTenYears))
            : std::min<int64_t>(it->get<int64_t>(), kTenYears);
    response.expires_in = std::max(absl::Seconds(seconds), kMinTokenLifetime);
  }

  response.issued_at = now;
  if (auto it = json.find("issued_at"); it != json.end() && !it->is_null()) {
    std::string error;
    if (!it->is_string() ||
        !absl::ParseTime(absl::RFC3339_full, it->get<std::string>(),
                         &response.issued_at, &error)) {
      return absl::InvalidArgumentError(
          "token response: field \"issued_at\" is not an RFC 3339 time");
    }
  }
  return response;
}

}  // namespace berth::imaged::registry
