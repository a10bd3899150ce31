#include "common/logging.h"

#include <map>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "spdlog/pattern_formatter.h"
#include "spdlog/sinks/basic_file_sink.h"
#include "spdlog/sinks/stdout_sinks.h"
#include "spdlog/spdlog.h"

namespace berth {
namespace {

// Sinks by file ("" = stderr), shared by the loggers that write there.
absl::StatusOr<spdlog::sink_ptr> SinkFor(const std::string& file) {
  static std::mutex mu;
  static auto* sinks = new std::map<std::string, spdlog::sink_ptr>();
  std::lock_guard<std::mutex> lock(mu);
  auto it = sinks->find(file);
  if (it != sinks->end()) return it->second;
  spdlog::sink_ptr sink;
  if (file.empty()) {
    sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  } else {
    try {
      sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(file);
    } catch (const spdlog::spdlog_ex& e) {
      return absl::InvalidArgumentError(
          absl::StrCat("open log file ", file, ": ", e.what()));
    }
  }
  sink->set_formatter(std::make_unique<spdlog::pattern_formatter>(
      "%Y-%m-%dT%H:%M:%S.%eZ %l %n: %v", spdlog::pattern_time_type::utc));
  (*sinks)[file] = sink;
  return sink;
}

}  // namespace

spdlog::level::level_enum ToSpdlogLevel(LogLevel level) {
  switch (level) {
    case LogLevel::kTrace:
      return spdlog::level::trace;
    case LogLevel::kDebug:
      return spdlog::level::debug;
    case LogLevel::kInfo:
      return spdlog::level::info;
    case LogLevel::kWarn:
      return spdlog::level::warn;
    case LogLevel::kError:
      return spdlog::level::err;
    case LogLevel::kCritical:
      return spdlog::level::critical;
    case LogLevel::kOff:
      break;
  }
  return spdlog::level::off;
}

absl::StatusOr<std::shared_ptr<spdlog::logger>> MakeLogger(
    const std::string& name, const std::string& level,
    const std::string& file) {
  absl::StatusOr<LogLevel> parsed = ParseLogLevel(level);
  if (!parsed.ok()) return parsed.status();
  absl::StatusOr<spdlog::sink_ptr> sink = SinkFor(file);
  if (!sink.ok()) return sink.status();
  auto logger = std::make_shared<spdlog::logger>(name, *sink);
  logger->set_level(ToSpdlogLevel(*parsed));
  logger->flush_on(spdlog::level::info);
  return logger;
}

}  // namespace berth
