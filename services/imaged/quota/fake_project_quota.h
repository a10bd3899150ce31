// A ProjectQuota for unit tests: remembers which directory is in which
// project with what limit, and can be told the filesystem has no project
// quotas or that a call fails.
#ifndef BERTH_SERVICES_IMAGED_QUOTA_FAKE_PROJECT_QUOTA_H_
#define BERTH_SERVICES_IMAGED_QUOTA_FAKE_PROJECT_QUOTA_H_

#include <cstdint>
#include <map>
#include <string>

#include "services/imaged/quota/project_quota.h"

namespace berth::imaged::testing {

class FakeProjectQuota final : public ProjectQuota {
 public:
  absl::Status CheckSupported(const std::string& dir) override {
    ++checks;
    if (supported) return absl::OkStatus();
    return absl::FailedPreconditionError(dir + " is on tmpfs");
  }
  absl::StatusOr<uint32_t> ProjectOf(const std::string& dir) override {
    auto it = dir_projects.find(dir);
    return it == dir_projects.end() ? 0 : it->second;
  }
  absl::Status Set(const std::string& dir, uint32_t id,
                   uint64_t bytes) override {
    if (!set_error.ok()) return set_error;
    dir_projects[dir] = id;
    limits[id] = bytes;
    return absl::OkStatus();
  }
  absl::Status Clear(const std::string& dir, uint32_t id) override {
    (void)dir;
    if (!clear_error.ok()) return clear_error;
    limits.erase(id);
    ++clears;
    return absl::OkStatus();
  }

  bool supported = true;
  absl::Status set_error;
  absl::Status clear_error;
  int checks = 0;
  int clears = 0;
  std::map<std::string, uint32_t> dir_projects;  // dir -> project
  std::map<uint32_t, uint64_t> limits;           // project -> bytes
};

}  // namespace berth::imaged::testing

#endif  // BERTH_SERVICES_IMAGED_QUOTA_FAKE_PROJECT_QUOTA_H_
