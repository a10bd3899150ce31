#include "services/imaged/reference/reference.h"

#include <cstddef>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/types/optional.h"
#include "common/status_macros.h"

namespace berth::imaged {
namespace {

constexpr absl::string_view kDefaultDomain = "docker.io";
constexpr absl::string_view kLegacyDefaultDomain = "index.docker.io";
constexpr absl::string_view kLocalhost = "localhost";
constexpr absl::string_view kOfficialPrefix = "library/";
constexpr absl::string_view kDefaultTag = "latest";
constexpr absl::string_view kDigestAlgorithm = "sha256";
constexpr std::size_t kNameTotalLengthMax = 255;
constexpr std::size_t kTagLengthMax = 128;
constexpr std::size_t kDigestHexMin = 32;  // grammar: at least 128 bits
constexpr std::size_t kSha256HexLength = 64;

constexpr absl::string_view kErrInvalidFormat = "invalid reference format";
constexpr absl::string_view kErrUppercase =
    "invalid reference format: repository name must be lowercase";
constexpr absl::string_view kErrTooLong =
    "invalid reference format: repository name must not be more than 255 "
    "characters";
constexpr absl::string_view kErrDigestUnsupported =
    "unsupported digest algorithm";
constexpr absl::string_view kErrDigestLength = "invalid checksum digest length";
constexpr absl::string_view kErrDigestFormat = "invalid checksum digest format";
constexpr absl::string_view kErrTagWithDigest =
    "refusing to create a tag with a digest reference";

bool IsLowerAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool IsLowerHex(char c) {
  return (c >= 'a' && c <= 'f') || (c >= '0' && c <= '9');
}

// \w in Go's regexp: ASCII letters, digits and underscore.
bool IsWordChar(char c) { return absl::ascii_isalnum(c) || c == '_'; }

template <typename Pred>
bool AllOf(absl::string_view s, Pred pred) {
  for (char c : s) {
    if (!pred(c)) return false;
  }
  return true;
}

bool HasUpper(absl::string_view s) {
  for (char c : s) {
    if (absl::ascii_isupper(c)) return true;
  }
  return false;
}

// Advances *pos past a run of [a-z0-9]; false if the run is empty.
bool ConsumeLowerAlnum(absl::string_view s, std::size_t* pos) {
  const std::size_t start = *pos;
  while (*pos < s.size() && IsLowerAlnum(s[*pos])) ++*pos;
  return *pos > start;
}

// path-component := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
// Taking the longest separator is always right: what follows a separator must
// be alphanumeric, which a shorter choice would leave a separator char for.
bool IsPathComponent(absl::string_view s) {
  std::size_t pos = 0;
  if (!ConsumeLowerAlnum(s, &pos)) return false;
  while (pos < s.size()) {
    const char c = s[pos];
    if (c == '.') {
      ++pos;
    } else if (c == '_') {
      ++pos;
      if (pos < s.size() && s[pos] == '_') ++pos;
    } else if (c == '-') {
      while (pos < s.size() && s[pos] == '-') ++pos;
    } else {
      return false;
    }
    if (!ConsumeLowerAlnum(s, &pos)) return false;
  }
  return true;
}

bool IsPath(absl::string_view s) {
  for (absl::string_view component : absl::StrSplit(s, '/')) {
    if (!IsPathComponent(component)) return false;
  }
  return true;
}

// [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
bool IsDomainComponent(absl::string_view s) {
  if (s.empty() || !absl::ascii_isalnum(s.front()) ||
      !absl::ascii_isalnum(s.back())) {
    return false;
  }
  for (char c : s) {
    if (!absl::ascii_isalnum(c) && c != '-') return false;
  }
  return true;
}

// domain := ( domain-component ( "." domain-component )* | "[" ipv6 "]" )
//           [ ":" [0-9]+ ]
bool IsDomain(absl::string_view s) {
  absl::string_view port;
  if (absl::StartsWith(s, "[")) {
    const std::size_t close = s.find(']');
    if (close == absl::string_view::npos || close == 1) return false;
    const absl::string_view address = s.substr(1, close - 1);
    for (char c : address) {
      if (!absl::ascii_isxdigit(c) && c != ':') return false;
    }
    port = s.substr(close + 1);
  } else {
    const std::size_t colon = s.find(':');
    const absl::string_view host = s.substr(0, colon);
    for (absl::string_view component : absl::StrSplit(host, '.')) {
      if (!IsDomainComponent(component)) return false;
    }
    if (colon != absl::string_view::npos) port = s.substr(colon);
  }
  if (port.empty()) return true;
  return absl::ConsumePrefix(&port, ":") && !port.empty() &&
         AllOf(port, absl::ascii_isdigit);
}

// tag := [\w][\w.-]{0,127}
bool IsTag(absl::string_view s) {
  if (s.empty() || s.size() > kTagLengthMax || !IsWordChar(s.front())) {
    return false;
  }
  for (char c : s) {
    if (!IsWordChar(c) && c != '.' && c != '-') return false;
  }
  return true;
}

// The grammar's digest, looser than what Berth accepts (see ValidateDigest):
// algorithm := [A-Za-z][A-Za-z0-9]* ( [-_+.] [A-Za-z][A-Za-z0-9]* )*
// digest    := algorithm ":" [0-9a-fA-F]{32,}
bool IsDigestShaped(absl::string_view s) {
  const std::size_t colon = s.find(':');
  if (colon == absl::string_view::npos) return false;
  for (absl::string_view component :
       absl::StrSplit(s.substr(0, colon), absl::ByAnyChar("-_+."))) {
    if (component.empty() || !absl::ascii_isalpha(component.front()) ||
        !AllOf(component, absl::ascii_isalnum)) {
      return false;
    }
  }
  const absl::string_view hex = s.substr(colon + 1);
  return hex.size() >= kDigestHexMin && AllOf(hex, absl::ascii_isxdigit);
}

// go-digest's checks once the grammar has matched, in its order.
absl::Status ValidateDigest(absl::string_view digest) {
  const std::size_t colon = digest.find(':');
  if (digest.substr(0, colon) != kDigestAlgorithm) {
    return absl::InvalidArgumentError(kErrDigestUnsupported);
  }
  const absl::string_view hex = digest.substr(colon + 1);
  if (hex.size() != kSha256HexLength) {
    return absl::InvalidArgumentError(kErrDigestLength);
  }
  if (!AllOf(hex, IsLowerHex)) {
    return absl::InvalidArgumentError(kErrDigestFormat);
  }
  return absl::OkStatus();
}

// What Docker's splitDockerDomain makes of the text before parsing it.
struct SplitName {
  std::string domain;
  std::string remainder;  // path [":" tag] ["@" digest]
};

SplitName SplitDockerDomain(absl::string_view text) {
  SplitName split;
  const std::size_t slash = text.find('/');
  const absl::string_view first = text.substr(0, slash);
  if (slash != absl::string_view::npos &&
      (first == kLocalhost || absl::StrContains(first, '.') ||
       absl::StrContains(first, ':') || HasUpper(first))) {
    split.domain = std::string(first);
    split.remainder = std::string(text.substr(slash + 1));
  } else {
    split.domain = std::string(kDefaultDomain);
    split.remainder = std::string(text);
  }
  if (split.domain == kLegacyDefaultDomain) {
    split.domain = std::string(kDefaultDomain);
  }
  if (split.domain == kDefaultDomain &&
      !absl::StrContains(split.remainder, '/')) {
    split.remainder = absl::StrCat(kOfficialPrefix, split.remainder);
  }
  return split;
}

// Matches domain "/" remainder against the grammar; the digest is only checked
// for shape. Paths never contain ":" or "@", and tags never "@", so the parts
// are found by scanning, no backtracking needed.
absl::optional<Reference> MatchGrammar(absl::string_view domain,
                                       absl::string_view remainder) {
  Reference ref;
  const std::size_t path_end = remainder.find_first_of(":@");
  const absl::string_view path = remainder.substr(0, path_end);
  if (!IsPath(path)) return absl::nullopt;
  absl::string_view rest =
      path_end == absl::string_view::npos ? "" : remainder.substr(path_end);
  if (absl::ConsumePrefix(&rest, ":")) {
    const std::size_t at = rest.find('@');
    const absl::string_view tag = rest.substr(0, at);
    if (!IsTag(tag)) return absl::nullopt;
    ref.tag = std::string(tag);
    rest = at == absl::string_view::npos ? "" : rest.substr(at);
  }
  if (absl::ConsumePrefix(&rest, "@")) {
    if (!IsDigestShaped(rest)) return absl::nullopt;
    ref.digest = std::string(rest);
    rest = "";
  }
  if (!rest.empty()) return absl::nullopt;
  // Docker's regexp also matches when the host-looking first component is no
  // host but a valid path component ("a_b.c/d" as a path); see reference.h.
  if (!IsDomain(domain) && !IsPathComponent(domain)) return absl::nullopt;
  ref.domain = std::string(domain);
  ref.path = std::string(path);
  return ref;
}

}  // namespace

std::string Reference::Name() const {
  if (domain.empty()) return path;
  return absl::StrCat(domain, "/", path);
}

std::string Reference::String() const {
  std::string out = Name();
  if (!tag.empty()) absl::StrAppend(&out, ":", tag);
  if (!digest.empty()) absl::StrAppend(&out, "@", digest);
  return out;
}

std::string Reference::FamiliarName() const {
  if (domain != kDefaultDomain) return Name();
  absl::string_view short_path = path;
  if (absl::ConsumePrefix(&short_path, kOfficialPrefix) &&
      !absl::StrContains(short_path, '/')) {
    return std::string(short_path);
  }
  // Without its domain, a path whose first component reads as a host would
  // parse as another registry's name.
  const SplitName reparsed = SplitDockerDomain(path);
  if (reparsed.domain != kDefaultDomain) return Name();
  return path;
}

std::string Reference::Familiar() const {
  std::string out = FamiliarName();
  if (!tag.empty()) absl::StrAppend(&out, ":", tag);
  if (!digest.empty()) absl::StrAppend(&out, "@", digest);
  return out;
}

bool Reference::operator==(const Reference& other) const {
  return domain == other.domain && path == other.path && tag == other.tag &&
         digest == other.digest;
}

absl::StatusOr<Reference> ParseReference(absl::string_view text) {
  if (text.size() == kSha256HexLength && AllOf(text, IsLowerHex)) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid repository name (", text,
                     "), cannot specify 64-byte hexadecimal strings"));
  }
  const SplitName split = SplitDockerDomain(text);
  // Docker checks the remainder up to the first ":" before the grammar, so
  // "UPPER:" reports the case rather than the empty tag.
  const absl::string_view remote =
      absl::string_view(split.remainder).substr(0, split.remainder.find(':'));
  if (HasUpper(remote)) return absl::InvalidArgumentError(kErrUppercase);

  absl::optional<Reference> ref = MatchGrammar(split.domain, split.remainder);
  if (!ref.has_value()) {
    if (MatchGrammar(absl::AsciiStrToLower(split.domain),
                     absl::AsciiStrToLower(split.remainder))
            .has_value()) {
      return absl::InvalidArgumentError(kErrUppercase);
    }
    return absl::InvalidArgumentError(kErrInvalidFormat);
  }
  if (ref->Name().size() > kNameTotalLengthMax) {
    return absl::InvalidArgumentError(kErrTooLong);
  }
  if (!ref->digest.empty()) RETURN_IF_ERROR(ValidateDigest(ref->digest));
  if (ref->tag.empty() && ref->digest.empty())
    ref->tag = std::string(kDefaultTag);
  return *std::move(ref);
}

absl::StatusOr<Reference> ParseTagReference(absl::string_view text) {
  ASSIGN_OR_RETURN(Reference ref, ParseReference(text));
  if (!ref.digest.empty()) return absl::InvalidArgumentError(kErrTagWithDigest);
  return ref;
}

std::string IdPrefix(absl::string_view text) {
  absl::ConsumePrefix(&text, "sha256:");
  if (text.empty() || text.size() > kSha256HexLength ||
      !AllOf(text, IsLowerHex)) {
    return "";
  }
  return std::string(text);
}

}  // namespace berth::imaged
