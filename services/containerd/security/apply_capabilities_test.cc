// ApplyCapabilities and SetNoNewPrivileges in forked children, checked
// through /proc/self/status of a program they exec. Needs root.
#include <grp.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/containerd/security/capabilities.h"
#include "services/containerd/security/test_util.h"

namespace berth::containerd::security {
namespace {

using testing::CapHex;
using testing::ChildResult;
using testing::ExecBusybox;
using testing::RunInChild;
using testing::StatusField;

constexpr uid_t kNobody = 65534;

// The container init's steps up to exec: keep caps across setuid, switch to
// `uid`, confine.
int SwitchUserAndApply(uid_t uid, const std::vector<int>& caps) {
  CHILD_CHECK(prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) == 0, 2, "keepcaps");
  CHILD_CHECK(setgroups(0, nullptr) == 0, 3, "setgroups");
  CHILD_CHECK(setresgid(uid, uid, uid) == 0, 4, "setgid");
  CHILD_CHECK(setresuid(uid, uid, uid) == 0, 5, "setuid");
  absl::Status status = ApplyCapabilities(caps, uid == 0);
  CHILD_CHECK(status.ok(), 6, status.ToString());
  return 0;
}

class ApplyCapabilitiesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root";
  }
};

TEST_F(ApplyCapabilitiesTest, RootKeepsExactlyTheSetThroughExec) {
  const std::vector<int> caps = DefaultCapabilities();
  ChildResult child = RunInChild([&] {
    int rc = SwitchUserAndApply(0, caps);
    if (rc != 0) return rc;
    return ExecBusybox({"cat", "/proc/self/status"});
  });
  ASSERT_EQ(child.exit_code, 0) << child.output;
  EXPECT_EQ(StatusField(child.output, "CapEff"), CapHex(caps));
  EXPECT_EQ(StatusField(child.output, "CapPrm"), CapHex(caps));
  EXPECT_EQ(StatusField(child.output, "CapBnd"), CapHex(caps));
  EXPECT_EQ(StatusField(child.output, "CapInh"), CapHex({}));
  EXPECT_EQ(StatusField(child.output, "CapAmb"), CapHex({}));
}

TEST_F(ApplyCapabilitiesTest, RootBeforeExecHoldsTheSet) {
  const std::vector<int> caps = {CAP_CHOWN, CAP_NET_BIND_SERVICE};
  ChildResult child = RunInChild([&] {
    int rc = SwitchUserAndApply(0, caps);
    if (rc != 0) return rc;
    // Without CAP_SYS_ADMIN, root cannot set the hostname.
    CHILD_CHECK(sethostname("x", 1) != 0 && errno == EPERM, 10, "sethostname");
    return ExecBusybox({"cat", "/proc/self/status"});
  });
  ASSERT_EQ(child.exit_code, 0) << child.output;
  EXPECT_EQ(StatusField(child.output, "CapEff"), CapHex(caps));
  EXPECT_EQ(StatusField(child.output, "CapBnd"), CapHex(caps));
}

TEST_F(ApplyCapabilitiesTest, OtherUsersGetOnlyTheBoundingSet) {
  const std::vector<int> caps = DefaultCapabilities();
  ChildResult child = RunInChild([&] {
    int rc = SwitchUserAndApply(kNobody, caps);
    if (rc != 0) return rc;
    return ExecBusybox({"sh", "-c", "id -u; cat /proc/self/status"});
  });
  ASSERT_EQ(child.exit_code, 0) << child.output;
  EXPECT_THAT(child.output, ::testing::StartsWith("65534\n"));
  EXPECT_EQ(StatusField(child.output, "CapEff"), CapHex({}));
  EXPECT_EQ(StatusField(child.output, "CapPrm"), CapHex({}));
  EXPECT_EQ(StatusField(child.output, "CapInh"), CapHex({}));
  EXPECT_EQ(StatusField(child.output, "CapAmb"), CapHex({}));
  EXPECT_EQ(StatusField(child.output, "CapBnd"), CapHex(caps));
}

TEST_F(ApplyCapabilitiesTest, PrivilegedSetApplies) {
  absl::StatusOr<std::vector<int>> caps = ContainerCapabilities(true, {}, {});
  ASSERT_TRUE(caps.ok()) << caps.status();
  ChildResult child = RunInChild([&] {
    int rc = SwitchUserAndApply(0, *caps);
    if (rc != 0) return rc;
    return ExecBusybox({"cat", "/proc/self/status"});
  });
  ASSERT_EQ(child.exit_code, 0) << child.output;
  EXPECT_EQ(StatusField(child.output, "CapEff"), CapHex(*caps));
  EXPECT_EQ(StatusField(child.output, "CapBnd"), CapHex(*caps));
}

TEST_F(ApplyCapabilitiesTest, CannotGrantWhatTheProcessLacks) {
  ChildResult child = RunInChild([&] {
    absl::Status status = ApplyCapabilities({CAP_CHOWN}, true);
    CHILD_CHECK(status.ok(), 2, status.ToString());
    status = ApplyCapabilities({CAP_CHOWN, CAP_NET_ADMIN}, true);
    CHILD_CHECK(status.code() == absl::StatusCode::kFailedPrecondition, 3,
                status.ToString());
    CHILD_CHECK(absl::StrContains(status.message(), "CAP_NET_ADMIN"), 4,
                status.ToString());
    status = ApplyCapabilities({64}, true);
    CHILD_CHECK(status.code() == absl::StatusCode::kInvalidArgument, 5,
                status.ToString());
    return 0;
  });
  EXPECT_EQ(child.exit_code, 0) << child.output;
}

TEST_F(ApplyCapabilitiesTest, NoNewPrivilegesSurvivesExec) {
  ChildResult child = RunInChild([&] {
    CHILD_CHECK(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 0, 2, "initial");
    absl::Status status = SetNoNewPrivileges();
    CHILD_CHECK(status.ok(), 3, status.ToString());
    CHILD_CHECK(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1, 4, "after");
    return ExecBusybox({"cat", "/proc/self/status"});
  });
  ASSERT_EQ(child.exit_code, 0) << child.output;
  EXPECT_EQ(StatusField(child.output, "NoNewPrivs"), "1");
}

}  // namespace
}  // namespace berth::containerd::security
