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
#include "services/containerd/runtime/report.h"
#include "services/containerd/runtime/user.h"
#include "services/containerd/runtime/userns.h"

namespace berth {
namespace containerd {
namespace runtime {
namespace {

// Setup errors keep their message but never look like a failed exec:
// NotFound and PermissionDenied are reserved for the command itself (127/126).
absl::Status SetupError(const absl::Status& status, absl::string_view stage) {
  if (status.ok()) return status;
  absl::StatusCode code = status.code();
  if (code == absl::StatusCode::kNotFound || code == absl::StatusCode::kPermissionDenied) {
    code = absl::StatusCode::kFailedPrecondition;
  }
  return absl::Status(code, absl::StrCat(stage, ": ", status.message()));
}

struct IdPair {
  uint32_t uid;
  uint32_t gid;
};

void CloseRange(unsigned first, unsigned last) {
  if (first <= last) close_range(first, last, 0);
}

// Makes the caller's fds (or /dev/null) 0, 1 and 2, moves the `kept` fds
// (-1s are skipped) above them and closes every other fd.
absl::Status SetupFds(const InitSpec& spec, std::vector<int*> kept) {
  for (int* fd : kept) {
    if (*fd < 0) continue;
    *fd = fcntl(*fd, F_DUPFD_CLOEXEC, 3);
    if (*fd < 0) return ErrnoStatus(errno, "dup", "the init's own fds");
  }
  const int wanted[3] = {spec.stdin_fd, spec.stdout_fd, spec.stderr_fd};
  int moved[3];
  for (int i = 0; i < 3; ++i) {
    int fd = wanted[i];
    bool opened = false;
    if (fd < 0) {
      fd = open("/dev/null", (i == 0 ? O_RDONLY : O_WRONLY) | O_CLOEXEC);
      if (fd < 0) return ErrnoStatus(errno, "open", "/dev/null");
      opened = true;
    }
    moved[i] = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    if (moved[i] < 0) return ErrnoStatus(errno, "dup", absl::StrCat("fd ", fd));
    if (opened) close(fd);
  }
  for (int i = 0; i < 3; ++i) {
    if (dup2(moved[i], i) < 0) return ErrnoStatus(errno, "dup2", absl::StrCat("fd ", i));
  }
  std::vector<unsigned> keep;
  for (int* fd : kept) {
    if (*fd >= 0) keep.push_back(static_cast<unsigned>(*fd));
  }
  std::sort(keep.begin(), keep.end());
  unsigned next = 3;
  for (unsigned fd : keep) {
    if (fd > next) CloseRange(next, fd - 1);
    next = fd + 1;
  }
  CloseRange(next, UINT_MAX);
  return absl::OkStatus();
}

// The container's terminal, from its own devpts: 0, 1 and 2 and the
// controlling terminal become its slave (/dev/pts/0), bound onto
// /dev/console too; the master goes to the shim over `socket`. In a user
// namespace the slave belongs to the container's root.
absl::Status SetUpConsole(int socket, const std::optional<IdPair>& owner,
                          unsigned height, unsigned width) {
  const int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0) return ErrnoStatus(errno, "open", "/dev/ptmx");
  auto fail = [master](absl::Status status) {
    close(master);
    return status;
  };
  char name[64];
  if (unlockpt(master) != 0 || ptsname_r(master, name, sizeof(name)) != 0) {
    return fail(ErrnoStatus(errno, "unlock", "/dev/ptmx"));
  }
  const int slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0) return fail(ErrnoStatus(errno, "open", name));
  if (height > 0 && width > 0) {
    // Before the command runs, so its first look at the size is right.
    winsize size = {};
    size.ws_row = static_cast<unsigned short>(height);
    size.ws_col = static_cast<unsigned short>(width);
    if (ioctl(slave, TIOCSWINSZ, &size) != 0) {
      const int err = errno;
      close(slave);
      return fail(ErrnoStatus(err, "set the size of", name));
    }
  }
  if (owner.has_value() && fchown(slave, owner->uid, owner->gid) != 0) {
    const int err = errno;
    close(slave);
    return fail(ErrnoStatus(err, "chown", name));
  }
  // /dev is the container's own tmpfs: an empty file to bind the terminal on.
  const int console = open("/dev/console", O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (console >= 0) close(console);
  if (console < 0 || mount(name, "/dev/console", nullptr, MS_BIND, nullptr) != 0) {
    const int err = errno;
    close(slave);
    return fail(ErrnoStatus(err, "bind the terminal onto", "/dev/console"));
  }
  for (int fd = 0; fd < 3; ++fd) {
    if (dup2(slave, fd) < 0) {
      const int err = errno;
      close(slave);
      return fail(ErrnoStatus(err, "dup2", name));
    }
  }
  close(slave);
  if (ioctl(0, TIOCSCTTY, 0) != 0) {
    return fail(ErrnoStatus(errno, "set the controlling terminal", name));
  }
  absl::Status sent =
      SendDescriptor(socket, master, absl::Now() + absl::Seconds(10));
  close(master);
  close(socket);
  return sent;
}

absl::Status ReopenNullStdin() {
  const int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "open", "/dev/null");
  const int moved = dup2(fd, 0);
  const int err = errno;
  close(fd);
  if (moved < 0) return ErrnoStatus(err, "dup2", "/dev/null as stdin");
  return absl::OkStatus();
}

void ResetSignals() {
  struct sigaction action = {};
  action.sa_handler = SIG_DFL;
  sigemptyset(&action.sa_mask);
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig != SIGKILL && sig != SIGSTOP) sigaction(sig, &action, nullptr);
  }
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
}

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

// Applies each limit as asked, as runc does: one the kernel refuses (a
// nofile above fs.nr_open, or a hard limit raised without CAP_SYS_RESOURCE,
// as in a user namespace) fails the start. It used to be lowered quietly to
// what the daemon had, so the container ran with less than it asked for.
absl::Status SetRlimits(const std::vector<Rlimit>& limits) {
  for (const Rlimit& limit : limits) {
    const auto resource = static_cast<__rlimit_resource_t>(limit.resource);
    struct rlimit wanted;
    wanted.rlim_cur = limit.soft;
    wanted.rlim_max = limit.hard;
    if (setrlimit(resource, &wanted) != 0) {
      return ErrnoStatus(errno, "setrlimit",
                         absl::StrCat(RlimitName(limit.resource), "=",
                                      limit.soft, ":", limit.hard));
    }
  }
  return absl::OkStatus();
}

absl::Status SwitchUser(const ExecUser& user) {
  if (setgroups(user.groups.size(), user.groups.data()) != 0) {
    return ErrnoStatus(errno, "setgroups", "");
  }
  if (setgid(user.gid) != 0) return ErrnoStatus(errno, "setgid", absl::StrCat(user.gid));
  // Keep the permitted capabilities across setuid for the before_exec hook.
  if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) {
    return ErrnoStatus(errno, "prctl", "PR_SET_KEEPCAPS");
  }
  if (setuid(user.uid) != 0) return ErrnoStatus(errno, "setuid", absl::StrCat(user.uid));
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
    RETURN_IF_ERROR(SetupError(SetUpConsole(console_fd, userns_root, spec.console_height, spec.console_width), "tty"));
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

  absl::StatusOr<ExecUser> resolved =
      ResolveUserFromFiles(spec.user, "/etc/passwd", "/etc/group", spec.group_add);
  if (!resolved.ok()) return SetupError(resolved.status(), "user");
  const ExecUser& user = *resolved;
  // As root first (the user may not reach it), then again as the user, who
  // may be the only one allowed in (root-squashed NFS).
  const bool entered = chdir(cwd.c_str()) == 0;
  RETURN_IF_ERROR(SetupError(SwitchUser(user), "user"));
  if (chdir(cwd.c_str()) != 0 && !entered) {
    return SetupError(ErrnoStatus(errno, "chdir to cwd", cwd), "working directory");
  }

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
  absl::Status status =
      SetupFds(spec, {&sync_fd, &error_fd, &userns_fd, &console_fd});
  ResetSignals();
  if (!status.ok()) {
    ReportError(error_fd, SetupError(status, "stdio"));
    _exit(125);
  }
  // The parent's go, sent once on_created succeeded; EOF means it gave up.
  char go = 0;
  ssize_t n;
  do {
    n = read(sync_fd, &go, 1);
  } while (n < 0 && errno == EINTR);
  if (n != 1) _exit(125);
  close(sync_fd);
  status = EnterCgroupNamespace(spec);
  if (status.ok()) status = SetUpAndExec(spec, error_fd, userns_fd, console_fd);
  ReportError(error_fd, status);
  _exit(ExitCodeForStartError(status));
}

}  // namespace runtime
}  // namespace containerd
}  // namespace berth
