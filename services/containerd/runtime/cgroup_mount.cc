#include "services/containerd/runtime/cgroup_mount.h"

#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/fs_util.h"
#include "common/status_macros.h"
#include "services/containerd/runtime/mount_util.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

namespace berth {
namespace containerd {
namespace runtime {
namespace {

constexpr char kCgroupRoot[] = "/sys/fs/cgroup";
constexpr unsigned long kCgroupFlags = MS_NOSUID | MS_NODEV | MS_NOEXEC;

struct Hierarchy {
  std::string mount_point;  // e.g. /sys/fs/cgroup/cpu
  std::string root;         // the mount's root within the hierarchy
  bool v2 = false;
  std::vector<std::string> options;  // superblock options (controllers...)
};

bool IsOption(const std::vector<std::string>& options, absl::string_view name) {
  for (const std::string& option : options) {
    if (option == name) return true;
  }
  return false;
}

// The cgroup mounts directly under /sys/fs/cgroup in /proc/self/mountinfo.
absl::StatusOr<std::vector<Hierarchy>> HostHierarchies() {
  ASSIGN_OR_RETURN(std::string mountinfo, ReadFileToString("/proc/self/mountinfo"));
  std::vector<Hierarchy> result;
  for (absl::string_view line : absl::StrSplit(mountinfo, '\n', absl::SkipEmpty())) {
    // id parent dev root mountpoint options [optional...] - fstype source super
    std::vector<std::string> fields = absl::StrSplit(line, ' ');
    size_t dash = 0;
    while (dash < fields.size() && fields[dash] != "-") ++dash;
    if (fields.size() < 5 || dash + 3 >= fields.size()) continue;
    const std::string& fstype = fields[dash + 1];
    if (fstype != "cgroup" && fstype != "cgroup2") continue;
    const std::string& mount_point = fields[4];
    if (!absl::StartsWith(mount_point, absl::StrCat(kCgroupRoot, "/"))) continue;
    if (mount_point.find('/', sizeof(kCgroupRoot)) != std::string::npos) continue;
    Hierarchy hierarchy;
    hierarchy.mount_point = mount_point;
    hierarchy.root = fields[3];
    hierarchy.v2 = fstype == "cgroup2";
    hierarchy.options = absl::StrSplit(fields[dash + 3], ',');
    result.push_back(std::move(hierarchy));
  }
  return result;
}

// The process's cgroup path in `hierarchy`, from /proc/self/cgroup lines
// "id:controllers:path"; "" if none matches.
std::string OwnCgroupPath(const std::string& proc_cgroup, const Hierarchy& hierarchy) {
  for (absl::string_view line : absl::StrSplit(proc_cgroup, '\n', absl::SkipEmpty())) {
    std::vector<absl::string_view> fields = absl::StrSplit(line, absl::MaxSplits(':', 2));
    if (fields.size() != 3) continue;
    if (hierarchy.v2) {
      if (fields[0] == "0" && fields[1].empty()) return std::string(fields[2]);
      continue;
    }
    if (fields[1].empty()) continue;
    bool all = true;
    for (absl::string_view controller : absl::StrSplit(fields[1], ',')) {
      if (!IsOption(hierarchy.options, controller)) all = false;
    }
    if (all) return std::string(fields[2]);
  }
  return "";
}

// The options naming a v1 hierarchy: its controllers or name=.
std::string V1MountData(const Hierarchy& hierarchy) {
  static constexpr const char* kGeneric[] = {
      "rw", "ro", "xattr", "noprefix", "clone_children", "cpuset_v2_mode",
      "favordynmods", "nsdelegate", "memory_localevents", "memory_recursiveprot"};
  std::vector<std::string> wanted;
  for (const std::string& option : hierarchy.options) {
    bool generic = absl::StartsWith(option, "release_agent=");
    for (const char* name : kGeneric) generic = generic || option == name;
    if (!generic) wanted.push_back(option);
  }
  return absl::StrJoin(wanted, ",");
}

}  // namespace

absl::Status MountCgroups(const std::string& root, bool new_cgroupns, bool read_only) {
  const unsigned long ro = read_only ? MS_RDONLY : 0;
  struct statfs fs;
  if (statfs(kCgroupRoot, &fs) != 0) {
    if (errno == ENOENT) return absl::OkStatus();  // no cgroups on this host
    return ErrnoStatus(errno, "statfs", kCgroupRoot);
  }
  if (fs.f_type == CGROUP2_SUPER_MAGIC) {
    return MountInRoot(root, kCgroupRoot, "cgroup", "cgroup2", kCgroupFlags | ro, "",
                       TargetKind::kDirectory)
        .status();
  }

  ASSIGN_OR_RETURN(std::vector<Hierarchy> hierarchies, HostHierarchies());
  ASSIGN_OR_RETURN(std::string proc_cgroup, ReadFileToString("/proc/self/cgroup"));
  ASSIGN_OR_RETURN(std::string dir,
                   MountInRoot(root, kCgroupRoot, "tmpfs", "tmpfs", kCgroupFlags,
                               "mode=755", TargetKind::kDirectory));
  for (const Hierarchy& hierarchy : hierarchies) {
    const std::string name = hierarchy.mount_point.substr(sizeof(kCgroupRoot));
    const std::string target = absl::StrCat(dir, "/", name);
    std::string source;
    if (!new_cgroupns) {
      std::string path = OwnCgroupPath(proc_cgroup, hierarchy);
      if (path.empty()) continue;
      if (hierarchy.root != "/") {
        if (!absl::StartsWith(path, hierarchy.root)) continue;
        path = path.substr(hierarchy.root.size());
      }
      source = absl::StrCat(hierarchy.mount_point, path);
      struct stat st;
      if (stat(source.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) continue;
    }
    if (mkdir(target.c_str(), 0755) != 0 && errno != EEXIST) {
      return ErrnoStatus(errno, "mkdir", target);
    }
    if (new_cgroupns) {
      const char* type = hierarchy.v2 ? "cgroup2" : "cgroup";
      const std::string data = hierarchy.v2 ? "" : V1MountData(hierarchy);
      if (mount("cgroup", target.c_str(), type, kCgroupFlags | ro,
                data.empty() ? nullptr : data.c_str()) != 0) {
        return ErrnoStatus(errno, absl::StrCat("mount ", type, " (", data, ") on"),
                           target);
      }
    } else {
      if (mount(source.c_str(), target.c_str(), nullptr, MS_BIND, nullptr) != 0) {
        return ErrnoStatus(errno, absl::StrCat("mount ", source, " (bind) on"), target);
      }
      RETURN_IF_ERROR(RemountBind(target, read_only, kCgroupFlags));
    }
  }
  if (read_only) RETURN_IF_ERROR(RemountBind(dir, true, kCgroupFlags));
  return absl::OkStatus();
}

}  // namespace runtime
}  // namespace containerd
}  // namespace berth
