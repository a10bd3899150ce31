// Linux capabilities of a container's processes, with Docker's semantics for
// --privileged, --cap-add and --cap-drop.
#ifndef BERTH_SERVICES_CONTAINERD_SECURITY_CAPABILITIES_H_
#define BERTH_SERVICES_CONTAINERD_SECURITY_CAPABILITIES_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace berth::containerd::security {

// The capability number for "CAP_NET_ADMIN", "NET_ADMIN", "net_admin", ...
// INVALID_ARGUMENT `unknown capability "X"` for anything else (including
// "ALL", which only ContainerCapabilities understands).
absl::StatusOr<int> CapabilityFromName(absl::string_view name);

// "CAP_CHOWN", ... in the order given; numbers Berth has no name for become
// "CAP_<number>".
std::vector<std::string> CapabilityNames(const std::vector<int>& caps);

// The highest capability number the running kernel knows
// (/proc/sys/kernel/cap_last_cap).
int LastCapability();

// Docker's default set: CHOWN, DAC_OVERRIDE, FSETID, FOWNER, MKNOD, NET_RAW,
// SETGID, SETUID, SETFCAP, SETPCAP, NET_BIND_SERVICE, SYS_CHROOT, KILL,
// AUDIT_WRITE. Sorted.
std::vector<int> DefaultCapabilities();

// The capabilities of a container, sorted and without duplicates, as Docker
// computes them:
//  - privileged: every capability the kernel knows that this process still
//    has in its bounding set (as Podman does: a daemon that itself runs with
//    a reduced bounding set, e.g. nested in another container, cannot grant
//    more); cap_add and cap_drop are ignored;
//  - "ALL" in cap_add: that same full set minus cap_drop;
//  - otherwise "ALL" in cap_drop: exactly cap_add;
//  - otherwise the default set minus cap_drop, plus cap_add.
// Names are matched as CapabilityFromName does. INVALID_ARGUMENT for unknown
// names and for capabilities the running kernel does not support.
absl::StatusOr<std::vector<int>> ContainerCapabilities(
    bool privileged, const std::vector<std::string>& cap_add,
    const std::vector<std::string>& cap_drop);

// Confines the calling process to `caps`. Called in the container's init
// after it switched to the container's user (with prctl(PR_SET_KEEPCAPS, 1)
// before setuid so the permitted set survives) and right before exec:
//  - the bounding set becomes `caps`;
//  - the ambient and inheritable sets become empty (Docker leaves them empty
//    since CVE-2022-24769);
//  - root_user (uid 0 in the container): permitted and effective become
//    `caps`; the kernel gives uid 0 its bounding set again at exec, so the
//    program runs with exactly `caps`;
//  - other users: permitted and effective become empty, as they would at
//    exec anyway; only the bounding set matters (setuid/file-cap binaries).
// FAILED_PRECONDITION naming the capabilities if the process does not hold
// one of `caps` itself (a cap cannot be granted that berth does not have).
absl::Status ApplyCapabilities(const std::vector<int>& caps, bool root_user);

// Makes the effective set equal the permitted one. After setuid to a
// non-root user with PR_SET_KEEPCAPS the effective set is empty; raising it
// again lets the init load seccomp (which needs CAP_SYS_ADMIN without
// no_new_privs) before ApplyCapabilities confines it.
absl::Status RaiseEffectiveCapabilities();

// prctl(PR_SET_NO_NEW_PRIVS): exec can no longer grant privileges (setuid
// bits, file capabilities), and seccomp filters may be loaded without
// CAP_SYS_ADMIN. Irreversible, inherited by children.
absl::Status SetNoNewPrivileges();

}  // namespace berth::containerd::security

#endif  // BERTH_SERVICES_CONTAINERD_SECURITY_CAPABILITIES_H_
