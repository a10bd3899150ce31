// Picks the driver for the host's cgroup layout.
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/status_macros.h"
#include "services/containerd/cgroups/cgroup_fs.h"
#include "services/containerd/cgroups/drivers.h"

namespace berth::containerd::cgroups {
namespace {

// The v1 controllers a container joins and limits.
constexpr const char* kV1Controllers[] = {"blkio",  "cpu",     "cpuacct",
                                          "cpuset", "devices", "freezer",
                                          "memory", "pids"};

// Hierarchies without controllers that a v1 container still joins (see
// cgroups.h): the key names them in the driver's map, the value is the
// directory under the mount root and the filesystem it must hold.
struct ExtraHierarchy {
  const char* key;
  const char* dir;
  long magic;  // statfs's f_type
};
constexpr ExtraHierarchy kV1Extras[] = {
    {"name=systemd", "systemd", CGROUP_SUPER_MAGIC},
    {"unified", "unified", CGROUP2_SUPER_MAGIC},
};

}  // namespace

absl::StatusOr<std::string> DefaultCgroupnsMode(const std::string& mount_root) {
  struct statfs fs;
  if (statfs(mount_root.c_str(), &fs) != 0) {
    if (errno == ENOENT) return std::string("host");
    return Annotate(ErrnoStatus(errno, "statfs", mount_root),
                    "choosing the default cgroup namespace mode");
  }
  return std::string(fs.f_type == CGROUP2_SUPER_MAGIC ? "private" : "host");
}

// "berth", "/berth" and "a/b/" are accepted; "", "..", "a//b" are not.
absl::StatusOr<std::string> NormalizeCgroupParent(const std::string& parent) {
  absl::string_view view = parent;
  absl::ConsumePrefix(&view, "/");
  absl::ConsumeSuffix(&view, "/");
  bool valid = !view.empty();
  for (absl::string_view part : absl::StrSplit(view, '/')) {
    if (part.empty() || part == "." || part == "..") valid = false;
  }
  if (!valid) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid cgroup parent \"", parent,
                     "\": expected a relative path such as \"berth\""));
  }
  return std::string(view);
}

absl::StatusOr<std::unique_ptr<CgroupDriver>> DetectCgroupDriver(
    const std::string& parent, const std::string& mount_root) {
  ASSIGN_OR_RETURN(std::string normalized, NormalizeCgroupParent(parent));
  struct statfs fs;
  if (statfs(mount_root.c_str(), &fs) != 0) {
    return Annotate(ErrnoStatus(errno, "statfs", mount_root),
                    "detecting the cgroup layout");
  }
  if (fs.f_type == CGROUP2_SUPER_MAGIC) {
    return internal::NewV2Driver(normalized, mount_root);
  }
  std::map<std::string, std::string> hierarchies;
  for (const char* controller : kV1Controllers) {
    std::string path = absl::StrCat(mount_root, "/", controller);
    // statfs follows the "cpu -> cpu,cpuacct" symlinks of co-mounts.
    if (statfs(path.c_str(), &fs) != 0 || fs.f_type != CGROUP_SUPER_MAGIC) {
      continue;
    }
    char resolved[PATH_MAX];
    if (realpath(path.c_str(), resolved) == nullptr) {
      return ErrnoStatus(errno, "realpath", path);
    }
    hierarchies[controller] = resolved;
  }
  if (!hierarchies.empty()) {
    for (const ExtraHierarchy& extra : kV1Extras) {
      std::string path = absl::StrCat(mount_root, "/", extra.dir);
      if (statfs(path.c_str(), &fs) == 0 && fs.f_type == extra.magic) {
        hierarchies[extra.key] = path;
      }
    }
  }
  if (hierarchies.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "no cgroup hierarchy is mounted at ", mount_root,
        ": expected a cgroup2 mount or cgroup v1 controllers such as ",
        mount_root, "/memory"));
  }
  return internal::NewV1Driver(normalized, std::move(hierarchies));
}

}  // namespace berth::containerd::cgroups
