#include "services/containerd/seccomp_cache.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "services/containerd/security/capabilities.h"
#include "services/containerd/security/seccomp.h"

namespace berth::containerd {

absl::StatusOr<std::string> SeccompCache::Compiled(const shim::ShimSpec& spec) {
  const ::berth::shim::v1::Confinement& confinement = spec.confinement();
  const bool profile =
      confinement.seccomp() == ::berth::shim::v1::SECCOMP_MODE_PROFILE;
  const std::string key = absl::StrCat(
      profile ? "profile" : "default", "\n",
      absl::StrJoin(confinement.capabilities().items(), ","), "\n",
      confinement.seccomp_profile_json());
  {
    absl::MutexLock lock(&mu_);
    auto it = compiled_.find(key);
    if (it != compiled_.end()) return it->second;
  }
  std::vector<int> caps;
  for (const std::string& name : confinement.capabilities().items()) {
    ASSIGN_OR_RETURN(int cap, security::CapabilityFromName(name));
    caps.push_back(cap);
  }
  absl::StatusOr<security::SeccompFilter> filter =
      profile ? security::SeccompProfileFromJson(
                    confinement.seccomp_profile_json(), caps)
              : security::DefaultSeccompProfile(caps);
  if (!filter.ok()) return filter.status();
  std::string bytes = filter->Serialize();
  absl::MutexLock lock(&mu_);
  if (compiled_.size() >= kMaxEntries) compiled_.clear();
  compiled_[key] = bytes;
  return bytes;
}

}  // namespace berth::containerd
