#include "services/containerd/runtime/userns.h"

#include <fcntl.h>
#include <linux/mount.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/fs_util.h"
#include "common/status_macros.h"

namespace berth {
namespace containerd {
namespace runtime {
namespace {

absl::Status WriteProcFile(const std::string& path, const std::string& data) {
  int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "open", path);
  ssize_t n = write(fd, data.data(), data.size());
  int err = errno;
  close(fd);
  if (n != static_cast<ssize_t>(data.size())) {
    return ErrnoStatus(n < 0 ? err : EIO, "write", path);
  }
  return absl::OkStatus();
}

}  // namespace

std::string FormatIdMap(const std::vector<IdMap>& map) {
  std::string out;
  for (const IdMap& m : map) {
    absl::StrAppend(&out, m.container_id, " ", m.host_id, " ", m.size, "\n");
  }
  return out;
}

absl::StatusOr<uint32_t> HostIdOfRoot(const std::vector<IdMap>& map) {
  for (const IdMap& m : map) {
    if (m.container_id == 0 && m.size > 0) return m.host_id;
  }
  return absl::NotFoundError("container id 0 is not mapped");
}

absl::Status ValidateIdMap(const std::vector<IdMap>& map, const char* what) {
  if (map.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("no ", what, " mapping"));
  }
  std::vector<IdMap> sorted = map;
  std::sort(sorted.begin(), sorted.end(), [](const IdMap& a, const IdMap& b) {
    return a.container_id < b.container_id;
  });
  for (size_t i = 0; i < sorted.size(); ++i) {
    const IdMap& m = sorted[i];
    const std::string text =
        absl::StrCat(what, " mapping ", m.container_id, ":", m.host_id, ":", m.size);
    if (m.size == 0) {
      return absl::InvalidArgumentError(absl::StrCat(text, ": size must be positive"));
    }
    if (uint64_t{m.container_id} + m.size > UINT32_MAX ||
        uint64_t{m.host_id} + m.size > UINT32_MAX) {
      return absl::InvalidArgumentError(absl::StrCat(text, ": range overflows 32 bits"));
    }
    if (i > 0 && uint64_t{sorted[i - 1].container_id} + sorted[i - 1].size >
                     m.container_id) {
      return absl::InvalidArgumentError(
          absl::StrCat(text, ": overlaps another ", what, " mapping"));
    }
  }
  if (!HostIdOfRoot(map).ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the ", what, " mappings must map container id 0 (the container's root)"));
  }
  return absl::OkStatus();
}

absl::StatusOr<int> CreateUserNamespace(const std::vector<IdMap>& uid_map,
                                        const std::vector<IdMap>& gid_map) {
  int ready[2];
  int release[2];
  if (pipe2(ready, O_CLOEXEC) != 0) return ErrnoStatus(errno, "pipe", "userns");
  if (pipe2(release, O_CLOEXEC) != 0) {
    int err = errno;
    close(ready[0]);
    close(ready[1]);
    return ErrnoStatus(err, "pipe", "userns");
  }
  pid_t helper = fork();
  if (helper < 0) {
    int err = errno;
    for (int fd : {ready[0], ready[1], release[0], release[1]}) close(fd);
    return ErrnoStatus(err, "fork", "user namespace helper");
  }
  if (helper == 0) {
    close(ready[0]);
    close(release[1]);
    const char ok = unshare(CLONE_NEWUSER) == 0 ? 1 : 0;
    if (write(ready[1], &ok, 1) != 1) _exit(1);
    char byte;
    // Holds the namespace until the parent has opened it (EOF).
    while (read(release[0], &byte, 1) < 0 && errno == EINTR) {
    }
    _exit(0);
  }
  close(ready[1]);
  close(release[0]);
  char ok = 0;
  ssize_t n;
  do {
    n = read(ready[0], &ok, 1);
  } while (n < 0 && errno == EINTR);
  close(ready[0]);
  absl::StatusOr<int> result;
  if (n != 1 || ok != 1) {
    result = absl::InternalError("user namespace helper could not unshare CLONE_NEWUSER");
  } else {
    const std::string proc = absl::StrCat("/proc/", helper);
    absl::Status mapped = WriteProcFile(proc + "/uid_map", FormatIdMap(uid_map));
    if (mapped.ok()) mapped = WriteProcFile(proc + "/gid_map", FormatIdMap(gid_map));
    if (!mapped.ok()) {
      result = Annotate(mapped, "write the user namespace's id maps");
    } else {
      int fd = open((proc + "/ns/user").c_str(), O_RDONLY | O_CLOEXEC);
      result = fd >= 0 ? absl::StatusOr<int>(fd)
                       : ErrnoStatus(errno, "open", proc + "/ns/user");
    }
  }
  close(release[1]);
  while (waitpid(helper, nullptr, 0) < 0 && errno == EINTR) {
  }
  return result;
}

absl::StatusOr<std::string> IdmapLowerDirs(const std::string& overlay_options,
                                           int userns_fd, std::vector<int>* fds) {
  std::vector<std::string> options = absl::StrSplit(overlay_options, ',');
  bool found = false;
  for (std::string& option : options) {
    if (option.rfind("lowerdir=", 0) != 0) continue;
    found = true;
    std::vector<std::string> layers;
    for (absl::string_view layer :
         absl::StrSplit(absl::string_view(option).substr(9), ':')) {
      const std::string path(layer);
      int fd = static_cast<int>(syscall(SYS_open_tree, AT_FDCWD, path.c_str(),
                                        OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC));
      if (fd < 0) return ErrnoStatus(errno, "open_tree (clone)", path);
      fds->push_back(fd);
      struct mount_attr attr = {};
      attr.attr_set = MOUNT_ATTR_IDMAP;
      attr.userns_fd = static_cast<uint64_t>(userns_fd);
      if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH, &attr, sizeof(attr)) != 0) {
        return ErrnoStatus(errno, "idmap (mount_setattr)", path);
      }
      layers.push_back(absl::StrCat("/proc/self/fd/", fd));
    }
    option = absl::StrCat("lowerdir=", absl::StrJoin(layers, ":"));
  }
  if (!found) {
    return absl::InvalidArgumentError(absl::StrCat(
        "overlay options without lowerdir: \"", overlay_options, "\""));
  }
  return absl::StrJoin(options, ",");
}

absl::Status OpenNetworkToUserns() {
  RETURN_IF_ERROR(
      WriteProcFile("/proc/sys/net/ipv4/ip_unprivileged_port_start", "0"));
  return WriteProcFile("/proc/sys/net/ipv4/ping_group_range", "0 2147483647");
}

absl::Status JoinUserNamespace(int userns_fd) {
  if (setns(userns_fd, CLONE_NEWUSER) != 0) {
    return ErrnoStatus(errno, "setns", "the container's user namespace");
  }
  return absl::OkStatus();
}

}  // namespace runtime
}  // namespace containerd
}  // namespace berth
