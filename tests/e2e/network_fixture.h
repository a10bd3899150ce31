// ContainerE2eTest with what the network tests look at: inspect fields,
// the environment's veths, the bound namespaces, exec scripts and a busybox
// httpd.
#ifndef BERTH_TESTS_E2E_NETWORK_FIXTURE_H_
#define BERTH_TESTS_E2E_NETWORK_FIXTURE_H_

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "tests/e2e/container_fixture.h"

namespace berth::testing {

class ContainerNetworkE2eTest : public ContainerE2eTest {
 protected:
  std::string Field(const std::string& container, const std::string& format) {
    RunResult inspected = env_.Berth({"inspect", "-f", format, container});
    EXPECT_EQ(inspected.exit_code, 0) << inspected.err;
    return std::string(absl::StripAsciiWhitespace(inspected.out));
  }
  // Host-side veths in the environment's namespace.
  int Veths() {
    RunResult dev = RunCommand(env_.InNetns({"/bin/cat", "/proc/net/dev"}));
    EXPECT_EQ(dev.exit_code, 0) << dev.err;
    int veths = 0;
    for (const std::string& line : Lines(dev.out)) {
      if (absl::StartsWith(absl::StripLeadingAsciiWhitespace(line), "veth")) {
        ++veths;
      }
    }
    return veths;
  }
  // The veths of ended namespaces go when the kernel gets to them, a few
  // milliseconds later: waits up to 5 s for `want`.
  int AwaitVeths(int want) {
    int now = Veths();
    for (int i = 0; i < 100 && now != want; ++i) {
      absl::SleepFor(absl::Milliseconds(50));
      now = Veths();
    }
    return now;
  }
  std::vector<std::string> Namespaces() {
    RunResult listed =
        RunCommand({"/bin/ls", "-A", env_.run_root() + "/netns"});
    return Lines(listed.out);
  }
  // `berth exec CONTAINER sh -c SCRIPT`: busybox's applets run through its
  // shell (the image has links for few of them).
  RunResult ExecScript(const std::string& container, const std::string& script) {
    return env_.Berth({"exec", container, "sh", "-c", script});
  }
  // A detached busybox httpd serving "hello" on port 80.
  RunResult RunServer(const std::vector<std::string>& flags) {
    std::vector<std::string> args = {"run", "-d"};
    args.insert(args.end(), flags.begin(), flags.end());
    args.insert(args.end(),
                {"busybox", "sh", "-c",
                 "mkdir -p /www && echo hello > /www/index.html && "
                 "exec httpd -f -p 80 -h /www"});
    return env_.Berth(args);
  }
};

}  // namespace berth::testing

#endif  // BERTH_TESTS_E2E_NETWORK_FIXTURE_H_
