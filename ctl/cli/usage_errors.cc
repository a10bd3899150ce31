#include "ctl/cli/usage_errors.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace berth::ctl {
namespace {

// "--name=value" -> "--name"; "-x" stays.
absl::string_view FlagName(absl::string_view typed) {
  return typed.substr(0, typed.find('='));
}

// pflag names a short flag by its letter and the word it was in.
std::string Shorthand(absl::string_view typed) {
  const char letter = typed.size() > 1 ? typed[1] : '-';
  return absl::StrFormat("'%c' in %s", letter, FlagName(typed));
}

bool IsLongFlag(absl::string_view typed) {
  return typed.size() > 2 && typed[0] == '-' && typed[1] == '-';
}

}  // namespace

std::string FlagError(absl::string_view problem, absl::string_view usage_line,
                      absl::string_view command_path) {
  return absl::StrCat(problem, "\n\nUsage:  ", usage_line, "\n\nRun '",
                      command_path, " --help' for more information\n");
}

std::string UnknownFlagProblem(absl::string_view typed) {
  if (IsLongFlag(typed)) return absl::StrCat("unknown flag: ", FlagName(typed));
  return absl::StrCat("unknown shorthand flag: ", Shorthand(typed));
}

std::string MissingValueProblem(absl::string_view typed) {
  if (IsLongFlag(typed)) {
    return absl::StrCat("flag needs an argument: ", FlagName(typed));
  }
  return absl::StrCat("flag needs an argument: ", Shorthand(typed));
}

std::string InvalidValueProblem(absl::string_view flag, absl::string_view value,
                                bool boolean, absl::string_view reason) {
  if (boolean) {
    return absl::StrFormat(
        "invalid argument \"%s\" for \"%s\" flag: strconv.ParseBool: parsing "
        "\"%s\": invalid syntax",
        value, flag, value);
  }
  return absl::StrFormat("invalid argument \"%s\" for \"%s\" flag: %s", value,
                         flag, reason);
}

std::string UnknownCommandError(absl::string_view typed_path,
                                absl::string_view group_path,
                                absl::string_view group_usage_line) {
  std::string text = absl::StrCat("berth: unknown command: ", typed_path, "\n");
  if (!group_usage_line.empty()) {
    absl::StrAppend(&text, "\nUsage:  ", group_usage_line, "\n");
  }
  absl::StrAppend(&text, "\nRun '", group_path,
                  " --help' for more information\n");
  return text;
}

std::string CommandFailure(absl::string_view command_path,
                           absl::string_view message) {
  return absl::StrCat("berth: ", message, "\n\nRun '", command_path,
                      " --help' for more information\n");
}

}  // namespace berth::ctl
