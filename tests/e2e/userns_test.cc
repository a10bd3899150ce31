// End to end: containers in their own user namespace (`--userns private`,
// `--uidmap`/`--gidmap`) through the real CLI and berthd.
#include <sys/stat.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/berth_env.h"
#include "tests/support/busybox.h"

namespace berth::testing {
namespace {

using ::testing::HasSubstr;

class UsernsE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    berthd_ = env_.StartDaemon(kBerthd);
    ASSERT_TRUE(env_.WaitHealthy({"imaged", "containerd", "netd", "volumed"}));
    RunResult imported = env_.Berth({"import", MakeBusyboxTar(env_.dir()), "busybox"});
    ASSERT_EQ(imported.exit_code, 0) << imported.err;
  }

  RunResult Run(std::vector<std::string> flags, const std::string& script) {
    std::vector<std::string> args = {"run", "--rm"};
    args.insert(args.end(), flags.begin(), flags.end());
    args.insert(args.end(), {"busybox", "sh", "-c", script});
    return env_.Berth(args);
  }

  BerthEnv env_;
  std::unique_ptr<Daemon> berthd_;
};

TEST_F(UsernsE2eTest, PrivateNamespaceMapsRootAndKeepsTheImageUsable) {
  // Without the option there is no user namespace: the identity map.
  RunResult host = Run({}, "cat /proc/self/uid_map");
  EXPECT_THAT(host.out, HasSubstr("0          0 4294967295"));

  // The daemon's default range; image files (owned by host root) show as the
  // container's root, which can write its root filesystem and work dir.
  RunResult run = Run({"--userns", "private", "-w", "/srv/app"},
                      "cat /proc/self/uid_map /proc/self/gid_map; id -u; "
                      "stat -c %u:%g /bin/busybox; touch /new && stat -c %u /new; "
                      "stat -c %u .; echo x > /etc/hostname && echo wrote");
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out,
            "         0     100000      65536\n"
            "         0     100000      65536\n"
            "0\n0:0\n0\n0\nwrote\n");

  // Another user in the container is not root on root's files.
  RunResult user = Run({"--userns", "private", "-u", "1000"},
                       "touch /etc/passwd || echo denied");
  EXPECT_THAT(user.out, HasSubstr("denied"));
}

TEST_F(UsernsE2eTest, ProcessesRunAsTheMappedHostIds) {
  RunResult started = env_.Berth({"run", "-d", "--name", "mapped", "--uidmap",
                                  "0:300000:65536", "busybox", "sleep", "60"});
  ASSERT_EQ(started.exit_code, 0) << started.err;
  const std::string pid = std::string(absl::StripAsciiWhitespace(
      env_.Berth({"inspect", "-f", "{{.State.Pid}}", "mapped"}).out));
  const std::string status = ReadFile(absl::StrCat("/proc/", pid, "/status"));
  EXPECT_THAT(status, HasSubstr("Uid:\t300000\t300000\t300000\t300000"));
  EXPECT_THAT(status, HasSubstr("Gid:\t300000\t300000\t300000\t300000"));
  EXPECT_EQ(std::string(absl::StripAsciiWhitespace(
                env_.Berth({"inspect", "-f", "{{.HostConfig.UsernsMode}}",
                            "mapped"}).out)),
            "private");
  // The top of its writable layer belongs to the mapped root on the host.
  const std::string upper = std::string(absl::StripAsciiWhitespace(
      env_.Berth({"inspect", "-f", "{{.GraphDriver.Data.UpperDir}}", "mapped"})
          .out));
  struct stat st;
  ASSERT_EQ(stat(upper.c_str(), &st), 0) << upper;
  EXPECT_EQ(st.st_uid, 300000u);
  EXPECT_EQ(st.st_gid, 300000u);
  EXPECT_EQ(env_.Berth({"rm", "-f", "mapped"}).exit_code, 0);
}

TEST_F(UsernsE2eTest, BadCombinationsExit125) {
  RunResult privileged = Run({"--userns", "private", "--privileged"}, "true");
  EXPECT_EQ(privileged.exit_code, 125);
  EXPECT_THAT(privileged.err, HasSubstr("privileged mode is incompatible"));
  RunResult unmapped_root = Run({"--uidmap", "5:300000:10"}, "true");
  EXPECT_EQ(unmapped_root.exit_code, 125);
  EXPECT_THAT(unmapped_root.err, HasSubstr("must map container id 0"));
  RunResult bad_mode = Run({"--userns", "shared"}, "true");
  EXPECT_EQ(bad_mode.exit_code, 125);
  EXPECT_THAT(bad_mode.err, HasSubstr("--userns"));
  RunResult host_net = Run({"--userns", "private", "--network", "host"}, "true");
  EXPECT_EQ(host_net.exit_code, 125);
}

}  // namespace
}  // namespace berth::testing
