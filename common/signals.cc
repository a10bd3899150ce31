#include "common/signals.h"

#include <signal.h>

#include <map>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace berth {

absl::StatusOr<int> ParseSignal(absl::string_view given) {
  static const std::map<std::string, int>* const kSignals =
      new std::map<std::string, int>{
          {"ABRT", SIGABRT}, {"ALRM", SIGALRM},     {"BUS", SIGBUS},
          {"CHLD", SIGCHLD}, {"CLD", SIGCHLD},      {"CONT", SIGCONT},
          {"FPE", SIGFPE},   {"HUP", SIGHUP},       {"ILL", SIGILL},
          {"INT", SIGINT},   {"IO", SIGIO},         {"IOT", SIGIOT},
          {"KILL", SIGKILL}, {"PIPE", SIGPIPE},     {"POLL", SIGPOLL},
          {"PROF", SIGPROF}, {"PWR", SIGPWR},       {"QUIT", SIGQUIT},
          {"SEGV", SIGSEGV}, {"STKFLT", SIGSTKFLT}, {"STOP", SIGSTOP},
          {"SYS", SIGSYS},   {"TERM", SIGTERM},     {"TRAP", SIGTRAP},
          {"TSTP", SIGTSTP}, {"TTIN", SIGTTIN},     {"TTOU", SIGTTOU},
          {"URG", SIGURG},   {"USR1", SIGUSR1},     {"USR2", SIGUSR2},
          {"VTALRM", SIGVTALRM}, {"WINCH", SIGWINCH}, {"XCPU", SIGXCPU},
          {"XFSZ", SIGXFSZ}, {"RTMIN", SIGRTMIN},   {"RTMAX", SIGRTMAX}};
  const auto invalid = [&] {
    return absl::InvalidArgumentError(absl::StrCat("Invalid signal: ", given));
  };
  int number = 0;
  if (!given.empty() && absl::ascii_isdigit(given[0])) {
    if (absl::SimpleAtoi(given, &number) && number >= 1 &&
        number <= SIGRTMAX) {
      return number;
    }
    return invalid();
  }
  const std::string upper = absl::AsciiStrToUpper(given);
  absl::string_view name = upper;
  absl::ConsumePrefix(&name, "SIG");
  auto it = kSignals->find(std::string(name));
  if (it != kSignals->end()) return it->second;
  // Real-time signals by offset: RTMIN+1..RTMIN+15, RTMAX-14..RTMAX-1.
  const auto offset = [](absl::string_view digits, int max) {
    int value = 0;
    const bool ok = !digits.empty() && digits.size() <= 2 &&
                    absl::ascii_isdigit(digits[0]) &&
                    absl::ascii_isdigit(digits.back()) &&
                    absl::SimpleAtoi(digits, &value) && value >= 1 &&
                    value <= max;
    return ok ? value : 0;
  };
  if (absl::ConsumePrefix(&name, "RTMIN+")) {
    if (int n = offset(name, 15)) return SIGRTMIN + n;
  } else if (absl::ConsumePrefix(&name, "RTMAX-")) {
    if (int n = offset(name, 14)) return SIGRTMAX - n;
  }
  return invalid();
}

}  // namespace berth
