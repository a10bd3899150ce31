// Internal to //services/containerd/security: a seccomp profile after the
// capability/architecture/kernel conditions were resolved, and its
// compilation with libseccomp.
#ifndef BERTH_SERVICES_CONTAINERD_SECURITY_SECCOMP_PROFILE_H_
#define BERTH_SERVICES_CONTAINERD_SECURITY_SECCOMP_PROFILE_H_

#include <seccomp.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/containerd/security/seccomp.h"

namespace berth::containerd::security {
namespace internal {

struct ArgRule {
  unsigned int index = 0;  // 0..5
  scmp_compare op = SCMP_CMP_EQ;
  uint64_t value = 0;      // for SCMP_CMP_MASKED_EQ: the mask
  uint64_t value_two = 0;  // for SCMP_CMP_MASKED_EQ: the masked value
};

struct SyscallRule {
  std::vector<std::string> names;
  uint32_t action = SCMP_ACT_ALLOW;
  // All must match; if two name the same argument, each becomes a rule of
  // its own (any may match), as runc does, since libseccomp takes one
  // comparison per argument and rule.
  std::vector<ArgRule> args;
};

struct Profile {
  uint32_t default_action = SCMP_ACT_ERRNO(1);
  std::vector<uint32_t> arches;  // SCMP_ARCH_*; the native one is implied
  std::vector<SyscallRule> rules;
  unsigned int flags = 0;  // SECCOMP_FILTER_FLAG_* for Load()
};

// The native architecture and those whose binaries it also runs (x86_64:
// x86 and x32), as Docker's archMap has it.
std::vector<uint32_t> NativeArchesWithCompat();

}  // namespace internal

// INVALID_ARGUMENT if libseccomp rejects a rule or architecture.
absl::StatusOr<SeccompFilter> CompileProfile(const internal::Profile& profile);

}  // namespace berth::containerd::security

#endif  // BERTH_SERVICES_CONTAINERD_SECURITY_SECCOMP_PROFILE_H_
