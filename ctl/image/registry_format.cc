#include "ctl/image/registry_format.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "ctl/cli/docker_template.h"
#include "ctl/cli/format.h"
#include "nlohmann/json.hpp"
#include "services/imaged/registry/credentials.h"

namespace berth::ctl {
namespace {

using nlohmann::ordered_json;

constexpr char kDefaultSearchFormat[] =
    "table {{.Name}}\t{{.Description}}\t{{.StarCount}}\t{{.IsOfficial}}";
constexpr int kDescriptionWidth = 45;

bool IsDockerHubAddress(absl::string_view host) {
  return host.empty() || host == "docker.io" || host == "index.docker.io" ||
         host == "registry-1.docker.io";
}

// Docker's filters.GetBoolOrDefault: exactly one of true/1 or false/0
// among the values.
absl::StatusOr<bool> FilterValuesBool(absl::string_view name,
                                      const std::vector<std::string>& values) {
  const std::set<std::string> set(values.begin(), values.end());
  const bool is_true = set.count("true") || set.count("1");
  const bool is_false = set.count("false") || set.count("0");
  if (is_true == is_false) {
    return InvalidFilter(name, absl::StrJoin(set, ","));
  }
  return is_true;
}

}  // namespace

absl::Status CheckLoginFlags(const LoginFlags& flags) {
  if (flags.password_stdin) {
    if (flags.password_given) {
      return absl::InvalidArgumentError(
          "conflicting options: cannot specify both --password and "
          "--password-stdin");
    }
    if (!flags.username_given) {
      return absl::InvalidArgumentError(
          "the --password-stdin option requires --username to be set");
    }
  }
  if (flags.username_given && flags.username.empty()) {
    return absl::InvalidArgumentError("username is empty");
  }
  if (flags.password_given && flags.password.empty()) {
    return absl::InvalidArgumentError("password is empty");
  }
  return absl::OkStatus();
}

std::string PasswordFromStdin(absl::string_view input) {
  absl::ConsumeSuffix(&input, "\n");
  absl::ConsumeSuffix(&input, "\r");
  return std::string(input);
}

std::string LoginRegistry(absl::string_view server) {
  const std::string host = imaged::registry::AuthKeyHost(server);
  return IsDockerHubAddress(host) ? "docker.io" : host;
}

std::string LogoutHost(absl::string_view server) {
  if (server.empty()) return imaged::registry::kDockerHubAuthKey;
  return imaged::registry::AuthKeyHost(server);
}

absl::StatusOr<SearchFilter> ParseSearchFilter(
    const std::vector<FilterTerm>& terms) {
  std::map<std::string, std::vector<std::string>> values;
  for (const FilterTerm& term : terms) {
    if (term.name != "is-automated" && term.name != "is-official" &&
        term.name != "stars") {
      return InvalidFilter(term.name);
    }
    values[term.name].push_back(term.value);
  }
  SearchFilter filter;
  if (auto it = values.find("is-automated"); it != values.end()) {
    filter.mentions_automated = true;
    absl::StatusOr<bool> automated = FilterValuesBool(it->first, it->second);
    if (!automated.ok()) return automated.status();
    filter.automated = *automated;
  }
  if (auto it = values.find("is-official"); it != values.end()) {
    absl::StatusOr<bool> official = FilterValuesBool(it->first, it->second);
    if (!official.ok()) return official.status();
    filter.official = *official;
  }
  if (auto it = values.find("stars"); it != values.end()) {
    for (const std::string& value : it->second) {
      absl::StatusOr<int64_t> stars = ParseGoInt(value, "strconv.Atoi");
      if (!stars.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "invalid filter 'stars=", value, "': ", stars.status().message()));
      }
      filter.min_stars = std::max(filter.min_stars, *stars);
    }
  }
  return filter;
}

std::vector<image::v1::SearchResult> ApplySearchFilter(
    const google::protobuf::RepeatedPtrField<image::v1::SearchResult>& results,
    const SearchFilter& filter) {
  std::vector<image::v1::SearchResult> kept;
  // Docker's daemon answers is-automated=true with nothing: no image is
  // automated any more.
  if (filter.automated) return kept;
  for (const image::v1::SearchResult& result : results) {
    if (filter.official.has_value() &&
        result.is_official() != *filter.official) {
      continue;
    }
    if (result.star_count() < filter.min_stars) continue;
    kept.push_back(result);
  }
  return kept;
}

absl::Status CheckSearchLimit(int64_t limit) {
  if (limit == 0 || (limit >= 1 && limit <= 100)) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("limit ", limit, " is outside the range of [1, 100]"));
}

absl::StatusOr<std::string> RenderSearchResults(
    const std::vector<image::v1::SearchResult>& results,
    const std::string& format, bool no_trunc) {
  std::vector<TemplateRow> rows;
  for (const image::v1::SearchResult& result : results) {
    std::string description =
        absl::StrReplaceAll(result.description(), {{"\n", " "}, {"\r", " "}});
    if (!no_trunc) description = Ellipsis(description, kDescriptionWidth);
    TemplateRow row;
    // Docker's searchContext marshals itself with IsOfficial as
    // "true"/"false" and StarCount as a string; a template sees "[OK]".
    row.fields = ordered_json{
        {"Description", description},
        {"IsOfficial", result.is_official() ? "true" : "false"},
        {"Name", result.name()},
        {"StarCount", absl::StrCat(result.star_count())},
    };
    const bool official = result.is_official();
    row.methods["IsOfficial"] =
        [official](
            const std::vector<ordered_json>&) -> absl::StatusOr<ordered_json> {
      return ordered_json(official ? "[OK]" : "");
    };
    rows.push_back(std::move(row));
  }
  const ordered_json header{{"Name", "NAME"},
                            {"Description", "DESCRIPTION"},
                            {"StarCount", "STARS"},
                            {"IsOfficial", "OFFICIAL"}};
  const std::string chosen =
      format.empty() || format == "table" ? kDefaultSearchFormat : format;
  return RenderListTemplate(
      ListTemplate{chosen, header, "*registry.searchContext"}, rows);
}

bool IsNameOnly(absl::string_view text) {
  if (absl::StrContains(text, '@')) return false;
  const size_t slash = text.rfind('/');
  const absl::string_view last =
      slash == absl::string_view::npos ? text : text.substr(slash + 1);
  return !absl::StrContains(last, ':');
}

std::string PullingFromLine(const imaged::Reference& reference) {
  return absl::StrCat(
      reference.digest.empty() ? reference.tag : reference.digest,
      ": Pulling from ", reference.path);
}

std::string PullStatusLine(absl::string_view requested, bool downloaded) {
  return absl::StrCat(downloaded ? "Status: Downloaded newer image for "
                                 : "Status: Image is up to date for ",
                      requested);
}

std::string PushRefersToLine(const imaged::Reference& reference) {
  return absl::StrCat("The push refers to repository [", reference.Name(), "]");
}

std::string PushedLine(const image::v1::PushResult& result) {
  std::string tag = "latest";
  if (absl::StatusOr<imaged::Reference> pushed =
          imaged::ParseReference(result.reference());
      pushed.ok() && !pushed->tag.empty()) {
    tag = pushed->tag;
  }
  return absl::StrCat(tag, ": digest: ", result.digest(),
                      " size: ", result.size());
}

}  // namespace berth::ctl
