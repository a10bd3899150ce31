#include "services/containerd/shim/confinement.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/fs_util.h"
#include "common/status_macros.h"
#include "services/containerd/security/capabilities.h"
#include "services/containerd/shim/protocol.h"

namespace berth::containerd::shim {

absl::StatusOr<Confinement> PrepareConfinement(const ShimSpec& spec) {
  const ::berth::shim::v1::Confinement& wanted = spec.confinement();
  Confinement confinement;
  confinement.no_new_privileges = wanted.no_new_privileges();
  for (const std::string& name : wanted.capabilities().items()) {
    ASSIGN_OR_RETURN(int cap, security::CapabilityFromName(name));
    confinement.capabilities.push_back(cap);
  }
  switch (wanted.seccomp()) {
    case ::berth::shim::v1::SECCOMP_MODE_DEFAULT: {
      ASSIGN_OR_RETURN(confinement.seccomp, security::DefaultSeccompProfile(
                                                confinement.capabilities));
      break;
    }
    case ::berth::shim::v1::SECCOMP_MODE_PROFILE: {
      ASSIGN_OR_RETURN(confinement.seccomp,
                       security::SeccompProfileFromJson(
                           wanted.seccomp_profile_json(),
                           confinement.capabilities));
      break;
    }
    case ::berth::shim::v1::SECCOMP_MODE_COMPILED: {
      ASSIGN_OR_RETURN(std::string bytes,
                       ReadFileToString(absl::StrCat(spec.state_dir(), "/",
                                                     kSeccompFile),
                                        16 << 20));
      ASSIGN_OR_RETURN(confinement.seccomp,
                       security::SeccompFilter::Parse(bytes));
      break;
    }
    case ::berth::shim::v1::SECCOMP_MODE_UNCONFINED:
      break;
    default:
      // ValidateShimSpec refused it already; never run unconfined by default.
      return absl::InvalidArgumentError(
          absl::StrCat("unknown seccomp mode ", wanted.seccomp()));
  }
  return confinement;
}

bool IsRootUser(const std::string& user) {
  return user.empty() || user == "0" || absl::StartsWith(user, "0:") ||
         user == "root" || absl::StartsWith(user, "root:");
}

absl::Status ApplyConfinement(const Confinement& confinement,
                              const std::vector<int>& capabilities,
                              bool root_user) {
  if (confinement.no_new_privileges) {
    RETURN_IF_ERROR(security::ApplyCapabilities(capabilities, root_user));
    RETURN_IF_ERROR(security::SetNoNewPrivileges());
    if (confinement.seccomp.has_value()) {
      RETURN_IF_ERROR(confinement.seccomp->Load());
    }
    return absl::OkStatus();
  }
  if (confinement.seccomp.has_value()) {
    RETURN_IF_ERROR(security::RaiseEffectiveCapabilities());
    RETURN_IF_ERROR(confinement.seccomp->Load());
  }
  return security::ApplyCapabilities(capabilities, root_user);
}

}  // namespace berth::containerd::shim
