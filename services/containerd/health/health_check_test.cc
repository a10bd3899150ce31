#include "services/containerd/health/health_check.h"

#include "gtest/gtest.h"

namespace berth::containerd::health {
namespace {

using container::v1::Health;

types::v1::Healthcheck Check(std::vector<std::string> test) {
  types::v1::Healthcheck check;
  for (const std::string& part : test) check.add_test(part);
  return check;
}

ProbeResult Result(absl::Time start, int code, std::string output = "") {
  return ProbeResult{start, start + absl::Milliseconds(5), code, std::move(output)};
}

TEST(HealthCheckTest, TheContainersSettingsWinFieldByField) {
  types::v1::Healthcheck image = Check({"CMD", "true"});
  image.mutable_interval()->set_seconds(10);
  image.set_retries(7);
  types::v1::Healthcheck container;
  container.mutable_timeout()->set_seconds(2);
  types::v1::Healthcheck merged = MergeHealthcheck(container, image);
  EXPECT_EQ(merged.test_size(), 2);
  EXPECT_EQ(merged.interval().seconds(), 10);
  EXPECT_EQ(merged.timeout().seconds(), 2);
  EXPECT_EQ(merged.retries(), 7);
  // NONE in the container turns the image's off.
  EXPECT_FALSE(SettingsOf(MergeHealthcheck(Check({"NONE"}), image)).has_value());
}

TEST(HealthCheckTest, DefaultsAndTheShellForm) {
  std::optional<ProbeSettings> settings = SettingsOf(Check({"CMD-SHELL", "exit 0"}));
  ASSERT_TRUE(settings.has_value());
  EXPECT_EQ(settings->argv, (std::vector<std::string>{"/bin/sh", "-c", "exit 0"}));
  EXPECT_EQ(settings->interval, absl::Seconds(30));
  EXPECT_EQ(settings->timeout, absl::Seconds(30));
  EXPECT_EQ(settings->start_period, absl::ZeroDuration());
  EXPECT_EQ(settings->start_interval, absl::Seconds(5));
  EXPECT_EQ(settings->retries, 3);
  EXPECT_EQ(SettingsOf(Check({"CMD", "/bin/check", "-v"}))->argv,
            (std::vector<std::string>{"/bin/check", "-v"}));
  EXPECT_FALSE(SettingsOf(Check({})).has_value());
}

TEST(HealthCheckTest, DockersLimits) {
  types::v1::Healthcheck check = Check({"CMD", "true"});
  check.mutable_interval()->set_nanos(1000);
  absl::Status refused = ValidateHealthcheck(check);
  EXPECT_EQ(refused.message(), "Interval in Healthcheck cannot be less than 1ms");
  check.clear_interval();
  check.set_retries(-1);
  EXPECT_EQ(ValidateHealthcheck(check).message(),
            "Retries in Healthcheck cannot be negative");
  EXPECT_FALSE(ValidateHealthcheck(Check({"RUN", "x"})).ok());
  EXPECT_TRUE(ValidateHealthcheck(Check({"NONE"})).ok());
}

TEST(HealthCheckTest, FailuresCountAfterTheStartPeriodUntilRetries) {
  ProbeSettings settings = *SettingsOf(Check({"CMD", "x"}));
  settings.start_period = absl::Seconds(10);
  settings.retries = 2;
  const absl::Time started = absl::FromUnixSeconds(1000);
  Health health = StartingHealth();
  health = ApplyProbe(health, Result(started + absl::Seconds(1), 1), settings, started);
  EXPECT_EQ(health.status(), Health::STATUS_STARTING);
  EXPECT_EQ(health.failing_streak(), 0);
  health = ApplyProbe(health, Result(started + absl::Seconds(11), 1), settings, started);
  EXPECT_EQ(health.status(), Health::STATUS_STARTING);
  EXPECT_EQ(health.failing_streak(), 1);
  health = ApplyProbe(health, Result(started + absl::Seconds(12), 1), settings, started);
  EXPECT_EQ(health.status(), Health::STATUS_UNHEALTHY);
  health = ApplyProbe(health, Result(started + absl::Seconds(13), 0, "ok\n"), settings,
                      started);
  EXPECT_EQ(health.status(), Health::STATUS_HEALTHY);
  EXPECT_EQ(health.failing_streak(), 0);
  EXPECT_EQ(health.log_size(), 4);
  EXPECT_EQ(health.log(3).output(), "ok\n");
}

TEST(HealthCheckTest, TheLogKeepsFiveProbesOfAtMost4KiB) {
  const ProbeSettings settings = *SettingsOf(Check({"CMD", "x"}));
  const absl::Time started = absl::FromUnixSeconds(1000);
  Health health = StartingHealth();
  for (int i = 0; i < 7; ++i) {
    health = ApplyProbe(health,
                        Result(started + absl::Seconds(i), i, std::string(5000, 'a' + i)),
                        settings, started);
  }
  ASSERT_EQ(health.log_size(), 5);
  EXPECT_EQ(health.log(0).exit_code(), 2);
  EXPECT_EQ(health.log(4).output().size(), 4096u);
}

TEST(HealthCheckTest, TheStartIntervalAppliesWhileStarting) {
  ProbeSettings settings = *SettingsOf(Check({"CMD", "x"}));
  settings.start_period = absl::Seconds(60);
  const absl::Time started = absl::FromUnixSeconds(1000);
  EXPECT_EQ(NextProbeIn(StartingHealth(), settings, started, started + absl::Seconds(1)),
            absl::Seconds(5));
  EXPECT_EQ(NextProbeIn(StartingHealth(), settings, started, started + absl::Seconds(61)),
            absl::Seconds(30));
  Health healthy;
  healthy.set_status(Health::STATUS_HEALTHY);
  EXPECT_EQ(NextProbeIn(healthy, settings, started, started + absl::Seconds(1)),
            absl::Seconds(30));
}

}  // namespace
}  // namespace berth::containerd::health
