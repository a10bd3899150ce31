#include "ctl/cli/pflag_compat.h"

#include <cstdio>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "ctl/cli/command.h"
#include "ctl/cli/exit_codes.h"
#include "ctl/cli/usage_errors.h"

namespace berth::ctl {
namespace {

// "-x=..." with a single letter before the "=".
bool IsShortFlagWithValue(absl::string_view arg) {
  return arg.size() >= 3 && arg[0] == '-' && arg[1] != '-' && arg[2] == '=';
}

// The option named `name` ("-a", "--all") of `command` or of a command
// above it (the global options), or nullptr.
const CLI::Option* FindOption(const CLI::App* command,
                              const std::string& name) {
  for (; command != nullptr; command = command->get_parent()) {
    if (const CLI::Option* option = command->get_option_no_throw(name)) {
      return option;
    }
  }
  return nullptr;
}

// What Go's strconv.ParseBool takes.
bool IsGoBool(absl::string_view value) {
  for (absl::string_view accepted : {"1", "t", "T", "TRUE", "true", "True", "0",
                                     "f", "F", "FALSE", "false", "False"}) {
    if (value == accepted) return true;
  }
  return false;
}

bool IsFlag(const CLI::Option& option) {
  return option.get_items_expected_min() == 0;
}

// How pflag names a flag in errors: "-a, --all" or "--rm".
std::string DockerFlagName(const CLI::Option& option) {
  std::vector<std::string> names;
  for (const std::string& s : option.get_snames()) names.push_back("-" + s);
  for (const std::string& l : option.get_lnames()) names.push_back("--" + l);
  return absl::StrJoin(names, ", ");
}

// The chain of commands CLI11 entered, from `app` down.
std::vector<CLI::App*> ParsedChain(CLI::App& app) {
  std::vector<CLI::App*> chain = {&app};
  while (!chain.back()->get_subcommands().empty()) {
    chain.push_back(chain.back()->get_subcommands().front());
  }
  return chain;
}

// The root has no CommandUsage of its own: Docker's line for it.
CommandUsage UsageOrRoot(const CLI::App* command) {
  if (const CommandUsage* usage = UsageOf(command)) return *usage;
  return {"berth", "[OPTIONS] COMMAND [ARG...]", ""};
}

int PrintFlagError(const CLI::App* command, const std::string& problem) {
  const CommandUsage usage = UsageOrRoot(command);
  std::fputs(FlagError(problem, UsageLine(usage), usage.path).c_str(), stderr);
  return kExitUsage;
}

// What the user typed for `option`: the last argument spelling one of its
// names ("-n" rather than "--tail"), or its first name.
std::string TypedSpelling(const CLI::Option& option,
                          const std::vector<std::string>& args) {
  for (auto it = args.rbegin(); it != args.rend(); ++it) {
    const absl::string_view name =
        absl::string_view(*it).substr(0, it->find('='));
    if (absl::StartsWith(name, "--") &&
        option.check_lname(std::string(name.substr(2)))) {
      return std::string(name);
    }
    if (name.size() == 2 && name[0] == '-' &&
        option.check_sname(std::string(name.substr(1)))) {
      return std::string(name);
    }
  }
  return option.get_name();
}

int ReportExtras(const std::vector<CLI::App*>& chain) {
  // The innermost command that was left something it does not take.
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    const std::vector<std::string> extras = (*it)->remaining(false);
    if (extras.empty()) continue;
    const std::string& first = extras.front();
    if (absl::StartsWith(first, "-") && first != "-") {
      return PrintFlagError(*it, UnknownFlagProblem(first));
    }
    // A word a group does not know: Docker's unknown command.
    const CommandUsage usage = UsageOrRoot(*it);
    const bool root = (*it)->get_parent() == nullptr;
    const std::string group_line =
        usage.usage_names_command ? UsageLine(usage) : usage.path;
    std::fputs(UnknownCommandError(absl::StrCat(usage.path, " ", first),
                                   usage.path, root ? "" : group_line)
                   .c_str(),
               stderr);
    return kExitError;
  }
  return PrintFlagError(chain.back(), "unexpected arguments");
}

}  // namespace

const CLI::App* FindSubcommand(const CLI::App& parent,
                               const std::string& name) {
  for (const CLI::App* command :
       parent.get_subcommands([](const CLI::App*) { return true; })) {
    if (command->check_name(name)) return command;
  }
  return nullptr;
}

bool ShapeFlagsAsPflag(const CLI::App& app, std::vector<std::string>& args) {
  const CLI::App* command = &app;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string arg = args[i];
    if (arg == "--") return true;
    if (arg.empty() || arg[0] != '-' || arg == "-") {
      const CLI::App* sub = FindSubcommand(*command, arg);
      if (sub == nullptr) {
        // run/create: what follows the image is the container's.
        if (command->get_prefix_command()) return true;
        continue;
      }
      command = sub;
      continue;
    }
    const size_t equals = arg.find('=');
    const CLI::Option* option = FindOption(command, arg.substr(0, equals));
    if (option == nullptr) continue;  // reported as unknown by the parse
    if (equals == std::string::npos) {
      if (!IsFlag(*option)) ++i;  // its value follows
      continue;
    }
    const std::string value = arg.substr(equals + 1);
    if (IsFlag(*option) && !IsGoBool(value)) {
      PrintFlagError(command, InvalidValueProblem(DockerFlagName(*option),
                                                  value, true, ""));
      return false;
    }
    if (!IsShortFlagWithValue(arg)) continue;
    if (!option->get_lnames().empty()) {
      args[i] = absl::StrCat("--", option->get_lnames().front(), "=", value);
    } else if (!IsFlag(*option)) {
      args[i] = arg.substr(0, 2);
      args.insert(args.begin() + i + 1, value);
      ++i;
    }
  }
  return true;
}

int ReportParseError(CLI::App& app, const std::vector<std::string>& args,
                     const CLI::ParseError& error) {
  const std::vector<CLI::App*> chain = ParsedChain(app);
  if (dynamic_cast<const CLI::ExtrasError*>(&error) != nullptr) {
    return ReportExtras(chain);
  }
  // CLI11 begins the others with the option's name: "--filter: 1 required
  // TEXT missing", "Could not convert: --rm = bogus", "--log-level: ...".
  absl::string_view message = error.what();
  const bool conversion = absl::ConsumePrefix(&message, "Could not convert: ");
  const size_t end = message.find(conversion ? " = " : ": ");
  const std::string name(message.substr(0, end));
  const CLI::Option* option = FindOption(chain.back(), name);
  if (option == nullptr || end == absl::string_view::npos) {
    return PrintFlagError(chain.back(), std::string(error.what()));
  }
  const absl::string_view rest = message.substr(end + (conversion ? 3 : 2));
  if (dynamic_cast<const CLI::ArgumentMismatch*>(&error) != nullptr) {
    return PrintFlagError(chain.back(),
                          MissingValueProblem(TypedSpelling(*option, args)));
  }
  const std::vector<std::string>& results = option->results();
  const std::string value =
      conversion ? std::string(rest)
                 : (results.empty() ? std::string() : results.back());
  return PrintFlagError(chain.back(),
                        InvalidValueProblem(DockerFlagName(*option), value,
                                            IsFlag(*option), rest));
}

}  // namespace berth::ctl
