// End to end: Docker's health checks through the real CLI — probes run in
// the container (an exec through its shim), the status follows their
// results (starting, unhealthy after the retries, healthy), inspect keeps
// the last probes, ps shows and filters the status, and a probe that takes
// too long is ended and says so.
#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/container_fixture.h"

namespace berth::testing {
namespace {

using ::testing::HasSubstr;

class HealthTest : public ContainerE2eTest {
 protected:
  std::string HealthOf(const std::string& name) {
    RunResult got = env_.Berth({"inspect", "-f", "{{.State.Health.Status}}", name});
    return std::string(absl::StripAsciiWhitespace(got.out));
  }
  bool AwaitHealth(const std::string& name, const std::string& status) {
    for (int i = 0; i < 200; ++i) {
      if (HealthOf(name) == status) return true;
      absl::SleepFor(absl::Milliseconds(100));
    }
    return false;
  }
};

TEST_F(HealthTest, TheStatusFollowsTheProbes) {
  // Docker's default of three failures before unhealthy.
  ASSERT_EQ(env_.Berth({"run", "-d", "--name", "hc", "--health-cmd", "cat /tmp/ok",
                        "--health-interval", "200ms", "busybox", "sleep", "600"})
                .exit_code,
            0);
  EXPECT_EQ(HealthOf("hc"), "starting");
  ASSERT_TRUE(AwaitHealth("hc", "unhealthy"));
  EXPECT_EQ(Inspect("hc")["State"]["Health"]["FailingStreak"], 3);
  EXPECT_THAT(env_.Berth({"ps", "--format", "{{.Status}}"}).out,
              HasSubstr("(unhealthy)"));
  ASSERT_EQ(env_.Berth({"exec", "hc", "sh", "-c", "echo fine > /tmp/ok"}).exit_code, 0);
  ASSERT_TRUE(AwaitHealth("hc", "healthy"));
  nlohmann::json health = Inspect("hc")["State"]["Health"];
  EXPECT_EQ(health["FailingStreak"], 0);
  ASSERT_TRUE(health["Log"].is_array());
  EXPECT_LE(health["Log"].size(), 5u);
  const nlohmann::json& last = health["Log"].back();
  EXPECT_EQ(last["ExitCode"], 0);
  EXPECT_EQ(last["Output"], "fine\n");
  EXPECT_THAT(env_.Berth({"ps", "--filter", "health=healthy", "--format", "{{.Names}}"}).out,
              HasSubstr("hc"));
  EXPECT_EQ(env_.Berth({"ps", "--filter", "health=unhealthy", "-q"}).out, "");
}

TEST_F(HealthTest, AProbeThatTakesTooLongIsEndedAndFails) {
  ASSERT_EQ(env_.Berth({"run", "-d", "--name", "slow", "--health-cmd", "sleep 30",
                        "--health-interval", "100ms", "--health-timeout", "200ms",
                        "--health-retries", "1", "busybox", "sleep", "600"})
                .exit_code,
            0);
  ASSERT_TRUE(AwaitHealth("slow", "unhealthy"));
  const nlohmann::json probe = Inspect("slow")["State"]["Health"]["Log"][0];
  EXPECT_EQ(probe["ExitCode"], -1);
  EXPECT_EQ(probe["Output"], "Health check exceeded timeout (200ms)");
  // The probe's process was ended with it: only the init (and maybe a
  // probe under way) is there.
  RunResult ps = env_.Berth({"exec", "slow", "ps", "-o", "args"});
  EXPECT_LE(std::count(ps.out.begin(), ps.out.end(), '\n'), 4) << ps.out;
}

TEST_F(HealthTest, DockersRefusals) {
  RunResult tiny = env_.Berth({"run", "--health-cmd", "true", "--health-interval",
                               "10us", "busybox", "true"});
  EXPECT_EQ(tiny.exit_code, 125);
  EXPECT_THAT(tiny.err, HasSubstr("Interval in Healthcheck cannot be less than 1ms"));
  RunResult both = env_.Berth({"run", "--no-healthcheck", "--health-cmd", "true",
                               "busybox", "true"});
  EXPECT_EQ(both.exit_code, 125);
  EXPECT_THAT(both.err, HasSubstr("--no-healthcheck conflicts with --health-* options"));
  // Without a check there is no Health at all.
  ASSERT_EQ(env_.Berth({"run", "-d", "--name", "plain", "busybox", "sleep", "600"})
                .exit_code,
            0);
  EXPECT_FALSE(Inspect("plain")["State"].contains("Health"));
}

}  // namespace
}  // namespace berth::testing
