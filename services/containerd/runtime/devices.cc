#include "services/containerd/runtime/devices.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "services/containerd/runtime/mount_util.h"
#include "services/containerd/runtime/secure_path.h"

namespace berth {
namespace containerd {
namespace runtime {
namespace {

struct DeviceNode {
  const char* name;
  unsigned major;
  unsigned minor;
};

// The nodes every container gets (runc's default devices), mode 0666.
constexpr DeviceNode kDefaultDevices[] = {
    {"null", 1, 3},    {"zero", 1, 5},    {"full", 1, 7},
    {"random", 1, 8},  {"urandom", 1, 9}, {"tty", 5, 0},
};

// Creates the device node `path` like `host_path` (type, mode, rdev, owner).
// If mknod is not allowed (no CAP_MKNOD, a user namespace), bind-mounts the
// host's node onto an empty file instead.
absl::Status MakeNode(const std::string& path, const std::string& host_path,
                      mode_t mode, dev_t rdev, uid_t uid, gid_t gid) {
  if (mknod(path.c_str(), mode, rdev) == 0) {
    if (chmod(path.c_str(), mode & 07777) != 0) return ErrnoStatus(errno, "chmod", path);
    if (chown(path.c_str(), uid, gid) != 0) return ErrnoStatus(errno, "chown", path);
    return absl::OkStatus();
  }
  if (errno == EEXIST) return absl::OkStatus();
  if (errno != EPERM) return ErrnoStatus(errno, "mknod", path);
  int fd = open(path.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0666);
  if (fd < 0) return ErrnoStatus(errno, "create", path);
  close(fd);
  if (mount(host_path.c_str(), path.c_str(), nullptr, MS_BIND, nullptr) != 0) {
    return ErrnoStatus(errno, absl::StrCat("mount ", host_path, " (bind) on"), path);
  }
  return absl::OkStatus();
}

bool SkippedHostEntry(const std::string& name, bool is_dir) {
  // Like Docker's --privileged: every host device except the ones the
  // container gets its own instance of, and the host's console.
  if (is_dir) {
    return name == "pts" || name == "shm" || name == "fd" || name == "mqueue" ||
           name == ".lxc" || name == ".lxd-mounts" || name == ".udev";
  }
  // ptmx becomes a symlink to the container's own devpts instance.
  return name == "console" || name == "ptmx";
}

// Copies every device node under the host directory `host_dir` into `dir`.
absl::Status CopyHostDevices(const std::string& host_dir, const std::string& dir,
                             int depth) {
  if (depth > 8) return absl::OkStatus();
  DIR* d = opendir(host_dir.c_str());
  if (d == nullptr) return ErrnoStatus(errno, "opendir", host_dir);
  std::vector<std::string> names;
  while (struct dirent* entry = readdir(d)) {
    std::string name = entry->d_name;
    if (name != "." && name != "..") names.push_back(std::move(name));
  }
  closedir(d);
  for (const std::string& name : names) {
    const std::string host_path = absl::StrCat(host_dir, "/", name);
    const std::string path = absl::StrCat(dir, "/", name);
    struct stat st;
    if (lstat(host_path.c_str(), &st) != 0) continue;  // vanished meanwhile
    if (S_ISDIR(st.st_mode)) {
      if (SkippedHostEntry(name, true)) continue;
      if (mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) {
        return ErrnoStatus(errno, "mkdir", path);
      }
      RETURN_IF_ERROR(CopyHostDevices(host_path, path, depth + 1));
    } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
      if (SkippedHostEntry(name, false)) continue;
      RETURN_IF_ERROR(MakeNode(path, host_path, st.st_mode, st.st_rdev, st.st_uid,
                               st.st_gid));
    }
  }
  return absl::OkStatus();
}

absl::Status Symlink(const std::string& target, const std::string& path) {
  if (symlink(target.c_str(), path.c_str()) != 0 && errno != EEXIST) {
    return ErrnoStatus(errno, absl::StrCat("symlink ", target, " at"), path);
  }
  return absl::OkStatus();
}

// A `--device` node at its path inside `root`, resolved there (parents made
// as directories), like the host's node it names.
absl::Status MakeMappedNode(const std::string& root, const DeviceNodeMapping& device) {
  struct stat st;
  if (stat(device.host_path.c_str(), &st) != 0) {
    return ErrnoStatus(errno, "stat device", device.host_path);
  }
  if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "error gathering device information while adding custom device \"",
        device.host_path, "\": not a device node"));
  }
  ASSIGN_OR_RETURN(std::string rel, ResolveInRoot(root, device.container_path));
  const size_t slash = rel.rfind('/');
  if (slash != std::string::npos) {
    RETURN_IF_ERROR(
        OpenOrCreateInRoot(root, rel.substr(0, slash), TargetKind::kDirectory)
            .status());
  }
  const std::string path = absl::StrCat(root, "/", rel);
  // A node of the image or of the standard set at that path is replaced.
  if (unlink(path.c_str()) != 0 && errno != ENOENT) {
    return ErrnoStatus(errno, "unlink", path);
  }
  return MakeNode(path, device.host_path, st.st_mode, st.st_rdev, st.st_uid,
                  st.st_gid);
}

}  // namespace

absl::Status SetupDev(const std::string& root, bool privileged,
                      const std::vector<DeviceNodeMapping>& devices) {
  ASSIGN_OR_RETURN(std::string dev,
                   MountInRoot(root, "/dev", "tmpfs", "tmpfs",
                               MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k",
                               TargetKind::kDirectory));
  const mode_t old_umask = umask(0);
  absl::Status status = [&]() -> absl::Status {
    for (const DeviceNode& node : kDefaultDevices) {
      RETURN_IF_ERROR(MakeNode(absl::StrCat(dev, "/", node.name),
                               absl::StrCat("/dev/", node.name), S_IFCHR | 0666,
                               makedev(node.major, node.minor), 0, 0));
    }
    if (privileged) RETURN_IF_ERROR(CopyHostDevices("/dev", dev, 0));
    for (const DeviceNodeMapping& device : devices) {
      RETURN_IF_ERROR(Annotate(MakeMappedNode(root, device),
                               absl::StrCat("device ", device.host_path, " at ",
                                            device.container_path)));
    }
    return absl::OkStatus();
  }();
  umask(old_umask);
  RETURN_IF_ERROR(status);

  RETURN_IF_ERROR(MountInRoot(root, "/dev/pts", "devpts", "devpts",
                              MS_NOSUID | MS_NOEXEC,
                              "newinstance,ptmxmode=0666,mode=0620,gid=5",
                              TargetKind::kDirectory)
                      .status());
  RETURN_IF_ERROR(MountInRoot(root, "/dev/shm", "shm", "tmpfs",
                              MS_NOSUID | MS_NODEV | MS_NOEXEC,
                              "mode=1777,size=65536k", TargetKind::kDirectory)
                      .status());
  RETURN_IF_ERROR(MountInRoot(root, "/dev/mqueue", "mqueue", "mqueue",
                              MS_NOSUID | MS_NODEV | MS_NOEXEC, "",
                              TargetKind::kDirectory)
                      .status());

  RETURN_IF_ERROR(Symlink("pts/ptmx", dev + "/ptmx"));
  RETURN_IF_ERROR(Symlink("/proc/self/fd", dev + "/fd"));
  RETURN_IF_ERROR(Symlink("/proc/self/fd/0", dev + "/stdin"));
  RETURN_IF_ERROR(Symlink("/proc/self/fd/1", dev + "/stdout"));
  RETURN_IF_ERROR(Symlink("/proc/self/fd/2", dev + "/stderr"));
  if (access("/proc/kcore", F_OK) == 0) {
    RETURN_IF_ERROR(Symlink("/proc/kcore", dev + "/core"));
  }
  return absl::OkStatus();
}

}  // namespace runtime
}  // namespace containerd
}  // namespace berth
