// The fixture of the container end-to-end tests: berthd in a private
// BerthEnv with a busybox image imported, and helpers to run, inspect and
// wait for containers through the real CLI.
#ifndef BERTH_TESTS_E2E_CONTAINER_FIXTURE_H_
#define BERTH_TESTS_E2E_CONTAINER_FIXTURE_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/support/berth_env.h"
#include "tests/support/busybox.h"

namespace berth::testing {

inline const std::vector<std::string> kAll = {"imaged", "containerd", "netd",
                                       "volumed"};

// A service's own daemon, as the split mode runs it ("services/netd/berth-netd").
inline std::string SplitDaemon(const std::string& service) {
  return "services/" + service + "/berth-" + service;
}

inline std::vector<std::string> Lines(const std::string& text) {
  return absl::StrSplit(absl::StripTrailingAsciiWhitespace(text), '\n',
                        absl::SkipEmpty());
}

class ContainerE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StartBerthd();
    RunResult imported =
        env_.Berth({"import", "--change", "CMD [\"sh\"]",
                    MakeBusyboxTar(env_.dir()), "busybox"});
    ASSERT_EQ(imported.exit_code, 0) << imported.err;
  }

  // Stops berthd and serves the same state with the four daemons apart;
  // `env_of` gives a service's environment (failpoints).
  std::map<std::string, std::unique_ptr<Daemon>> SplitDaemons(
      const std::map<std::string, std::map<std::string, std::string>>& env_of = {}) {
    std::map<std::string, std::unique_ptr<Daemon>> daemons;
    EXPECT_EQ(berthd_->Stop(), 0);
    for (const std::string& service : kAll) {
      auto env = env_of.find(service);
      daemons[service] = env_.StartDaemon(
          SplitDaemon(service), {},
          env == env_of.end() ? std::map<std::string, std::string>{} : env->second);
    }
    EXPECT_TRUE(env_.WaitHealthy(kAll));
    return daemons;
  }

  void StartBerthd() {
    berthd_ = env_.StartDaemon(kBerthd);
    ASSERT_TRUE(env_.WaitHealthy(kAll));
  }

  // `berth run --rm busybox sh -c SCRIPT` plus `flags` before the image.
  RunResult RunScript(const std::string& script,
                      std::vector<std::string> flags = {}) {
    std::vector<std::string> args = {"run", "--rm"};
    args.insert(args.end(), flags.begin(), flags.end());
    args.insert(args.end(), {"busybox", "sh", "-c", script});
    return env_.Berth(args);
  }

  nlohmann::json Inspect(const std::string& name) {
    RunResult inspected = env_.Berth({"inspect", name});
    EXPECT_EQ(inspected.exit_code, 0) << inspected.err;
    nlohmann::json parsed = nlohmann::json::parse(inspected.out, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_array() || parsed.empty()) {
      ADD_FAILURE() << "bad inspect output: " << inspected.out;
      return nlohmann::json::object();
    }
    return parsed[0];
  }

  bool WaitForStatus(const std::string& name, const std::string& status,
                     absl::Duration timeout = absl::Seconds(20)) {
    const absl::Time deadline = absl::Now() + timeout;
    while (absl::Now() < deadline) {
      RunResult inspected = env_.Berth({"inspect", "-f", "{{.State.Status}}", name});
      if (absl::StripAsciiWhitespace(inspected.out) == status) return true;
      absl::SleepFor(absl::Milliseconds(100));
    }
    return false;
  }

  BerthEnv env_;
  std::unique_ptr<Daemon> berthd_;
};

}  // namespace berth::testing

#endif  // BERTH_TESTS_E2E_CONTAINER_FIXTURE_H_
