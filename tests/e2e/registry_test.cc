// End to end: `berth push`, `pull`, `search`, `login` and `logout` through
// the real CLI and berthd against a real registry (Debian's docker-registry,
// started by RegistryServer) on 127.0.0.1: plain HTTP without auth, and
// htpasswd Basic auth; `berth run` pulling what it does not have.
//
// berthd's daemons run in the environment's own network namespace, so the
// test thread enters that namespace before starting the registry: the
// registry (a child of this thread) then listens on the loopback the
// daemons see, and the fixture's port checks reach it too.
#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "services/imaged/registry/testing/registry_server.h"
#include "tests/e2e/container_fixture.h"
#include "tests/support/process.h"

namespace berth::testing {
namespace {

using ::berth::imaged::registry::testing::RegistryAuthMode;
using ::berth::imaged::registry::testing::RegistryServer;
using ::berth::imaged::registry::testing::RegistryServerOptions;

constexpr char kUser[] = "user";
constexpr char kPassword[] = "pass";

std::string Trimmed(const std::string& text) {
  return std::string(absl::StripAsciiWhitespace(text));
}

std::string Lower(const std::string& text) {
  return absl::AsciiStrToLower(text);
}

class RegistryE2eTest : public ContainerE2eTest {
 protected:
  void SetUp() override {
    ContainerE2eTest::SetUp();
    if (HasFatalFailure()) return;
    // The CLI keeps credentials under HOME/.berth (or BERTH_CONFIG) and
    // reads Docker's (DOCKER_CONFIG or HOME/.docker): only the test's own.
    unsetenv("BERTH_CONFIG");
    unsetenv("DOCKER_CONFIG");
    home_ = env_.dir() + "/home";
    ASSERT_EQ(mkdir(home_.c_str(), 0700), 0) << std::strerror(errno);
    EnterEnvNetns();
  }

  void TearDown() override { StopRegistryAndLeaveNetns(); }

  ~RegistryE2eTest() override { StopRegistryAndLeaveNetns(); }

  void EnterEnvNetns() {
    own_netns_ = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    ASSERT_GE(own_netns_, 0) << std::strerror(errno);
    const int target = open(env_.netns_path().c_str(), O_RDONLY | O_CLOEXEC);
    ASSERT_GE(target, 0) << env_.netns_path() << ": " << std::strerror(errno);
    const int entered = setns(target, CLONE_NEWNET);
    const int saved_errno = errno;
    close(target);
    ASSERT_EQ(entered, 0) << "setns: " << std::strerror(saved_errno);
  }

  void StopRegistryAndLeaveNetns() {
    registry_.reset();
    if (own_netns_ >= 0) {
      if (setns(own_netns_, CLONE_NEWNET) != 0) {
        ADD_FAILURE() << "setns back: " << std::strerror(errno);
      }
      close(own_netns_);
      own_netns_ = -1;
    }
  }

  // Starts the registry in the environment's network namespace.
  void StartRegistry(RegistryAuthMode auth = RegistryAuthMode::kNone) {
    RegistryServerOptions options;
    options.auth = auth;
    options.username = kUser;
    options.password = kPassword;
    absl::StatusOr<std::unique_ptr<RegistryServer>> started =
        RegistryServer::Start(options);
    ASSERT_TRUE(started.ok()) << started.status();
    registry_ = std::move(*started);
    host_ = registry_->host();
    repo_ = host_ + "/ns/app";
    ref_ = repo_ + ":v1";
  }

  // The CLI with HOME at the test's own directory.
  RunResult Cli(const std::vector<std::string>& args) {
    return env_.BerthWithInput(args, "", {{"HOME", home_}});
  }

  std::string ImageId(const std::string& name) {
    RunResult inspected = Cli({"inspect", "--format", "{{.Id}}", name});
    EXPECT_EQ(inspected.exit_code, 0) << inspected.err;
    return Trimmed(inspected.out);
  }

  // Tags busybox as ref_ and pushes it; busybox's image id.
  std::string TagAndPush() {
    const std::string id = ImageId("busybox");
    RunResult tagged = Cli({"tag", "busybox", ref_});
    EXPECT_EQ(tagged.exit_code, 0) << tagged.err;
    RunResult pushed = Cli({"push", ref_});
    EXPECT_EQ(pushed.exit_code, 0) << pushed.out << pushed.err;
    EXPECT_TRUE(absl::StrContains(
        pushed.out, absl::StrCat("The push refers to repository [", repo_, "]")))
        << pushed.out;
    EXPECT_TRUE(absl::StrContains(pushed.out, "v1: digest: sha256:"))
        << pushed.out;
    return id;
  }

  // Removes busybox and ref_, so that nothing local holds the image.
  void RemoveLocal() {
    RunResult removed = Cli({"rmi", "busybox", ref_});
    EXPECT_EQ(removed.exit_code, 0) << removed.out << removed.err;
    EXPECT_NE(Cli({"inspect", ref_}).exit_code, 0);
  }

  void ExpectPulled(const RunResult& pulled) {
    EXPECT_EQ(pulled.exit_code, 0) << pulled.out << pulled.err;
    EXPECT_TRUE(absl::StrContains(
        pulled.out, absl::StrCat("Status: Downloaded newer image for ", ref_)))
        << pulled.out;
    EXPECT_TRUE(absl::StrContains(pulled.out, "Digest: sha256:")) << pulled.out;
  }

  std::string ConfigPath() const { return home_ + "/.berth/config.json"; }

  std::string home_;
  int own_netns_ = -1;
  std::unique_ptr<RegistryServer> registry_;
  std::string host_;
  std::string repo_;
  std::string ref_;
};

TEST_F(RegistryE2eTest, PushPullAndRunOverPlainHttp) {
  StartRegistry();
  ASSERT_NE(registry_, nullptr);
  const std::string id = TagAndPush();
  ASSERT_FALSE(id.empty());
  RemoveLocal();

  ExpectPulled(Cli({"pull", ref_}));
  EXPECT_EQ(ImageId(ref_), id);
  RunResult ran = Cli({"run", "--rm", ref_, "echo", "hi"});
  EXPECT_EQ(ran.exit_code, 0) << ran.err;
  EXPECT_EQ(ran.out, "hi\n") << ran.err;

  RunResult again = Cli({"pull", ref_});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_TRUE(absl::StrContains(again.out, "Status: Image is up to date"))
      << again.out;

  RunResult digests =
      Cli({"inspect", "--format", "{{json .RepoDigests}}", ref_});
  EXPECT_EQ(digests.exit_code, 0) << digests.err;
  EXPECT_TRUE(absl::StrContains(digests.out, repo_ + "@sha256:"))
      << digests.out;
}

TEST_F(RegistryE2eTest, PullOfAMissingTagFails) {
  StartRegistry();
  ASSERT_NE(registry_, nullptr);
  TagAndPush();
  const std::string missing = repo_ + ":no-such-tag";
  RunResult pulled = Cli({"pull", missing});
  EXPECT_EQ(pulled.exit_code, 1) << pulled.out << pulled.err;
  // Docker's words, with the name as the user typed it.
  EXPECT_TRUE(absl::StrContains(
      pulled.err, "manifest for " + missing + " not found: manifest unknown"))
      << pulled.err;
  // An unknown repository too.
  RunResult unknown = Cli({"pull", host_ + "/ns/nothing:v1"});
  EXPECT_EQ(unknown.exit_code, 1) << unknown.out << unknown.err;
  EXPECT_NE(Cli({"inspect", missing}).exit_code, 0);
}

TEST_F(RegistryE2eTest, SearchFallsBackToTheCatalog) {
  StartRegistry();
  ASSERT_NE(registry_, nullptr);
  TagAndPush();
  RunResult searched = Cli({"search", host_ + "/app"});
  EXPECT_EQ(searched.exit_code, 0) << searched.out << searched.err;
  EXPECT_TRUE(absl::StrContains(searched.out, repo_)) << searched.out;
}

TEST_F(RegistryE2eTest, HtpasswdRegistryNeedsALogin) {
  StartRegistry(RegistryAuthMode::kHtpasswd);
  ASSERT_NE(registry_, nullptr);
  const std::string id = ImageId("busybox");
  ASSERT_EQ(Cli({"tag", "busybox", ref_}).exit_code, 0);

  RunResult refused = Cli({"push", ref_});
  EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
  EXPECT_TRUE(absl::StrContains(Lower(refused.out + refused.err), "login"))
      << refused.out << refused.err;

  RunResult login = Cli({"login", "-u", kUser, "-p", kPassword, host_});
  ASSERT_EQ(login.exit_code, 0) << login.out << login.err;
  EXPECT_TRUE(absl::StrContains(login.out, "Login Succeeded")) << login.out;
  struct stat st;
  ASSERT_EQ(stat(ConfigPath().c_str(), &st), 0) << ConfigPath();
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  nlohmann::json config =
      nlohmann::json::parse(ReadFile(ConfigPath()), nullptr, false);
  ASSERT_FALSE(config.is_discarded()) << ReadFile(ConfigPath());
  EXPECT_TRUE(config.contains("auths") && config["auths"].contains(host_))
      << config.dump();

  RunResult pushed = Cli({"push", ref_});
  EXPECT_EQ(pushed.exit_code, 0) << pushed.out << pushed.err;
  EXPECT_TRUE(absl::StrContains(pushed.out, "v1: digest: sha256:"))
      << pushed.out;
  RemoveLocal();
  ExpectPulled(Cli({"pull", ref_}));
  EXPECT_EQ(ImageId(ref_), id);

  RunResult logout = Cli({"logout", host_});
  EXPECT_EQ(logout.exit_code, 0) << logout.out << logout.err;
  config = nlohmann::json::parse(ReadFile(ConfigPath()), nullptr, false);
  if (!config.is_discarded() && config.contains("auths")) {
    EXPECT_FALSE(config["auths"].contains(host_)) << config.dump();
  }

  RunResult wrong = Cli({"login", "-u", kUser, "-p", "wrong-pass", host_});
  EXPECT_EQ(wrong.exit_code, 1) << wrong.out << wrong.err;
  EXPECT_FALSE(absl::StrContains(wrong.out, "Login Succeeded")) << wrong.out;
  config = nlohmann::json::parse(ReadFile(ConfigPath()), nullptr, false);
  if (!config.is_discarded() && config.contains("auths")) {
    EXPECT_FALSE(config["auths"].contains(host_)) << config.dump();
  }
}

TEST_F(RegistryE2eTest, RunPullsAnImageItDoesNotHave) {
  StartRegistry();
  ASSERT_NE(registry_, nullptr);
  const std::string id = TagAndPush();
  RemoveLocal();

  RunResult ran = Cli({"run", "--rm", ref_, "echo", "hi"});
  EXPECT_EQ(ran.exit_code, 0) << ran.out << ran.err;
  EXPECT_TRUE(absl::StrContains(ran.err, "Unable to find image")) << ran.err;
  EXPECT_TRUE(absl::StrContains(ran.out, "hi\n")) << ran.out;
  EXPECT_EQ(ImageId(ref_), id);
}

}  // namespace
}  // namespace berth::testing
