// Which errors exit 1, 125, 126, 127 or the command's own code, end to end:
// the real `berth` against a real berthd, next to Docker 28's answers.
// Usage errors (ctl/usage_error_cases.h) are compared byte for byte with
// what the docker client prints, when it is installed (it answers them
// without a daemon); daemon-side errors follow Docker's documented
// behaviour: `run` exits 125 when the container cannot be made, 126/127
// when its command cannot be executed or found, and otherwise the command's
// code; every other command exits 1 on any failure.
#include <unistd.h>

#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "ctl/usage_error_cases.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/container_fixture.h"

namespace berth::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kDocker[] = "/usr/local/bin/docker";

class CliErrorsE2eTest : public ContainerE2eTest {};

TEST_F(CliErrorsE2eTest, UsageErrorsAreDockersWordForWord) {
  const bool have_docker = access(kDocker, X_OK) == 0;
  if (!have_docker) std::fprintf(stderr, "no %s: not comparing\n", kDocker);
  for (const ctl::UsageErrorCase& c : ctl::UsageErrorCases()) {
    const std::string typed = absl::StrJoin(c.args, " ");
    const RunResult berth = env_.Berth(c.args);
    EXPECT_EQ(berth.exit_code, c.exit_code) << "berth " << typed;
    EXPECT_EQ(berth.err, c.err) << "berth " << typed;
    EXPECT_THAT(berth.out, IsEmpty()) << "berth " << typed;
    if (!have_docker || !c.differs_from_docker.empty()) continue;
    std::vector<std::string> argv = {kDocker};
    argv.insert(argv.end(), c.args.begin(), c.args.end());
    // A daemon, were one running here, is never asked.
    const RunResult docker = RunCommand(
        argv, {{"DOCKER_HOST", "unix://" + env_.dir() + "/no-docker.sock"}});
    EXPECT_EQ(berth.exit_code, docker.exit_code) << "docker " << typed;
    EXPECT_EQ(berth.err, absl::StrReplaceAll(docker.err, {{"docker", "berth"}}))
        << "docker " << typed;
  }
}

// Errors only a daemon can find, with Docker's exit codes.
TEST_F(CliErrorsE2eTest, DaemonErrorsExitAsDockers) {
  ASSERT_EQ(env_.Berth({"run", "-d", "--name", "one", "busybox", "sleep",
                        "60"})
                .exit_code,
            0);
  struct Case {
    std::vector<std::string> args;
    int exit_code;
    std::string err;  // a part of stderr
  };
  const std::vector<Case> cases = {
      // Not found: 1 for every command but run.
      {{"inspect", "missing"}, 1, "Error: No such object: missing"},
      {{"container", "inspect", "missing"}, 1, "No such container: missing"},
      {{"image", "inspect", "missing"}, 1, "No such image: missing"},
      {{"rm", "missing"}, 1, "No such container: missing"},
      {{"start", "missing"}, 1, "No such container: missing"},
      {{"stop", "missing"}, 1, "No such container: missing"},
      {{"restart", "missing"}, 1, "No such container: missing"},
      {{"kill", "missing"}, 1, "No such container: missing"},
      {{"logs", "missing"}, 1, "No such container: missing"},
      {{"wait", "missing"}, 1, "No such container: missing"},
      {{"rename", "missing", "other"}, 1, "No such container: missing"},
      {{"rmi", "missing"}, 1, "No such image: missing"},
      {{"history", "missing"}, 1, "No such image: missing"},
      {{"tag", "missing", "other"}, 1, "No such image: missing"},
      {{"create", "--pull", "never", "missing"}, 1, "No such image"},
      // A missing image is pulled (--pull missing); a registry that is not
      // there fails the pull at once, with no network needed.
      {{"create", "127.0.0.1:1/missing"},
       1,
       "Unable to find image '127.0.0.1:1/missing:latest' locally\nError "
       "response from daemon: "},
      // A conflict with the container's state: 1.
      {{"rm", "one"}, 1, "container is running"},
      {{"rename", "one", "one"}, 1, ""},
      // Bad filters are refused by the daemon's rules: 1.
      {{"ps", "--filter", "bogus=1"}, 1, "invalid filter 'bogus'"},
      // run: 125 when the container cannot be made...
      {{"run", "--pull", "never", "missing"}, 125, "berth: No such image"},
      {{"run", "127.0.0.1:1/missing"},
       125,
       "Unable to find image '127.0.0.1:1/missing:latest' locally\nberth: "
       "Error response from daemon: "},
      {{"run", "--name", "one", "busybox"}, 125, "already in use"},
      {{"run", "--restart", "bogus", "busybox"},
       125,
       "berth: invalid restart policy"},
      {{"run", "--name", "a/b", "busybox"}, 125, "Invalid container name"},
      // ...126 when the command cannot be executed, 127 when not found...
      {{"run", "--rm", "busybox", "/etc"}, 126, "is a directory"},
      {{"run", "--rm", "busybox", "nosuchcommand"},
       127,
       "executable file not found"},
      // ...and otherwise the command's own code.
      {{"run", "--rm", "busybox", "sh", "-c", "exit 3"}, 3, ""},
      {{"run", "--rm", "busybox", "sh", "-c", "exit 1"}, 1, ""},
  };
  for (const Case& c : cases) {
    const RunResult result = env_.Berth(c.args);
    const std::string typed = absl::StrJoin(c.args, " ");
    EXPECT_EQ(result.exit_code, c.exit_code) << "berth " << typed << ": "
                                             << result.err;
    EXPECT_THAT(result.err, HasSubstr(c.err)) << "berth " << typed;
  }
  EXPECT_EQ(env_.Berth({"rm", "-f", "one"}).exit_code, 0);
  // Nothing the failed commands tried was left behind.
  EXPECT_THAT(env_.Berth({"ps", "-aq"}).out, IsEmpty());
}

// What pflag accepts parses: `=false`/`=true` for booleans, `-e=X=1`.
TEST_F(CliErrorsE2eTest, FlagValuesWithEqualsSigns) {
  RunResult run = env_.Berth({"run", "--rm=true", "-d=false", "-t=false",
                              "-e=X=1", "--env=Y=2", "busybox", "sh", "-c",
                              "echo $X $Y"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "1 2\n");
  RunResult kept = env_.Berth({"run", "--rm=false", "--name", "kept",
                               "busybox", "true"});
  EXPECT_EQ(kept.exit_code, 0) << kept.err;
  EXPECT_THAT(Lines(env_.Berth({"ps", "-a", "-q=true"}).out),
              ::testing::SizeIs(1));
  EXPECT_EQ(env_.Berth({"rm", "-f=true", "kept"}).exit_code, 0);
  EXPECT_THAT(env_.Berth({"ps", "-aq"}).out, IsEmpty());
}

}  // namespace
}  // namespace berth::testing
