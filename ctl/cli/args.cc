#include "ctl/cli/args.h"

#include "common/go_duration.h"

#include <algorithm>
#include <cctype>
#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace berth::ctl {
namespace {

std::string Arguments(size_t n) {
  return absl::StrCat(n, n == 1 ? " argument" : " arguments");
}

// "1700000000" or "1700000000.123": Docker's Unix timestamps.
bool ParseUnixTime(absl::string_view value, absl::Time* out) {
  std::pair<absl::string_view, absl::string_view> parts =
      absl::StrSplit(value, absl::MaxSplits('.', 1));
  int64_t seconds = 0;
  if (parts.first.empty() || !absl::SimpleAtoi(parts.first, &seconds) ||
      !std::isdigit(static_cast<unsigned char>(parts.first[0]))) {
    return false;
  }
  int64_t nanos = 0;
  if (!parts.second.empty()) {
    std::string digits(parts.second.substr(0, 9));
    digits.resize(9, '0');
    if (!absl::SimpleAtoi(digits, &nanos) || nanos < 0) return false;
  } else if (absl::EndsWith(value, ".")) {
    return false;
  }
  *out = absl::FromUnixSeconds(seconds) + absl::Nanoseconds(nanos);
  return true;
}

}  // namespace

const char* ArgKindName(ArgKind kind) {
  switch (kind) {
    case ArgKind::kNone:
      return "";
    case ArgKind::kContainer:
      return "container";
    case ArgKind::kImage:
      return "image";
    case ArgKind::kObject:
      return "object";
    case ArgKind::kNetwork:
      return "network";
    case ArgKind::kVolume:
      return "volume";
  }
  return "";
}

std::string ArgCountError(const CommandUsage& usage, size_t count, size_t min,
                          size_t max) {
  if (count >= min && count <= max) return "";
  std::string problem;
  // Docker's RequiresMinArgs ends in "See ...", its other checks in "Run ...".
  absl::string_view next_step = "Run";
  if (max == 0) {
    problem = "accepts no arguments";
  } else if (min == max) {
    problem = absl::StrCat("requires ", Arguments(min));
  } else if (max == kUnlimited) {
    problem = absl::StrCat("requires at least ", Arguments(min));
    next_step = "See";
  } else if (min == 0) {
    problem = absl::StrCat("requires at most ", Arguments(max));
  } else {
    problem = absl::StrCat("requires at least ", min, " and at most ",
                           Arguments(max));
  }
  return absl::StrFormat(
      "berth: '%s' %s\n\nUsage:  %s %s\n\n%s '%s --help' for more information",
      usage.path, problem, usage.path, usage.args, next_step, usage.path);
}

absl::StatusOr<int64_t> ParseGoInt(absl::string_view value,
                                   absl::string_view function) {
  absl::string_view digits = value;
  if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) {
    digits.remove_prefix(1);
  }
  const bool syntax =
      !digits.empty() &&
      std::all_of(digits.begin(), digits.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c)) != 0;
      });
  int64_t out = 0;
  if (!syntax || !absl::SimpleAtoi(value, &out)) {
    return absl::InvalidArgumentError(
        absl::StrCat(function, ": parsing \"", value, "\": ",
                     syntax ? "value out of range" : "invalid syntax"));
  }
  return out;
}

std::string IntFlagProblem(const std::string& value) {
  absl::StatusOr<int64_t> parsed = ParseGoInt(value);
  return parsed.ok() ? "" : std::string(parsed.status().message());
}

std::string FilterFormatProblem(const std::string& term) {
  absl::string_view stripped = absl::StripAsciiWhitespace(term);
  if (stripped.empty() || absl::StrContains(stripped, '=')) return "";
  return "bad format of filter (expected name=value)";
}

absl::StatusOr<std::vector<FilterTerm>> SplitFilters(
    const std::vector<std::string>& flags) {
  std::vector<FilterTerm> terms;
  for (const std::string& flag : flags) {
    absl::string_view term = absl::StripAsciiWhitespace(flag);
    if (term.empty()) continue;
    if (std::string problem = FilterFormatProblem(flag); !problem.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "invalid argument \"", flag, "\" for \"--filter\" flag: ", problem));
    }
    std::pair<absl::string_view, absl::string_view> parts =
        absl::StrSplit(term, absl::MaxSplits('=', 1));
    terms.push_back(FilterTerm{
        absl::AsciiStrToLower(absl::StripAsciiWhitespace(parts.first)),
        std::string(absl::StripAsciiWhitespace(parts.second))});
  }
  return terms;
}

absl::Status InvalidFilter(absl::string_view name, absl::string_view value) {
  if (value.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid filter '", name, "'"));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("invalid filter '", name, "=", value, "'"));
}

std::string LabelProblem(const std::string& value) {
  const std::string key(
      absl::StripAsciiWhitespace(value.substr(0, value.find('='))));
  if (key.empty()) return absl::StrCat("invalid label '", value, "': empty name");
  for (char c : key) {
    if (absl::ascii_isspace(static_cast<unsigned char>(c))) {
      return absl::StrCat("label '", key, "' contains whitespaces");
    }
  }
  return "";
}

std::optional<bool> FilterBool(const std::string& value) {
  const std::string lower = absl::AsciiStrToLower(value);
  if (lower == "true" || lower == "1") return true;
  if (lower == "false" || lower == "0") return false;
  return std::nullopt;
}

types::v1::LabelFilter ParseLabelFilter(absl::string_view value, bool negate) {
  types::v1::LabelFilter label;
  std::pair<absl::string_view, absl::string_view> parts =
      absl::StrSplit(value, absl::MaxSplits('=', 1));
  label.set_key(std::string(parts.first));
  if (parts.first.size() < value.size()) {
    label.set_value(std::string(parts.second));
  }
  label.set_negate(negate);
  return label;
}

absl::StatusOr<types::v1::PruneFilter> BuildPruneFilter(
    const std::vector<FilterTerm>& terms, absl::Time now, absl::TimeZone zone) {
  types::v1::PruneFilter filter;
  for (const FilterTerm& term : terms) {
    if (term.name == "until") {
      absl::StatusOr<absl::Time> until = ParseTimestamp(term.value, now, zone);
      if (!until.ok()) return until.status();
      const int64_t seconds = absl::ToUnixSeconds(*until);  // rounds down
      filter.mutable_until()->set_seconds(seconds);
      filter.mutable_until()->set_nanos(static_cast<int32_t>(
          absl::ToInt64Nanoseconds(*until - absl::FromUnixSeconds(seconds))));
    } else if (term.name == "label" || term.name == "label!") {
      *filter.add_labels() =
          ParseLabelFilter(term.value, term.name == "label!");
    } else {
      return InvalidFilter(term.name);
    }
  }
  return filter;
}

absl::StatusOr<absl::Time> ParseTimestamp(absl::string_view value,
                                          absl::Time now, absl::TimeZone zone) {
  if (value != "0") {
    absl::StatusOr<absl::Duration> ago = ParseGoDuration(value);
    if (ago.ok()) return now - *ago;
  }
  absl::Time time;
  if (absl::StrContains(value, "-")) {
    // Complete and cut-short RFC 3339 forms, with a zone ("Z", "+02:00")
    // or without (then in `zone`), as Docker's GetTimestamp accepts them.
    static constexpr const char* kFormats[] = {"%Y-%m-%dT%H:%M:%E*S%Ez",
                                               "%Y-%m-%dT%H:%M%Ez",
                                               "%Y-%m-%dT%H%Ez",
                                               "%Y-%m-%d%Ez",
                                               "%Y-%m-%dT%H:%M:%E*S",
                                               "%Y-%m-%dT%H:%M",
                                               "%Y-%m-%dT%H",
                                               "%Y-%m-%d"};
    for (const char* format : kFormats) {
      std::string error;
      if (absl::ParseTime(format, value, zone, &time, &error)) return time;
    }
  } else if (ParseUnixTime(value, &time)) {
    return time;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "failed to parse value as time or duration: \"", value, "\""));
}

absl::StatusOr<types::v1::Platform> ParsePlatform(absl::string_view value) {
  std::vector<absl::string_view> parts = absl::StrSplit(value, '/');
  bool valid = !value.empty() && parts.size() <= 3;
  for (absl::string_view part : parts) valid = valid && !part.empty();
  if (!valid) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid platform \"", value,
                     "\": expected os[/arch[/variant]], e.g. linux/amd64"));
  }
  types::v1::Platform platform;
  // Sent as typed: normalising ("amd64" alone, "aarch64") is imaged's job.
  platform.set_os(std::string(parts[0]));
  if (parts.size() > 1) platform.set_architecture(std::string(parts[1]));
  if (parts.size() > 2) platform.set_variant(std::string(parts[2]));
  return platform;
}

}  // namespace berth::ctl
