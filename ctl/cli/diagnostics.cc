#include "ctl/cli/diagnostics.h"

#include <cstdio>

#include "absl/strings/str_cat.h"

namespace berth::ctl {
namespace {

LogLevel threshold = LogLevel::kInfo;

}  // namespace

void SetDiagnosticLevel(LogLevel level) { threshold = level; }

bool DiagnosticEnabled(LogLevel level) {
  return level != LogLevel::kOff && level >= threshold;
}

std::string FormatDiagnostic(absl::Time when, LogLevel level,
                             absl::string_view message) {
  return absl::StrCat(
      absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", when, absl::UTCTimeZone()), " ",
      LogLevelName(level), " berth: ", message, "\n");
}

void Diagnose(LogLevel level, absl::string_view message) {
  if (!DiagnosticEnabled(level)) return;
  std::string line = FormatDiagnostic(absl::Now(), level, message);
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace berth::ctl
