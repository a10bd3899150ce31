// Seccomp filters for a container's processes: Docker's default profile and
// Docker's JSON profile format, compiled with libseccomp.
//
// A filter is built before fork and installed by the container's init. The
// kernel accepts a filter only from a process that set no_new_privs or holds
// CAP_SYS_ADMIN, so the init confines itself in one of two orders (after
// namespaces, mounts, pivot_root, MaskPaths and MakeReadonly):
//
//  with no_new_privileges (as runc, loading as late as possible):
//    prctl(PR_SET_KEEPCAPS, 1); setgroups, setgid, setuid;
//    ApplyCapabilities; SetNoNewPrivileges; filter.Load(); execve.
//  without (Docker's default), load while still privileged:
//    filter.Load(); prctl(PR_SET_KEEPCAPS, 1); setgroups, setgid, setuid;
//    ApplyCapabilities; execve.
//
// Every profile must then allow what follows the load (setuid, capset,
// prctl, execve); Docker's default profile does.
#ifndef BERTH_SERVICES_CONTAINERD_SECURITY_SECCOMP_H_
#define BERTH_SERVICES_CONTAINERD_SECURITY_SECCOMP_H_

#include <linux/filter.h>

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace berth::containerd::security {

namespace internal {
struct Profile;
}  // namespace internal

// A compiled seccomp BPF program. libseccomp runs only while building it, so
// Load() neither allocates nor calls into libseccomp on success: it is safe
// in a child forked from a multi-threaded daemon.
class SeccompFilter {
 public:
  SeccompFilter(SeccompFilter&&) = default;
  SeccompFilter& operator=(SeccompFilter&&) = default;
  SeccompFilter(const SeccompFilter&) = delete;
  SeccompFilter& operator=(const SeccompFilter&) = delete;

  // Installs the filter on the calling thread, for good: it is inherited by
  // every child and survives exec. Needs no_new_privs (SetNoNewPrivileges)
  // or CAP_SYS_ADMIN, else FAILED_PRECONDITION. Does not set no_new_privs
  // itself (Docker does not either unless asked to).
  absl::Status Load() const;

  // Number of BPF instructions, for logs and tests.
  size_t size() const { return program_.size(); }

  // The compiled program as bytes (flags, then the instructions), so a
  // filter compiled once can be handed to many inits; Parse reverses it.
  std::string Serialize() const;
  static absl::StatusOr<SeccompFilter> Parse(absl::string_view bytes);

 private:
  friend absl::StatusOr<SeccompFilter> CompileProfile(
      const internal::Profile& profile);
  SeccompFilter(std::vector<sock_filter> program, unsigned int flags)
      : program_(std::move(program)), flags_(flags) {}

  std::vector<sock_filter> program_;
  unsigned int flags_ = 0;  // SECCOMP_FILTER_FLAG_*
};

// Docker's default profile for a container holding `caps`: every syscall not
// allowed fails with EPERM. Allowed: the syscalls ordinary programs use (on
// x86_64 also for 32-bit x86 and x32 binaries); socket except AF_VSOCK;
// personality with the usual values only; clone without namespace flags, and
// clone3 fails with ENOSYS so libc falls back to clone. Capabilities unlock
// more, e.g. CAP_SYS_ADMIN mount/unshare/setns/clone with namespace flags,
// CAP_SYS_PTRACE ptrace/process_vm_*, CAP_SYS_CHROOT chroot. Never allowed:
// keyctl, add_key, request_key, userfaultfd, kexec_*, ...
// Unlike Docker since 19.03, ptrace is allowed only with CAP_SYS_PTRACE.
absl::StatusOr<SeccompFilter> DefaultSeccompProfile(
    const std::vector<int>& caps);

// A profile in Docker's JSON format (what `--security-opt seccomp=FILE`
// reads): defaultAction, defaultErrnoRet, architectures or archMap, flags,
// syscalls[] {name|names, action, errnoRet, args[] {index, value, valueTwo,
// op}, includes/excludes {caps, arches, minKernel}}. Rules are selected for
// `caps`, the native architecture and the running kernel as Docker does;
// syscall names libseccomp does not know are skipped, as Docker does.
// INVALID_ARGUMENT naming the field for bad JSON, unknown actions, operators,
// architectures, flags or capabilities, and for SCMP_ACT_NOTIFY (berth has no
// seccomp agent). "unconfined" is the caller's business: it loads no filter.
absl::StatusOr<SeccompFilter> SeccompProfileFromJson(
    absl::string_view json, const std::vector<int>& caps);

}  // namespace berth::containerd::security

#endif  // BERTH_SERVICES_CONTAINERD_SECURITY_SECCOMP_H_
