// Logging setup: one spdlog logger per service ("imaged", ...), each writing
// to standard error or a file, at a level from the config.
#ifndef BERTH_COMMON_LOGGING_H_
#define BERTH_COMMON_LOGGING_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/log_level.h"
#include "spdlog/logger.h"

namespace berth {

// spdlog's level for `level`.
spdlog::level::level_enum ToSpdlogLevel(LogLevel level);

// Creates (or replaces) the logger `name`, writing lines such as
// "2026-11-23T19:00:00.123Z info imaged: message" to `file` (appended) or,
// when `file` is empty, standard error. Loggers writing to the same file
// share one sink, so lines from berthd's services never interleave.
absl::StatusOr<std::shared_ptr<spdlog::logger>> MakeLogger(
    const std::string& name, const std::string& level, const std::string& file);

}  // namespace berth

#endif  // BERTH_COMMON_LOGGING_H_
