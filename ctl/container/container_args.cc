#include "ctl/container/container_args.h"

#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/status_macros.h"
#include "ctl/cli/args.h"
#include "nlohmann/json.hpp"

namespace berth::ctl {
namespace {

bool IsSpace(char c) { return std::isspace(static_cast<unsigned char>(c)); }

bool IsDigits(absl::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

bool ValidUtf8(absl::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    size_t extra = 0;
    if (c < 0x80) {
      extra = 0;
    } else if ((c & 0xE0) == 0xC0 && c >= 0xC2) {
      extra = 1;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
    } else if ((c & 0xF8) == 0xF0 && c <= 0xF4) {
      extra = 3;
    } else {
      return false;
    }
    if (i + extra >= text.size()) return false;
    for (size_t k = 1; k <= extra; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) {
        return false;
      }
    }
    i += extra + 1;
  }
  return true;
}

// 10^n for n in 0..18.
int64_t Pow10(int n) {
  int64_t out = 1;
  while (n-- > 0) out *= 10;
  return out;
}

}  // namespace

std::optional<std::string> LookupProcessEnv(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

std::string CurrentDirectory() {
  char buffer[PATH_MAX];
  if (getcwd(buffer, sizeof(buffer)) == nullptr) return "/";
  return buffer;
}

absl::StatusOr<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    absl::Status status = ErrnoStatus(errno, "open", path);
    // Go spells errno texts in lower case: "no such file or directory".
    std::string message(status.message());
    const size_t colon = message.find(": ");
    if (colon != std::string::npos && colon + 2 < message.size()) {
      message[colon + 2] = absl::ascii_tolower(message[colon + 2]);
    }
    return absl::Status(status.code(), message);
  }
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

absl::Status FlagValueError(absl::string_view flag, absl::string_view value,
                            absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(
      "invalid argument \"", value, "\" for \"", flag, "\" flag: ", problem));
}

absl::StatusOr<std::string> ExpandEnv(absl::string_view value,
                                      const EnvLookup& lookup) {
  std::pair<absl::string_view, absl::string_view> parts =
      absl::StrSplit(value, absl::MaxSplits('=', 1));
  if (parts.first.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid environment variable: ", value));
  }
  if (parts.first.size() < value.size()) return std::string(value);
  if (lookup) {
    std::optional<std::string> found = lookup(std::string(value));
    if (found.has_value()) return absl::StrCat(value, "=", *found);
  }
  return std::string(value);
}

absl::StatusOr<std::vector<std::string>> ParseEnvFile(
    absl::string_view content, absl::string_view filename,
    const EnvLookup* lookup) {
  std::vector<std::string> out;
  absl::ConsumePrefix(&content, "\xEF\xBB\xBF");  // a UTF-8 byte order mark
  int number = 0;
  for (absl::string_view raw : absl::StrSplit(content, '\n')) {
    ++number;
    absl::ConsumeSuffix(&raw, "\r");
    if (!ValidUtf8(raw)) {
      return absl::InvalidArgumentError(
          absl::StrCat("env file ", filename,
                       " contains invalid utf8 bytes at line ", number));
    }
    absl::string_view line = absl::StripLeadingAsciiWhitespace(raw);
    if (line.empty() || line[0] == '#') continue;
    std::pair<absl::string_view, absl::string_view> parts =
        absl::StrSplit(line, absl::MaxSplits('=', 1));
    const bool has_value = parts.first.size() < line.size();
    absl::string_view name =
        has_value ? parts.first : absl::StripTrailingAsciiWhitespace(line);
    if (name.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("no variable name on line '", line, "'"));
    }
    for (char c : name) {
      if (IsSpace(c)) {
        return absl::InvalidArgumentError(
            absl::StrCat("poorly formatted environment: variable '", name,
                         "' contains whitespaces"));
      }
    }
    if (has_value) {
      out.push_back(std::string(line));
    } else if (lookup != nullptr) {
      absl::StatusOr<std::string> expanded = ExpandEnv(name, *lookup);
      if (!expanded.ok()) return expanded.status();
      out.push_back(*std::move(expanded));
    } else {
      out.push_back(std::string(name));
    }
  }
  return out;
}

absl::StatusOr<std::map<std::string, std::string>> ParseLabels(
    const std::vector<std::string>& values) {
  std::map<std::string, std::string> labels;
  for (const std::string& value : values) {
    std::pair<absl::string_view, absl::string_view> parts =
        absl::StrSplit(value, absl::MaxSplits('=', 1));
    if (absl::StripAsciiWhitespace(parts.first).empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid label '", value, "': empty name"));
    }
    labels[std::string(parts.first)] = std::string(parts.second);
  }
  return labels;
}

absl::StatusOr<container::v1::RestartPolicy> ParseRestartPolicy(
    absl::string_view value) {
  using container::v1::RestartPolicy;
  RestartPolicy policy;
  if (value.empty()) return policy;
  std::pair<absl::string_view, absl::string_view> parts =
      absl::StrSplit(value, absl::MaxSplits(':', 1));
  const bool has_count = parts.first.size() < value.size();
  if (has_count && parts.first.empty()) {
    return absl::InvalidArgumentError(
        "invalid restart policy format: no policy provided before colon");
  }
  int64_t count = 0;
  if (has_count && !parts.second.empty()) {
    if (!absl::SimpleAtoi(parts.second, &count) ||
        count > std::numeric_limits<int32_t>::max() ||
        count < std::numeric_limits<int32_t>::min()) {
      return absl::InvalidArgumentError(
          "invalid restart policy format: maximum retry count must be an "
          "integer");
    }
  }
  const absl::string_view name = parts.first;
  if (name == "no") {
    policy.set_name(RestartPolicy::NAME_NO);
  } else if (name == "always") {
    policy.set_name(RestartPolicy::NAME_ALWAYS);
  } else if (name == "on-failure") {
    policy.set_name(RestartPolicy::NAME_ON_FAILURE);
  } else if (name == "unless-stopped") {
    policy.set_name(RestartPolicy::NAME_UNLESS_STOPPED);
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid restart policy: unknown policy '", name,
        "'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'"));
  }
  if (count != 0 && policy.name() != RestartPolicy::NAME_ON_FAILURE) {
    return absl::InvalidArgumentError(
        "invalid restart policy: maximum retry count can only be used with "
        "'on-failure'");
  }
  if (count < 0) {
    return absl::InvalidArgumentError(
        "invalid restart policy: maximum retry count cannot be negative");
  }
  policy.set_maximum_retry_count(static_cast<int32_t>(count));
  return policy;
}

bool IsNoRestart(const container::v1::RestartPolicy& policy) {
  return policy.name() == container::v1::RestartPolicy::NAME_UNSPECIFIED ||
         policy.name() == container::v1::RestartPolicy::NAME_NO;
}

absl::StatusOr<std::map<std::string, std::string>> ParseStorageOpts(
    const std::vector<std::string>& values) {
  std::map<std::string, std::string> options;
  StorageLimits limits;  // only to validate; containerd converts again
  for (const std::string& value : values) {
    const size_t eq = value.find('=');
    if (eq == std::string::npos || eq == 0) {
      return FlagValueError("--storage-opt", value,
                            "invalid storage option: expected KEY=VALUE");
    }
    const std::string key = value.substr(0, eq);
    const std::string size = value.substr(eq + 1);
    if (absl::Status s = ApplyStorageOpt(key, size, &limits); !s.ok()) {
      return FlagValueError("--storage-opt", value, s.message());
    }
    options[key] = size;
  }
  return options;
}

absl::StatusOr<int64_t> ParseNanoCpus(absl::string_view value) {
  const absl::Status unparsable = absl::InvalidArgumentError(
      absl::StrCat("failed to parse ", value, " as a rational number"));
  const absl::Status too_precise =
      absl::InvalidArgumentError("value is too precise");
  const absl::Status too_large =
      absl::InvalidArgumentError(absl::StrCat("value ", value, " is too large"));
  absl::string_view text = value;
  bool negative = false;
  if (absl::ConsumePrefix(&text, "-")) {
    negative = true;
  } else {
    absl::ConsumePrefix(&text, "+");
  }
  __int128 nanos = 0;
  if (absl::StrContains(text, '/')) {
    std::pair<absl::string_view, absl::string_view> parts =
        absl::StrSplit(text, absl::MaxSplits('/', 1));
    uint64_t numerator = 0, denominator = 0;
    if (!IsDigits(parts.first) || !IsDigits(parts.second) ||
        !absl::SimpleAtoi(parts.first, &numerator) ||
        !absl::SimpleAtoi(parts.second, &denominator) || denominator == 0) {
      return unparsable;
    }
    const __int128 scaled = static_cast<__int128>(numerator) * 1000000000;
    if (scaled % denominator != 0) return too_precise;
    nanos = scaled / denominator;
  } else {
    // mantissa digits, an optional fraction, an optional exponent.
    std::pair<absl::string_view, absl::string_view> mantissa_exp =
        absl::StrSplit(text, absl::MaxSplits(absl::ByAnyChar("eE"), 1));
    int exponent = 0;
    if (mantissa_exp.first.size() < text.size()) {
      int64_t e = 0;
      absl::string_view exp_text = mantissa_exp.second;
      absl::string_view exp_digits = exp_text;
      if (!exp_digits.empty() && (exp_digits[0] == '-' || exp_digits[0] == '+'))
        exp_digits.remove_prefix(1);
      if (!IsDigits(exp_digits) || !absl::SimpleAtoi(exp_text, &e) ||
          e > 100 || e < -100) {
        return unparsable;
      }
      exponent = static_cast<int>(e);
    }
    std::pair<absl::string_view, absl::string_view> int_frac =
        absl::StrSplit(mantissa_exp.first, absl::MaxSplits('.', 1));
    const bool has_point = int_frac.first.size() < mantissa_exp.first.size();
    if ((int_frac.first.empty() && int_frac.second.empty()) ||
        (!int_frac.first.empty() && !IsDigits(int_frac.first)) ||
        (has_point && !int_frac.second.empty() && !IsDigits(int_frac.second))) {
      return unparsable;
    }
    std::string digits = absl::StrCat(int_frac.first, int_frac.second);
    exponent -= static_cast<int>(int_frac.second.size());
    // value = digits * 10^exponent; nanos = digits * 10^(exponent + 9).
    int scale = exponent + 9;
    while (scale < 0 && !digits.empty() && digits.back() == '0') {
      digits.pop_back();
      ++scale;
    }
    if (scale < 0) {
      // Non-zero digits below a billionth.
      if (digits.find_first_not_of('0') != std::string::npos) {
        return too_precise;
      }
      digits = "0";
      scale = 0;
    }
    const size_t first = digits.find_first_not_of('0');
    digits = first == std::string::npos ? "0" : digits.substr(first);
    if (digits.size() + static_cast<size_t>(scale) > 19) return too_large;
    for (char c : digits) nanos = nanos * 10 + (c - '0');
    nanos *= Pow10(scale);
  }
  if (nanos > std::numeric_limits<int64_t>::max()) return too_large;
  return negative ? -static_cast<int64_t>(nanos) : static_cast<int64_t>(nanos);
}

absl::StatusOr<int64_t> ParseIntFlag(absl::string_view flag,
                                     absl::string_view value) {
  absl::StatusOr<int64_t> parsed = ParseGoInt(value);
  if (!parsed.ok()) {
    return FlagValueError(flag, value, parsed.status().message());
  }
  return parsed;
}

absl::StatusOr<container::v1::Ulimit> ParseUlimit(absl::string_view value) {
  static constexpr const char* kNames[] = {
      "core",   "cpu",  "data", "fsize",  "locks",  "memlock",    "msgqueue",
      "nice",   "nofile", "nproc", "rss", "rtprio", "rttime", "sigpending",
      "stack"};
  std::pair<absl::string_view, absl::string_view> parts =
      absl::StrSplit(value, absl::MaxSplits('=', 1));
  if (parts.first.size() == value.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid ulimit argument: ", value));
  }
  bool known = false;
  for (const char* name : kNames) known = known || parts.first == name;
  if (!known) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid ulimit type: ", parts.first));
  }
  std::vector<absl::string_view> limits = absl::StrSplit(parts.second, ':');
  if (limits.size() > 2) {
    return absl::InvalidArgumentError(absl::StrCat(
        "too many limit value arguments - ", parts.second,
        ", can only have up to two, `soft[:hard]`"));
  }
  absl::StatusOr<int64_t> soft = ParseGoInt(limits[0]);
  if (!soft.ok()) return soft.status();
  int64_t hard = *soft;
  if (limits.size() == 2) {
    absl::StatusOr<int64_t> parsed = ParseGoInt(limits[1]);
    if (!parsed.ok()) return parsed.status();
    hard = *parsed;
  }
  if (*soft > hard) {
    return absl::InvalidArgumentError(
        absl::StrCat("ulimit soft limit must be less than or equal to hard "
                     "limit: ",
                     *soft, " > ", hard));
  }
  container::v1::Ulimit ulimit;
  ulimit.set_name(std::string(parts.first));
  ulimit.set_soft(*soft);
  ulimit.set_hard(hard);
  return ulimit;
}

absl::Status ApplySecurityOpts(const std::vector<std::string>& values,
                               const FileReader& read_file,
                               container::v1::SecurityOptions* security) {
  using container::v1::SecurityOptions;
  for (const std::string& opt : values) {
    std::pair<absl::string_view, absl::string_view> parts =
        absl::StrSplit(opt, absl::MaxSplits('=', 1));
    bool has_value = parts.first.size() < opt.size();
    if (!has_value && opt != "no-new-privileges") {
      // Docker still reads the old "key:value" spelling.
      parts = absl::StrSplit(opt, absl::MaxSplits(':', 1));
      has_value = parts.first.size() < opt.size();
    }
    const absl::string_view key = parts.first;
    const absl::string_view value = parts.second;
    if ((!has_value || value.empty()) && key != "no-new-privileges") {
      return absl::InvalidArgumentError(
          absl::StrCat("Invalid --security-opt: \"", opt, "\""));
    }
    if (key == "seccomp") {
      if (value == "unconfined") {
        security->set_seccomp_mode(SecurityOptions::SECCOMP_MODE_UNCONFINED);
      } else if (value == "builtin") {
        security->set_seccomp_mode(SecurityOptions::SECCOMP_MODE_DEFAULT);
      } else {
        const std::string path(value);
        absl::StatusOr<std::string> profile = read_file(path);
        if (!profile.ok()) {
          return absl::InvalidArgumentError(
              absl::StrCat("opening seccomp profile (", path,
                           ") failed: ", profile.status().message()));
        }
        nlohmann::json parsed =
            nlohmann::json::parse(*profile, nullptr, /*allow_exceptions=*/false);
        if (parsed.is_discarded()) {
          return absl::InvalidArgumentError(
              absl::StrCat("compacting json for seccomp profile (", path,
                           ") failed: invalid JSON"));
        }
        security->set_seccomp_mode(SecurityOptions::SECCOMP_MODE_CUSTOM);
        security->set_seccomp_profile_json(parsed.dump());
        security->set_seccomp_profile_path(path);
      }
    } else if (key == "apparmor") {
      security->set_apparmor_profile(std::string(value));
    } else if (key == "label") {
      security->add_selinux_options(std::string(value));
    } else if (key == "no-new-privileges") {
      bool enabled = true;
      if (has_value) {
        const std::string lower = absl::AsciiStrToLower(value);
        if (lower == "true" || lower == "1" || lower == "t") {
          enabled = true;
        } else if (lower == "false" || lower == "0" || lower == "f") {
          enabled = false;
        } else {
          return absl::InvalidArgumentError(
              absl::StrCat("invalid --security-opt 2: \"", opt, "\""));
        }
      }
      security->set_no_new_privileges(enabled);
    } else if (key == "systempaths" && value == "unconfined") {
      security->set_unconfined_system_paths(true);
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid --security-opt 1: \"", opt, "\""));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<PullPolicy> ParsePullPolicy(absl::string_view value) {
  if (value == "missing") return PullPolicy::kMissing;
  if (value == "always") return PullPolicy::kAlways;
  if (value == "never" || value.empty()) return PullPolicy::kNever;
  return absl::InvalidArgumentError(
      absl::StrCat("invalid pull option: '", value,
                   "': must be one of \"always\", \"missing\" or \"never\""));
}

}  // namespace berth::ctl
