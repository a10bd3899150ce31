#include "services/imaged/formats/changes.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "common/signals.h"
#include "common/status_macros.h"
#include "common/go_duration.h"
#include "common/tree_archive/tree_paths.h"
#include "services/imaged/formats/dockerfile_words.h"
#include "services/imaged/formats/json_util.h"

namespace berth::imaged::formats {
namespace {

using internal::Environment;
using internal::EnvironmentOf;
using internal::ExpandWord;
using internal::ParseExecForm;
using internal::SplitWords;
using StringField = google::protobuf::RepeatedPtrField<std::string>;

constexpr char kValidCommands[] =
    "CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, USER, VOLUME, WORKDIR, "
    "STOPSIGNAL, HEALTHCHECK, SHELL";

// What one ApplyChanges call works on: a copy of the config, swapped in only
// when every change applied.
struct ChangeState {
  image::v1::ImageConfig config;
  // A CMD came earlier in this call, so a later ENTRYPOINT keeps it.
  bool cmd_set = false;
};

absl::Status Invalid(absl::string_view message) {
  return absl::InvalidArgumentError(message);
}

// ---- argument forms ----------------------------------------------------

// The words of `args`, unquoted and expanded against the config's Env.
absl::StatusOr<std::vector<std::string>> ExpandedWords(
    absl::string_view args, const image::v1::ImageConfig& config) {
  Environment env = EnvironmentOf(config.env());
  std::vector<std::string> words;
  for (const std::string& raw : SplitWords(args)) {
    ASSIGN_OR_RETURN(std::string word, ExpandWord(raw, env));
    words.push_back(std::move(word));
  }
  return words;
}

// CMD / ENTRYPOINT / HEALTHCHECK CMD: the exec form as is, or the shell
// form run by the config's Shell (Docker's default ["/bin/sh", "-c"]).
absl::StatusOr<std::vector<std::string>> CommandLine(
    absl::string_view keyword, absl::string_view args,
    const image::v1::ImageConfig& config, bool* exec_form) {
  ASSIGN_OR_RETURN(std::optional<std::vector<std::string>> exec,
                   ParseExecForm(args));
  *exec_form = exec.has_value();
  if (exec.has_value()) return *std::move(exec);
  if (args.empty()) {
    return Invalid(absl::StrCat(keyword, " requires at least one argument"));
  }
  std::vector<std::string> command(config.shell().begin(),
                                   config.shell().end());
  if (command.empty()) command = {"/bin/sh", "-c"};
  command.emplace_back(args);
  return command;
}

// ENV and LABEL: name=value pairs, or the legacy `NAME value with spaces`.
absl::StatusOr<std::vector<std::pair<std::string, std::string>>> NameValues(
    absl::string_view keyword, absl::string_view args,
    const image::v1::ImageConfig& config) {
  Environment env = EnvironmentOf(config.env());
  std::vector<std::string> words = SplitWords(args);
  if (words.empty()) {
    return Invalid(absl::StrCat(keyword, " requires at least one argument"));
  }
  std::vector<std::pair<std::string, std::string>> raw;
  if (!absl::StrContains(words[0], '=')) {
    std::pair<absl::string_view, absl::string_view> parts =
        absl::StrSplit(args, absl::MaxSplits(absl::ByAnyChar(" \t"), 1));
    absl::string_view value = absl::StripAsciiWhitespace(parts.second);
    if (value.empty()) {
      return Invalid(absl::StrCat(keyword, " must have two arguments"));
    }
    raw.emplace_back(parts.first, value);
  } else {
    for (const std::string& word : words) {
      size_t eq = word.find('=');
      if (eq == std::string::npos) {
        return Invalid(absl::StrCat("Syntax error - can't find = in ",
                                    internal::QuoteForError(word),
                                    ". Must be of the form: name=value"));
      }
      raw.emplace_back(word.substr(0, eq), word.substr(eq + 1));
    }
  }
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const auto& [raw_name, raw_value] : raw) {
    ASSIGN_OR_RETURN(std::string name, ExpandWord(raw_name, env));
    ASSIGN_OR_RETURN(std::string value, ExpandWord(raw_value, env));
    if (name.empty()) {
      return Invalid(absl::StrCat(keyword, " names can not be blank"));
    }
    pairs.emplace_back(std::move(name), std::move(value));
  }
  return pairs;
}

// ExposedPorts and Volumes are sets (JSON objects): kept sorted, unique.
void AddToSet(const std::vector<std::string>& values, StringField* field) {
  std::set<std::string> set(field->begin(), field->end());
  set.insert(values.begin(), values.end());
  *field = StringField(set.begin(), set.end());
}

std::optional<uint32_t> ParsePortNumber(absl::string_view text) {
  uint32_t port = 0;
  if (text.empty() || text.size() > 5 ||
      !std::all_of(text.begin(), text.end(), absl::ascii_isdigit) ||
      !absl::SimpleAtoi(text, &port) || port == 0 || port > 65535) {
    return std::nullopt;
  }
  return port;
}

// "80", "53/udp", "8000-8010/tcp" -> "80/tcp", ... (Docker's nat package).
absl::Status ParsePorts(absl::string_view spec,
                        std::vector<std::string>* ports) {
  std::vector<absl::string_view> parts = absl::StrSplit(spec, '/');
  std::string proto = "tcp";
  if (parts.size() == 2) {
    proto = absl::AsciiStrToLower(parts[1]);
  } else if (parts.size() > 2) {
    return Invalid(
        absl::StrCat("invalid port ", internal::QuoteForError(spec)));
  }
  if (proto != "tcp" && proto != "udp" && proto != "sctp") {
    return Invalid(absl::StrCat(
        "invalid proto ", internal::QuoteForError(proto), " in port ",
        internal::QuoteForError(spec), " (want tcp, udp or sctp)"));
  }
  std::pair<absl::string_view, absl::string_view> range =
      absl::StrSplit(parts[0], absl::MaxSplits('-', 1));
  std::optional<uint32_t> first = ParsePortNumber(range.first);
  std::optional<uint32_t> last =
      range.second.empty() ? first : ParsePortNumber(range.second);
  if (!first.has_value() || !last.has_value() || *last < *first ||
      (absl::StrContains(parts[0], '-') && range.second.empty())) {
    return Invalid(absl::StrCat("invalid port ", internal::QuoteForError(spec),
                                " (want PORT[/PROTO] or START-END[/PROTO], "
                                "ports 1-65535)"));
  }
  for (uint32_t port = *first; port <= *last; ++port) {
    ports->push_back(absl::StrCat(port, "/", proto));
  }
  return absl::OkStatus();
}

// ---- HEALTHCHECK ---------------------------------------------------------

void SetDuration(absl::Duration duration, google::protobuf::Duration* out) {
  int64_t nanos = absl::ToInt64Nanoseconds(duration);
  out->set_seconds(nanos / 1000000000);
  out->set_nanos(static_cast<int32_t>(nanos % 1000000000));
}

// The --flag=value options before the type word; `args` is advanced past
// them.
absl::StatusOr<std::map<std::string, std::string>> HealthcheckFlags(
    absl::string_view* args) {
  static const std::set<std::string>* const kFlags = new std::set<std::string>{
      "interval", "timeout", "start-period", "start-interval", "retries"};
  std::map<std::string, std::string> flags;
  while (absl::StartsWith(*args, "--")) {
    size_t end = args->find_first_of(" \t");
    absl::string_view flag = args->substr(2, end == args->npos ? end : end - 2);
    *args = absl::StripLeadingAsciiWhitespace(
        end == args->npos ? absl::string_view() : args->substr(end));
    std::pair<absl::string_view, absl::string_view> parts =
        absl::StrSplit(flag, absl::MaxSplits('=', 1));
    std::string name(parts.first);
    if (kFlags->count(name) == 0) {
      return Invalid(
          absl::StrCat("Unknown flag: ", internal::QuoteForError(name)));
    }
    if (!absl::StrContains(flag, '=')) {
      return Invalid(absl::StrCat("Missing a value on flag: --", name));
    }
    if (!flags.emplace(name, std::string(parts.second)).second) {
      return Invalid(absl::StrCat("Duplicate flag specified: --", name));
    }
  }
  return flags;
}

// Docker's parseOptInterval: 0 means inherit, otherwise at least 1ms.
absl::Status HealthcheckDuration(
    const std::map<std::string, std::string>& flags, const std::string& name,
    google::protobuf::Duration* (types::v1::Healthcheck::*field)(),
    types::v1::Healthcheck* health) {
  auto it = flags.find(name);
  if (it == flags.end()) return absl::OkStatus();
  absl::StatusOr<absl::Duration> duration = ParseGoDuration(it->second);
  if (!duration.ok()) {
    return Invalid(absl::StrCat("HEALTHCHECK --", name, ": invalid duration ",
                                internal::QuoteForError(it->second)));
  }
  if (*duration < absl::ZeroDuration()) {
    return Invalid(absl::StrCat("HEALTHCHECK --", name, " cannot be negative"));
  }
  if (*duration == absl::ZeroDuration()) return absl::OkStatus();
  if (*duration < absl::Milliseconds(1)) {
    return Invalid(
        absl::StrCat("HEALTHCHECK --", name, " cannot be less than 1ms"));
  }
  SetDuration(*duration, (health->*field)());
  return absl::OkStatus();
}

absl::Status ApplyHealthcheck(absl::string_view args, ChangeState* state) {
  using types::v1::Healthcheck;
  ASSIGN_OR_RETURN(auto flags, HealthcheckFlags(&args));
  if (args.empty())
    return Invalid("HEALTHCHECK requires at least one argument");
  std::pair<absl::string_view, absl::string_view> parts =
      absl::StrSplit(args, absl::MaxSplits(absl::ByAnyChar(" \t"), 1));
  std::string type = absl::AsciiStrToUpper(parts.first);
  absl::string_view command = absl::StripAsciiWhitespace(parts.second);
  Healthcheck health;
  if (type == "NONE") {
    if (!command.empty() || !flags.empty()) {
      return Invalid("HEALTHCHECK NONE takes no arguments");
    }
    health.add_test("NONE");
    *state->config.mutable_healthcheck() = std::move(health);
    return absl::OkStatus();
  }
  if (type != "CMD") {
    return Invalid(absl::StrCat("Unknown type ", internal::QuoteForError(type),
                                " in HEALTHCHECK (try CMD)"));
  }
  bool exec_form = false;
  std::vector<std::string> test;
  if (!command.empty()) {
    ASSIGN_OR_RETURN(test, CommandLine("HEALTHCHECK CMD", command,
                                       state->config, &exec_form));
  }
  if (test.empty()) return Invalid("Missing command after HEALTHCHECK CMD");
  if (exec_form) {
    health.add_test("CMD");
    for (std::string& arg : test) health.add_test(std::move(arg));
  } else {
    health.add_test("CMD-SHELL");
    health.add_test(std::string(command));
  }
  RETURN_IF_ERROR(HealthcheckDuration(flags, "interval",
                                      &Healthcheck::mutable_interval, &health));
  RETURN_IF_ERROR(HealthcheckDuration(flags, "timeout",
                                      &Healthcheck::mutable_timeout, &health));
  RETURN_IF_ERROR(HealthcheckDuration(
      flags, "start-period", &Healthcheck::mutable_start_period, &health));
  RETURN_IF_ERROR(HealthcheckDuration(
      flags, "start-interval", &Healthcheck::mutable_start_interval, &health));
  if (auto it = flags.find("retries"); it != flags.end()) {
    int32_t retries = 0;
    if (!absl::SimpleAtoi(it->second, &retries)) {
      return Invalid(absl::StrCat("HEALTHCHECK --retries: invalid number ",
                                  internal::QuoteForError(it->second)));
    }
    if (retries < 0) {
      return Invalid(absl::StrCat("HEALTHCHECK --retries cannot be negative (",
                                  retries, ")"));
    }
    health.set_retries(retries);
  }
  *state->config.mutable_healthcheck() = std::move(health);
  return absl::OkStatus();
}

// ---- the other instructions --------------------------------------------

absl::Status ApplyCmd(absl::string_view args, ChangeState* state) {
  bool exec_form = false;
  ASSIGN_OR_RETURN(std::vector<std::string> cmd,
                   CommandLine("CMD", args, state->config, &exec_form));
  *state->config.mutable_cmd() = StringField(cmd.begin(), cmd.end());
  state->cmd_set = true;
  return absl::OkStatus();
}

absl::Status ApplyEntrypoint(absl::string_view args, ChangeState* state) {
  bool exec_form = false;
  ASSIGN_OR_RETURN(std::vector<std::string> entrypoint,
                   CommandLine("ENTRYPOINT", args, state->config, &exec_form));
  *state->config.mutable_entrypoint() =
      StringField(entrypoint.begin(), entrypoint.end());
  // Docker: an ENTRYPOINT resets the CMD it inherited.
  if (!state->cmd_set) state->config.clear_cmd();
  return absl::OkStatus();
}

absl::Status ApplyEnv(absl::string_view args, ChangeState* state) {
  ASSIGN_OR_RETURN(auto pairs, NameValues("ENV", args, state->config));
  StringField* env = state->config.mutable_env();
  for (const auto& [name, value] : pairs) {
    std::string entry = absl::StrCat(name, "=", value);
    auto same_name = [&name = name](const std::string& existing) {
      return existing == name || absl::StartsWith(existing, name + "=");
    };
    auto it = std::find_if(env->begin(), env->end(), same_name);
    if (it != env->end()) {
      *it = std::move(entry);
    } else {
      env->Add(std::move(entry));
    }
  }
  return absl::OkStatus();
}

absl::Status ApplyExpose(absl::string_view args, ChangeState* state) {
  ASSIGN_OR_RETURN(std::vector<std::string> specs,
                   ExpandedWords(args, state->config));
  if (specs.empty()) return Invalid("EXPOSE requires at least one argument");
  std::vector<std::string> ports;
  for (const std::string& spec : specs) {
    RETURN_IF_ERROR(ParsePorts(spec, &ports));
  }
  AddToSet(ports, state->config.mutable_exposed_ports());
  return absl::OkStatus();
}

absl::Status ApplyLabel(absl::string_view args, ChangeState* state) {
  ASSIGN_OR_RETURN(auto pairs, NameValues("LABEL", args, state->config));
  for (auto& [name, value] : pairs) {
    (*state->config.mutable_labels())[name] = std::move(value);
  }
  return absl::OkStatus();
}

absl::Status ApplyUser(absl::string_view args, ChangeState* state) {
  ASSIGN_OR_RETURN(std::vector<std::string> words,
                   ExpandedWords(args, state->config));
  if (words.size() != 1 || words[0].empty()) {
    return Invalid("USER requires exactly one argument");
  }
  state->config.set_user(words[0]);
  return absl::OkStatus();
}

absl::Status ApplyVolume(absl::string_view args, ChangeState* state) {
  ASSIGN_OR_RETURN(std::optional<std::vector<std::string>> exec,
                   ParseExecForm(args));
  std::vector<std::string> volumes;
  if (exec.has_value()) {
    Environment env = EnvironmentOf(state->config.env());
    for (const std::string& raw : *exec) {
      ASSIGN_OR_RETURN(std::string volume, ExpandWord(raw, env));
      volumes.push_back(std::move(volume));
    }
  } else {
    ASSIGN_OR_RETURN(volumes, ExpandedWords(args, state->config));
  }
  if (volumes.empty()) return Invalid("VOLUME requires at least one argument");
  for (std::string& volume : volumes) {
    volume = std::string(absl::StripAsciiWhitespace(volume));
    if (volume.empty()) {
      return Invalid("VOLUME specified can not be an empty string");
    }
  }
  AddToSet(volumes, state->config.mutable_volumes());
  return absl::OkStatus();
}

absl::Status ApplyWorkdir(absl::string_view args, ChangeState* state) {
  if (args.empty()) return Invalid("WORKDIR requires exactly one argument");
  ASSIGN_OR_RETURN(std::string path,
                   ExpandWord(args, EnvironmentOf(state->config.env())));
  if (path.empty()) return Invalid("WORKDIR requires exactly one argument");
  if (path.front() != '/') {
    path = absl::StrCat("/", state->config.working_dir(), "/", path);
  }
  state->config.set_working_dir(tree_archive::CleanPath(path));
  return absl::OkStatus();
}

absl::Status ApplyOnbuild(absl::string_view args, ChangeState* state) {
  static const std::set<std::string>* const kInstructions =
      new std::set<std::string>{"ADD",        "ARG",    "CMD",    "COPY",
                                "ENTRYPOINT", "ENV",    "EXPOSE", "HEALTHCHECK",
                                "LABEL",      "RUN",    "SHELL",  "STOPSIGNAL",
                                "USER",       "VOLUME", "WORKDIR"};
  if (args.empty()) return Invalid("ONBUILD requires at least one argument");
  std::string trigger = absl::AsciiStrToUpper(
      args.substr(0, std::min(args.find_first_of(" \t"), args.size())));
  if (trigger == "ONBUILD") {
    return Invalid("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
  }
  if (trigger == "FROM" || trigger == "MAINTAINER") {
    return Invalid(
        absl::StrCat(trigger, " isn't allowed as an ONBUILD trigger"));
  }
  if (kInstructions->count(trigger) == 0) {
    return Invalid(absl::StrCat("unknown instruction in ONBUILD: ",
                                internal::QuoteForError(trigger)));
  }
  state->config.add_on_build(std::string(args));
  return absl::OkStatus();
}

absl::Status ApplyStopSignal(absl::string_view args, ChangeState* state) {
  ASSIGN_OR_RETURN(std::vector<std::string> words,
                   ExpandedWords(args, state->config));
  if (words.size() != 1) {
    return Invalid("STOPSIGNAL requires exactly one argument");
  }
  if (!ParseSignal(words[0]).ok()) {
    return Invalid(
        absl::StrCat("invalid signal ", internal::QuoteForError(words[0])));
  }
  state->config.set_stop_signal(words[0]);
  return absl::OkStatus();
}

absl::Status ApplyShell(absl::string_view args, ChangeState* state) {
  ASSIGN_OR_RETURN(std::optional<std::vector<std::string>> shell,
                   ParseExecForm(args));
  if (!shell.has_value()) {
    return Invalid("SHELL requires the arguments to be in JSON form");
  }
  if (shell->empty()) return Invalid("SHELL requires at least one argument");
  *state->config.mutable_shell() = StringField(shell->begin(), shell->end());
  return absl::OkStatus();
}

// ---- dispatch ------------------------------------------------------------

struct Command {
  const char* keyword;
  absl::Status (*apply)(absl::string_view args, ChangeState* state);
};

constexpr Command kCommands[] = {
    {"CMD", ApplyCmd},
    {"ENTRYPOINT", ApplyEntrypoint},
    {"ENV", ApplyEnv},
    {"EXPOSE", ApplyExpose},
    {"LABEL", ApplyLabel},
    {"ONBUILD", ApplyOnbuild},
    {"USER", ApplyUser},
    {"VOLUME", ApplyVolume},
    {"WORKDIR", ApplyWorkdir},
    {"STOPSIGNAL", ApplyStopSignal},
    {"HEALTHCHECK", ApplyHealthcheck},
    {"SHELL", ApplyShell},
};

absl::Status ApplyInstruction(absl::string_view line, ChangeState* state) {
  size_t end = std::min(line.find_first_of(" \t\r\f\v"), line.size());
  std::string keyword = absl::AsciiStrToUpper(line.substr(0, end));
  absl::string_view args = absl::StripAsciiWhitespace(line.substr(end));
  for (const Command& command : kCommands) {
    if (keyword == command.keyword) return command.apply(args, state);
  }
  // The keyword came from the user; keep it printable and short.
  std::string shown = absl::CHexEscape(keyword.substr(0, 64));
  return Invalid(absl::StrCat(
      shown, " is not a valid change command (valid: ", kValidCommands, ")"));
}

}  // namespace

absl::Status ApplyChanges(const std::vector<std::string>& changes,
                          image::v1::ImageConfig* config) {
  ChangeState state;
  state.config = *config;
  for (const std::string& change : changes) {
    std::vector<std::string> lines = internal::LogicalLines(change);
    absl::Status status;
    if (lines.empty()) {
      status = Invalid("empty change (want an instruction, e.g. CMD [\"sh\"])");
    }
    for (const std::string& line : lines) {
      if (!status.ok()) break;
      status = ApplyInstruction(line, &state);
    }
    if (!status.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid change ", internal::QuoteForError(change), ": ",
                       status.message()));
    }
  }
  *config = std::move(state.config);
  return absl::OkStatus();
}

}  // namespace berth::imaged::formats
