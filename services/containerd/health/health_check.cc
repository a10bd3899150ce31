#include "services/containerd/health/health_check.h"

#include "absl/strings/str_cat.h"
#include "common/proto_util.h"

namespace berth::containerd::health {

using container::v1::Health;

namespace {

constexpr absl::Duration kDefaultInterval = absl::Seconds(30);
constexpr absl::Duration kDefaultTimeout = absl::Seconds(30);
constexpr absl::Duration kDefaultStartInterval = absl::Seconds(5);
constexpr int kDefaultRetries = 3;
constexpr absl::Duration kMinimum = absl::Milliseconds(1);
constexpr size_t kMaxLogEntries = 5;
constexpr size_t kMaxOutput = 4096;

absl::Duration FromProto(const google::protobuf::Duration& duration) {
  return absl::Seconds(duration.seconds()) + absl::Nanoseconds(duration.nanos());
}

bool IsSet(const google::protobuf::Duration& duration) {
  return duration.seconds() != 0 || duration.nanos() != 0;
}

absl::Duration OrDefault(const google::protobuf::Duration& duration,
                         absl::Duration fallback) {
  return IsSet(duration) ? FromProto(duration) : fallback;
}

absl::Status AtLeastMinimum(const google::protobuf::Duration& duration,
                            const char* name) {
  if (IsSet(duration) && FromProto(duration) < kMinimum) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, " in Healthcheck cannot be less than 1ms"));
  }
  return absl::OkStatus();
}

}  // namespace

types::v1::Healthcheck MergeHealthcheck(const types::v1::Healthcheck& container,
                                        const types::v1::Healthcheck& image) {
  types::v1::Healthcheck merged = container;
  if (merged.test().empty()) *merged.mutable_test() = image.test();
  if (!IsSet(merged.interval())) *merged.mutable_interval() = image.interval();
  if (!IsSet(merged.timeout())) *merged.mutable_timeout() = image.timeout();
  if (!IsSet(merged.start_period())) {
    *merged.mutable_start_period() = image.start_period();
  }
  if (!IsSet(merged.start_interval())) {
    *merged.mutable_start_interval() = image.start_interval();
  }
  if (merged.retries() == 0) merged.set_retries(image.retries());
  return merged;
}

absl::Status ValidateHealthcheck(const types::v1::Healthcheck& check) {
  if (absl::Status s = AtLeastMinimum(check.interval(), "Interval"); !s.ok()) return s;
  if (absl::Status s = AtLeastMinimum(check.timeout(), "Timeout"); !s.ok()) return s;
  if (absl::Status s = AtLeastMinimum(check.start_period(), "StartPeriod"); !s.ok()) {
    return s;
  }
  if (absl::Status s = AtLeastMinimum(check.start_interval(), "StartInterval");
      !s.ok()) {
    return s;
  }
  if (check.retries() < 0) {
    return absl::InvalidArgumentError("Retries in Healthcheck cannot be negative");
  }
  if (check.test().empty()) return absl::OkStatus();
  const std::string& kind = check.test(0);
  if (kind == "NONE") return absl::OkStatus();
  if ((kind == "CMD" && check.test_size() >= 2) ||
      (kind == "CMD-SHELL" && check.test_size() == 2)) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown type in Healthcheck test: \"", kind,
      "\" (want NONE, CMD followed by the command, or CMD-SHELL and a "
      "command line)"));
}

std::optional<ProbeSettings> SettingsOf(const types::v1::Healthcheck& check) {
  if (check.test().empty() || check.test(0) == "NONE") return std::nullopt;
  ProbeSettings settings;
  if (check.test(0) == "CMD-SHELL") {
    settings.argv = {"/bin/sh", "-c", check.test_size() > 1 ? check.test(1) : ""};
  } else {
    settings.argv.assign(check.test().begin() + 1, check.test().end());
  }
  if (settings.argv.empty()) return std::nullopt;
  settings.interval = OrDefault(check.interval(), kDefaultInterval);
  settings.timeout = OrDefault(check.timeout(), kDefaultTimeout);
  settings.start_period = OrDefault(check.start_period(), absl::ZeroDuration());
  settings.start_interval = OrDefault(check.start_interval(), kDefaultStartInterval);
  settings.retries = check.retries() > 0 ? check.retries() : kDefaultRetries;
  return settings;
}

Health StartingHealth() {
  Health health;
  health.set_status(Health::STATUS_STARTING);
  return health;
}

Health ApplyProbe(const Health& health, const ProbeResult& result,
                  const ProbeSettings& settings, absl::Time started_at) {
  Health next = health;
  Health::Probe* probe = next.add_log();
  *probe->mutable_start() = ToTimestamp(result.start);
  *probe->mutable_end() = ToTimestamp(result.end);
  probe->set_exit_code(result.exit_code);
  probe->set_output(result.output.substr(0, kMaxOutput));
  while (static_cast<size_t>(next.log_size()) > kMaxLogEntries) {
    next.mutable_log()->DeleteSubrange(0, 1);
  }
  if (result.exit_code == 0) {
    next.set_failing_streak(0);
    next.set_status(Health::STATUS_HEALTHY);
    return next;
  }
  // Failures within the start period of a container never yet healthy do
  // not count.
  if (next.status() == Health::STATUS_STARTING &&
      result.start - started_at < settings.start_period) {
    return next;
  }
  next.set_failing_streak(next.failing_streak() + 1);
  if (next.failing_streak() >= settings.retries) {
    next.set_status(Health::STATUS_UNHEALTHY);
  }
  return next;
}

absl::Duration NextProbeIn(const Health& health, const ProbeSettings& settings,
                           absl::Time started_at, absl::Time now) {
  if (health.status() == Health::STATUS_STARTING &&
      now - started_at < settings.start_period) {
    return settings.start_interval;
  }
  return settings.interval;
}

}  // namespace berth::containerd::health
