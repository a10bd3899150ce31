#include "services/containerd/security/capabilities.h"

#include <linux/capability.h>
#include <sys/prctl.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace berth::containerd::security {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

std::vector<int> Caps(const std::vector<std::string>& names) {
  std::vector<int> caps;
  for (const std::string& name : names) {
    absl::StatusOr<int> cap = CapabilityFromName(name);
    EXPECT_TRUE(cap.ok()) << cap.status();
    if (cap.ok()) caps.push_back(*cap);
  }
  std::sort(caps.begin(), caps.end());
  return caps;
}

TEST(CapabilityFromNameTest, AcceptsDockerSpellings) {
  for (const char* name : {"CAP_NET_ADMIN", "NET_ADMIN", "net_admin",
                           "cap_net_admin", "Cap_Net_Admin"}) {
    absl::StatusOr<int> cap = CapabilityFromName(name);
    ASSERT_TRUE(cap.ok()) << name << ": " << cap.status();
    EXPECT_EQ(*cap, CAP_NET_ADMIN) << name;
  }
  EXPECT_EQ(*CapabilityFromName("CHOWN"), CAP_CHOWN);
  EXPECT_EQ(*CapabilityFromName("CAP_AUDIT_READ"), CAP_AUDIT_READ);
  EXPECT_EQ(*CapabilityFromName("CAP_BPF"), 39);
  EXPECT_EQ(*CapabilityFromName("checkpoint_restore"), 40);
}

TEST(CapabilityFromNameTest, RejectsUnknownNames) {
  for (const char* name :
       {"CAP_FOO", "FOO", "", "CAP_", "ALL", "CAP_ALL", "NET_ADMIN "}) {
    absl::StatusOr<int> cap = CapabilityFromName(name);
    ASSERT_FALSE(cap.ok()) << name;
    EXPECT_EQ(cap.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(cap.status().message(),
              std::string("unknown capability \"") + name + "\"");
  }
}

TEST(CapabilityNamesTest, NamesWithPrefix) {
  EXPECT_THAT(CapabilityNames({CAP_CHOWN, CAP_SYS_ADMIN, 40, 63}),
              ElementsAre("CAP_CHOWN", "CAP_SYS_ADMIN",
                          "CAP_CHECKPOINT_RESTORE", "CAP_63"));
  for (int cap = 0; cap <= 40; ++cap) {
    EXPECT_EQ(*CapabilityFromName(CapabilityNames({cap})[0]), cap);
  }
}

TEST(LastCapabilityTest, MatchesProc) {
  std::ifstream file("/proc/sys/kernel/cap_last_cap");
  int expected = -1;
  file >> expected;
  EXPECT_EQ(LastCapability(), expected);
}

TEST(ContainerCapabilitiesTest, DockerDefaults) {
  absl::StatusOr<std::vector<int>> caps = ContainerCapabilities(false, {}, {});
  ASSERT_TRUE(caps.ok()) << caps.status();
  EXPECT_EQ(*caps,
            Caps({"CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD",
                  "NET_RAW", "SETGID", "SETUID", "SETFCAP", "SETPCAP",
                  "NET_BIND_SERVICE", "SYS_CHROOT", "KILL", "AUDIT_WRITE"}));
  EXPECT_EQ(*caps, DefaultCapabilities());
}

TEST(ContainerCapabilitiesTest, DropThenAdd) {
  absl::StatusOr<std::vector<int>> caps = ContainerCapabilities(
      false, {"net_admin", "CAP_SYS_PTRACE"}, {"MKNOD", "cap_net_raw"});
  ASSERT_TRUE(caps.ok()) << caps.status();
  std::vector<int> expected = DefaultCapabilities();
  expected.erase(
      std::remove_if(expected.begin(), expected.end(),
                     [](int c) { return c == CAP_MKNOD || c == CAP_NET_RAW; }),
      expected.end());
  expected.push_back(CAP_NET_ADMIN);
  expected.push_back(CAP_SYS_PTRACE);
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(*caps, expected);

  // Docker adds after dropping, so naming a cap in both keeps it.
  caps = ContainerCapabilities(false, {"CHOWN"}, {"CHOWN"});
  ASSERT_TRUE(caps.ok());
  EXPECT_THAT(*caps, Contains(CAP_CHOWN));
  // Duplicates collapse.
  caps = ContainerCapabilities(false, {"CHOWN", "cap_chown"}, {});
  ASSERT_TRUE(caps.ok());
  EXPECT_EQ(*caps, DefaultCapabilities());
}

TEST(ContainerCapabilitiesTest, DropAllKeepsOnlyAdded) {
  absl::StatusOr<std::vector<int>> caps =
      ContainerCapabilities(false, {"NET_BIND_SERVICE", "CHOWN"}, {"all"});
  ASSERT_TRUE(caps.ok()) << caps.status();
  EXPECT_THAT(*caps, ElementsAre(CAP_CHOWN, CAP_NET_BIND_SERVICE));
  caps = ContainerCapabilities(false, {}, {"ALL"});
  ASSERT_TRUE(caps.ok());
  EXPECT_TRUE(caps->empty());
}

std::vector<int> BoundingSet() {
  std::vector<int> caps;
  for (int cap = 0; cap <= LastCapability(); ++cap) {
    if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1) caps.push_back(cap);
  }
  return caps;
}

TEST(ContainerCapabilitiesTest, AddAllMinusDropped) {
  absl::StatusOr<std::vector<int>> caps =
      ContainerCapabilities(false, {"ALL"}, {"SYS_ADMIN", "NET_ADMIN"});
  ASSERT_TRUE(caps.ok()) << caps.status();
  std::vector<int> expected = BoundingSet();
  expected.erase(
      std::remove_if(
          expected.begin(), expected.end(),
          [](int c) { return c == CAP_SYS_ADMIN || c == CAP_NET_ADMIN; }),
      expected.end());
  EXPECT_EQ(*caps, expected);
  EXPECT_THAT(*caps, Not(Contains(CAP_SYS_ADMIN)));
  EXPECT_THAT(*caps, Contains(CAP_SYS_PTRACE));
}

TEST(ContainerCapabilitiesTest, PrivilegedGetsEverythingAvailable) {
  absl::StatusOr<std::vector<int>> caps =
      ContainerCapabilities(true, {}, {"ALL", "SYS_ADMIN"});
  ASSERT_TRUE(caps.ok()) << caps.status();
  EXPECT_EQ(*caps, BoundingSet());
  EXPECT_THAT(*caps, Contains(CAP_SYS_ADMIN));
  EXPECT_LE(caps->back(), LastCapability());
}

TEST(ContainerCapabilitiesTest, RejectsUnknownNames) {
  absl::StatusOr<std::vector<int>> caps =
      ContainerCapabilities(false, {"NET_ADMIN", "CAP_BOGUS"}, {});
  ASSERT_FALSE(caps.ok());
  EXPECT_EQ(caps.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(caps.status().message(), HasSubstr("\"CAP_BOGUS\""));
  caps = ContainerCapabilities(false, {}, {"bogus"});
  ASSERT_FALSE(caps.ok());
  EXPECT_THAT(caps.status().message(), HasSubstr("unknown capability"));
}

}  // namespace
}  // namespace berth::containerd::security
