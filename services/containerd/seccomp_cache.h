// SeccompCache: compiled seccomp programs by (mode, capabilities, profile).
// Compiling Docker's default profile takes milliseconds; containers with the
// same confinement share one compilation, and the shim only loads the bytes.
#ifndef BERTH_SERVICES_CONTAINERD_SECCOMP_CACHE_H_
#define BERTH_SERVICES_CONTAINERD_SECCOMP_CACHE_H_

#include <map>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "services/containerd/shim/spec.h"

namespace berth::containerd {

class SeccompCache {
 public:
  // The serialized filter for `spec` (seccomp mode DEFAULT or PROFILE);
  // INVALID_ARGUMENT for a bad profile.
  absl::StatusOr<std::string> Compiled(const shim::ShimSpec& spec);

 private:
  static constexpr size_t kMaxEntries = 64;
  absl::Mutex mu_;
  std::map<std::string, std::string> compiled_ ABSL_GUARDED_BY(mu_);
};

}  // namespace berth::containerd

#endif  // BERTH_SERVICES_CONTAINERD_SECCOMP_CACHE_H_
