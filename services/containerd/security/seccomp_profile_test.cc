// Building profiles; loading them is in seccomp_test (needs root).
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/containerd/security/capabilities.h"
#include "services/containerd/security/seccomp.h"

namespace berth::containerd::security {
namespace {

using ::testing::HasSubstr;

TEST(DefaultSeccompProfileTest, Compiles) {
  absl::StatusOr<SeccompFilter> plain =
      DefaultSeccompProfile(DefaultCapabilities());
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_GT(plain->size(), 100u);
  absl::StatusOr<std::vector<int>> all = ContainerCapabilities(true, {}, {});
  ASSERT_TRUE(all.ok());
  absl::StatusOr<SeccompFilter> privileged = DefaultSeccompProfile(*all);
  ASSERT_TRUE(privileged.ok()) << privileged.status();
  EXPECT_NE(privileged->size(), plain->size());
}

TEST(SeccompProfileFromJsonTest, AcceptsDockerFormat) {
  const char* profile = R"({
    "defaultAction": "SCMP_ACT_ERRNO",
    "defaultErrnoRet": 1,
    "archMap": [
      {"architecture": "SCMP_ARCH_X86_64",
       "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"]},
      {"architecture": "SCMP_ARCH_AARCH64",
       "subArchitectures": ["SCMP_ARCH_ARM"]},
      {"architecture": "SCMP_ARCH_RISCV64", "subArchitectures": null}
    ],
    "flags": ["SECCOMP_FILTER_FLAG_SPEC_ALLOW"],
    "syscalls": [
      {"names": ["read", "write", "no_such_syscall_anywhere"],
       "action": "SCMP_ACT_ALLOW", "comment": "ignored"},
      {"name": "socket", "action": "SCMP_ACT_ALLOW",
       "args": [{"index": 0, "value": 40, "op": "SCMP_CMP_NE"}]},
      {"names": ["personality"], "action": "SCMP_ACT_ALLOW",
       "args": [{"index": 0, "value": 0, "op": "SCMP_CMP_EQ"},
                {"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]},
      {"names": ["clone"], "action": "SCMP_ACT_ALLOW",
       "args": [{"index": 0, "value": 2114060288, "valueTwo": 0,
                 "op": "SCMP_CMP_MASKED_EQ"}],
       "excludes": {"caps": ["CAP_SYS_ADMIN"], "arches": ["s390x"]}},
      {"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38},
      {"names": ["ptrace"], "action": "SCMP_ACT_ALLOW",
       "includes": {"minKernel": "4.8"}},
      {"names": ["kill"], "action": "SCMP_ACT_KILL_PROCESS"},
      {"names": ["tkill"], "action": "SCMP_ACT_TRAP"},
      {"names": ["tgkill"], "action": "SCMP_ACT_LOG"},
      {"names": ["vhangup"], "action": "SCMP_ACT_TRACE", "errnoRet": 7}
    ]
  })";
  absl::StatusOr<SeccompFilter> filter =
      SeccompProfileFromJson(profile, DefaultCapabilities());
  ASSERT_TRUE(filter.ok()) << filter.status();
  EXPECT_GT(filter->size(), 10u);

  filter = SeccompProfileFromJson(
      R"({"defaultAction": "SCMP_ACT_ALLOW",
          "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"]})",
      {});
  ASSERT_TRUE(filter.ok()) << filter.status();
}

struct BadProfile {
  const char* json;
  const char* message;  // expected in the error
};

TEST(SeccompProfileFromJsonTest, RejectsBadProfilesNamingTheProblem) {
  const BadProfile kBad[] = {
      {"{", "not valid JSON"},
      {"[]", "must be a JSON object"},
      {"{}", "defaultAction: is missing"},
      {R"({"defaultAction": 5})", "defaultAction: must be a string"},
      {R"({"defaultAction": "SCMP_ACT_FOO"})",
       "defaultAction: unknown action \"SCMP_ACT_FOO\""},
      {R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
           {"names": ["mkdir"], "action": "SCMP_ACT_DENY"}]})",
       "syscalls[0].action: unknown action \"SCMP_ACT_DENY\""},
      {R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
           {"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"}]})",
       "seccomp agent"},
      {R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
           {"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": -1}]})",
       "syscalls[0].errnoRet: must be a non-negative integer"},
      {R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
           {"names": "mkdir", "action": "SCMP_ACT_ERRNO"}]})",
       "syscalls[0].names: must be an array of strings"},
      {R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
           {"name": "mkdir", "names": ["rmdir"], "action": "SCMP_ACT_ERRNO"}]})",
       "either \"name\" or \"names\""},
      {R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
           {"action": "SCMP_ACT_ERRNO"}]})",
       "syscalls[0]: needs \"names\""},
      {R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
           {"names": ["mkdir"], "action": "SCMP_ACT_ERRNO",
            "args": [{"index": 6, "value": 1, "op": "SCMP_CMP_EQ"}]}]})",
       "syscalls[0].args[0].index: must be 0..5"},
      {R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
           {"names": ["mkdir"], "action": "SCMP_ACT_ERRNO",
            "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_ABOUT"}]}]})",
       "syscalls[0].args[0].op: unknown operator \"SCMP_CMP_ABOUT\""},
      {R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
           {"names": ["mkdir"], "action": "SCMP_ACT_ERRNO",
            "includes": {"caps": ["CAP_MAGIC"]}}]})",
       "syscalls[0].includes.caps: unknown capability \"CAP_MAGIC\""},
      {R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
           {"names": ["mkdir"], "action": "SCMP_ACT_ERRNO",
            "includes": {"minKernel": "new"}}]})",
       "syscalls[0].includes.minKernel: \"new\" is not a kernel version"},
      {R"({"defaultAction": "SCMP_ACT_ALLOW",
           "architectures": ["SCMP_ARCH_VAX"]})",
       "architectures: unknown architecture \"SCMP_ARCH_VAX\""},
      {R"({"defaultAction": "SCMP_ACT_ALLOW",
           "architectures": ["SCMP_ARCH_X86_64"],
           "archMap": [{"architecture": "SCMP_ARCH_X86_64"}]})",
       "either \"architectures\" or \"archMap\""},
      {R"({"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FAST"]})",
       "flags: unknown flag \"SECCOMP_FAST\""},
      {R"({"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "/run/agent"})",
       "listenerPath"},
  };
  for (const BadProfile& bad : kBad) {
    absl::StatusOr<SeccompFilter> filter =
        SeccompProfileFromJson(bad.json, DefaultCapabilities());
    ASSERT_FALSE(filter.ok()) << bad.json;
    EXPECT_EQ(filter.status().code(), absl::StatusCode::kInvalidArgument)
        << filter.status();
    EXPECT_THAT(filter.status().message(), HasSubstr(bad.message)) << bad.json;
  }
}

TEST(SeccompFilterTest, SerializeRoundTrips) {
  absl::StatusOr<SeccompFilter> filter =
      DefaultSeccompProfile(DefaultCapabilities());
  ASSERT_TRUE(filter.ok()) << filter.status();
  const std::string bytes = filter->Serialize();
  absl::StatusOr<SeccompFilter> parsed = SeccompFilter::Parse(bytes);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->size(), filter->size());
  EXPECT_EQ(parsed->Serialize(), bytes);
  EXPECT_FALSE(SeccompFilter::Parse("").ok());
  EXPECT_FALSE(SeccompFilter::Parse(bytes.substr(0, bytes.size() - 1)).ok());
}

TEST(SeccompFilterTest, MovedFromFilterRefusesToLoad) {
  absl::StatusOr<SeccompFilter> filter =
      SeccompProfileFromJson(R"({"defaultAction": "SCMP_ACT_LOG"})", {});
  ASSERT_TRUE(filter.ok()) << filter.status();
  SeccompFilter moved = std::move(*filter);
  EXPECT_GT(moved.size(), 0u);
  EXPECT_EQ(filter->Load().code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace berth::containerd::security
