#include "services/containerd/runtime/child.h"

#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/status_macros.h"
#include "common/unix_socket.h"
#include "services/containerd/runtime/exec.h"
#include "services/containerd/runtime/init.h"
#include "services/containerd/runtime/mounts.h"
#include "services/containerd/runtime/process_setup.h"
#include "services/containerd/runtime/report.h"
#include "services/containerd/runtime/user.h"
#include "services/containerd/runtime/userns.h"

namespace berth {
namespace containerd {
namespace runtime {
namespace {

absl::Status JoinNetns(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "open network namespace", path);
  int rc = setns(fd, CLONE_NEWNET);
  int err = errno;
  close(fd);
  if (rc != 0) return ErrnoStatus(err, "join network namespace", path);
  return absl::OkStatus();
}

// mkdir -p after pivot_root: "/" is the container's root, so symlinks and
// ".." resolve inside it. With a user namespace the directories it creates
// belong to the container's root (host ids `owner`).
absl::Status MakeWorkDir(const std::string& cwd, const std::optional<IdPair>& owner) {
  std::string path;
  for (absl::string_view part : absl::StrSplit(cwd, '/', absl::SkipEmpty())) {
    absl::StrAppend(&path, "/", part);
    if (mkdir(path.c_str(), 0755) == 0) {
      if (owner.has_value() && lchown(path.c_str(), owner->uid, owner->gid) != 0) {
        return ErrnoStatus(errno, "chown", path);
      }
    } else if (errno != EEXIST) {
      return ErrnoStatus(errno, "mkdir", path);
    }
  }
  struct stat st;
  if (stat(cwd.c_str(), &st) != 0) return ErrnoStatus(errno, "stat", cwd);
  if (!S_ISDIR(st.st_mode)) return ErrnoStatus(ENOTDIR, "working directory", cwd);
  return absl::OkStatus();
}

absl::Status SetNames(const InitSpec& spec) {
  if ((spec.clone_flags & CLONE_NEWUTS) == 0) return absl::OkStatus();
  if (!spec.hostname.empty() &&
      sethostname(spec.hostname.data(), spec.hostname.size()) != 0) {
    return ErrnoStatus(errno, "sethostname", spec.hostname);
  }
  if (!spec.domainname.empty() &&
      setdomainname(spec.domainname.data(), spec.domainname.size()) != 0) {
    return ErrnoStatus(errno, "setdomainname", spec.domainname);
  }
  return absl::OkStatus();
}

// The go arrives once on_created has put this process in its cgroup, so a
// namespace made now has that cgroup as its root: /proc/self/cgroup reads
// "/" and a cgroup mount shows the container's subtree only. It must come
// before PrepareRootfs mounts /sys/fs/cgroup, and while still the host's
// root (unshare needs CAP_SYS_ADMIN in the owning user namespace).
absl::Status EnterCgroupNamespace(const InitSpec& spec) {
  if ((spec.clone_flags & CLONE_NEWCGROUP) == 0) return absl::OkStatus();
  if (unshare(CLONE_NEWCGROUP) != 0) {
    return SetupError(ErrnoStatus(errno, "unshare", "CLONE_NEWCGROUP"),
                      "cgroup namespace");
  }
  return absl::OkStatus();
}

// Everything up to the exec. Returns the status that stops the start.
absl::Status SetUpAndExec(const InitSpec& spec, int error_fd, int userns_fd,
                          int console_fd) {
  if (setsid() < 0) return SetupError(ErrnoStatus(errno, "setsid", ""), "init");
  if (!spec.netns_path.empty()) {
    RETURN_IF_ERROR(SetupError(JoinNetns(spec.netns_path), "network"));
  }
  std::optional<IdPair> userns_root;
  if (userns_fd >= 0) {
    absl::StatusOr<uint32_t> uid = HostIdOfRoot(spec.uid_map);
    absl::StatusOr<uint32_t> gid = HostIdOfRoot(spec.gid_map);
    if (!uid.ok()) return SetupError(uid.status(), "user namespace");
    if (!gid.ok()) return SetupError(gid.status(), "user namespace");
    userns_root = IdPair{*uid, *gid};
    if ((spec.clone_flags & CLONE_NEWNET) != 0) {
      RETURN_IF_ERROR(SetupError(OpenNetworkToUserns(), "user namespace network"));
    }
  }
  RETURN_IF_ERROR(SetupError(PrepareRootfs(spec, userns_fd), "rootfs"));
  RETURN_IF_ERROR(SetupError(PivotIntoRootfs(spec.rootfs_dir), "rootfs"));
  if (spec.after_pivot_root) {
    RETURN_IF_ERROR(SetupError(spec.after_pivot_root(), "after pivot_root"));
  }
  if (spec.stdin_fd < 0) {
    // The /dev/null SetupFds opened is the host's, outside the new root
    // (/proc/self/fd/0 read "/null"): take the container's own.
    RETURN_IF_ERROR(SetupError(ReopenNullStdin(), "stdio"));
  }
  if (spec.tty) {
    RETURN_IF_ERROR(SetupError(SetUpConsole(console_fd, userns_root, spec.console_height, spec.console_width, /*bind_console=*/true), "tty"));
  }
  const std::string cwd = spec.cwd.empty() ? "/" : spec.cwd;
  RETURN_IF_ERROR(SetupError(MakeWorkDir(cwd, userns_root), "working directory"));
  if (spec.readonly_rootfs) {
    RETURN_IF_ERROR(SetupError(MakeRootReadOnly(), "read-only rootfs"));
  }
  RETURN_IF_ERROR(SetupError(SetNames(spec), "hostname"));
  RETURN_IF_ERROR(SetupError(SetRlimits(spec.rlimits), "rlimits"));
  // Last, as everything above needs the host's root: from here on the
  // process is root in the container's user namespace only.
  if (userns_fd >= 0) {
    RETURN_IF_ERROR(SetupError(JoinUserNamespace(userns_fd), "user namespace"));
    close(userns_fd);
  }

  ASSIGN_OR_RETURN(const ExecUser user,
                   BecomeUser(spec.user, spec.group_add, cwd));

  std::string hostname = spec.hostname;
  if (hostname.empty()) {
    char buffer[HOST_NAME_MAX + 1] = {};
    if (gethostname(buffer, sizeof(buffer) - 1) == 0) hostname = buffer;
  }
  const std::vector<std::string> env = BuildEnv(spec.env, hostname, user.home, spec.tty);
  ASSIGN_OR_RETURN(std::string path, LookPath(spec.args[0], env));
  if (spec.before_exec) {
    RETURN_IF_ERROR(SetupError(spec.before_exec(), "before exec"));
  }
  if (spec.run_init) RunInit(path, spec.args, env, error_fd);
  return Exec(path, spec.args, env);
}

}  // namespace

void RunContainerChild(const InitSpec& spec, int sync_fd, int error_fd,
                       int userns_fd) {
  int console_fd = spec.console_socket;
  StartChild(spec.stdin_fd, spec.stdout_fd, spec.stderr_fd, &sync_fd,
             &error_fd, {&userns_fd, &console_fd}, 125);
  absl::Status status = EnterCgroupNamespace(spec);
  if (status.ok()) status = SetUpAndExec(spec, error_fd, userns_fd, console_fd);
  ReportError(error_fd, status);
  _exit(ExitCodeForStartError(status));
}

}  // namespace runtime
}  // namespace containerd
}  // namespace berth
