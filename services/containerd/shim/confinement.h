// The container's confinement as the shim applies it to every process it
// starts in the container (the init and each exec): capabilities,
// no_new_privs and seccomp, prepared once in the shim (the seccomp filter
// is compiled before any clone) and applied in the child right before its
// exec.
#ifndef BERTH_SERVICES_CONTAINERD_SHIM_CONFINEMENT_H_
#define BERTH_SERVICES_CONTAINERD_SHIM_CONFINEMENT_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/containerd/security/seccomp.h"
#include "services/containerd/shim/spec.h"

namespace berth::containerd::shim {

struct Confinement {
  std::vector<int> capabilities;
  std::optional<security::SeccompFilter> seccomp;
  bool no_new_privileges = false;
};

// From the spec's confinement; an unknown capability or seccomp mode is an
// error (never a default).
absl::StatusOr<Confinement> PrepareConfinement(const ShimSpec& spec);

// Whether Docker's -u `user` is the container's root (uid 0 by number or
// name, any group).
bool IsRootUser(const std::string& user);

// In the child after its user switch: seccomp needs no_new_privs or
// CAP_SYS_ADMIN to load, so with no_new_privs it is loaded last (as runc
// does), otherwise first, while the process still holds its capabilities.
// `capabilities` replaces the confinement's own (an exec --privileged).
absl::Status ApplyConfinement(const Confinement& confinement,
                              const std::vector<int>& capabilities,
                              bool root_user);

}  // namespace berth::containerd::shim

#endif  // BERTH_SERVICES_CONTAINERD_SHIM_CONFINEMENT_H_
