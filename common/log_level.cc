#include "common/log_level.h"

#include "absl/strings/str_cat.h"

namespace berth {
namespace {

struct LevelName {
  LogLevel level;
  absl::string_view name;
};

constexpr LevelName kLevels[] = {
    {LogLevel::kTrace, "trace"}, {LogLevel::kDebug, "debug"},
    {LogLevel::kInfo, "info"},   {LogLevel::kWarn, "warn"},
    {LogLevel::kError, "error"}, {LogLevel::kCritical, "critical"},
    {LogLevel::kOff, "off"},
};

}  // namespace

absl::StatusOr<LogLevel> ParseLogLevel(absl::string_view level) {
  for (const LevelName& entry : kLevels) {
    if (entry.name == level) return entry.level;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "invalid log level \"", level,
      "\" (use trace, debug, info, warn, error, critical or off)"));
}

absl::string_view LogLevelName(LogLevel level) {
  for (const LevelName& entry : kLevels) {
    if (entry.level == level) return entry.name;
  }
  return "off";
}

}  // namespace berth
