// ProjectQuota: what the Snapshotter needs of the kernel to cap a writable
// layer (`--storage-opt size=`). A directory is put in a filesystem
// "project" (an id stored in its inode, inherited by everything created
// below it) and the project's blocks get a hard limit, so every write into
// the layer counts, whoever makes it and whatever its uid. An interface so
// the Snapshotter's bookkeeping is tested without a quota-enabled
// filesystem (testing/fake_project_quota.h); the kernel's is
// project_quota_linux.cc.
#ifndef BERTH_SERVICES_IMAGED_QUOTA_PROJECT_QUOTA_H_
#define BERTH_SERVICES_IMAGED_QUOTA_PROJECT_QUOTA_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace berth::imaged {

class ProjectQuota {
 public:
  virtual ~ProjectQuota() = default;

  // OK when the filesystem holding `dir` enforces project quotas.
  // FAILED_PRECONDITION otherwise, saying what filesystem `dir` is on and
  // what it would need.
  virtual absl::Status CheckSupported(const std::string& dir) = 0;
  // The project id `dir` itself carries (0 when none was set).
  virtual absl::StatusOr<uint32_t> ProjectOf(const std::string& dir) = 0;
  // Puts `dir` in project `id`, marked so that what is created below it
  // inherits the project, and limits the project to `bytes` (rounded up to
  // the kernel's 1 KiB quota blocks) on `dir`'s filesystem.
  virtual absl::Status Set(const std::string& dir, uint32_t id,
                           uint64_t bytes) = 0;
  // Removes the limits of project `id` on the filesystem holding `dir`, so
  // a later user of the id starts without them.
  virtual absl::Status Clear(const std::string& dir, uint32_t id) = 0;
};

// Project quotas through FS_IOC_FSSETXATTR and quotactl_fd(2) (Linux 5.14+),
// on ext4 (features quota and project, mounted prjquota) and xfs (mounted
// pquota).
std::unique_ptr<ProjectQuota> NewLinuxProjectQuota();

}  // namespace berth::imaged

#endif  // BERTH_SERVICES_IMAGED_QUOTA_PROJECT_QUOTA_H_
