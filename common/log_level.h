// Log level names shared by the daemons' spdlog loggers, the config file and
// the CLI's own diagnostics (which do not link spdlog).
#ifndef BERTH_COMMON_LOG_LEVEL_H_
#define BERTH_COMMON_LOG_LEVEL_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace berth {

// In increasing severity; kOff silences everything.
enum class LogLevel { kTrace, kDebug, kInfo, kWarn, kError, kCritical, kOff };

// "trace", "debug", "info", "warn", "error", "critical", "off".
absl::StatusOr<LogLevel> ParseLogLevel(absl::string_view level);

// The name ParseLogLevel accepts for `level`.
absl::string_view LogLevelName(LogLevel level);

}  // namespace berth

#endif  // BERTH_COMMON_LOG_LEVEL_H_
