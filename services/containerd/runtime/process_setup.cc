#include "services/containerd/runtime/process_setup.h"

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/status_macros.h"
#include "common/unix_socket.h"
#include "services/containerd/runtime/report.h"

namespace berth {
namespace containerd {
namespace runtime {
namespace {

void CloseRange(unsigned first, unsigned last) {
  if (first <= last) close_range(first, last, 0);
}

}  // namespace

absl::Status SetupError(const absl::Status& status, absl::string_view stage) {
  if (status.ok()) return status;
  absl::StatusCode code = status.code();
  if (code == absl::StatusCode::kNotFound || code == absl::StatusCode::kPermissionDenied) {
    code = absl::StatusCode::kFailedPrecondition;
  }
  return absl::Status(code, absl::StrCat(stage, ": ", status.message()));
}

absl::Status SetupFds(int stdin_fd, int stdout_fd, int stderr_fd,
                      std::vector<int*> kept) {
  for (int* fd : kept) {
    if (*fd < 0) continue;
    *fd = fcntl(*fd, F_DUPFD_CLOEXEC, 3);
    if (*fd < 0) return ErrnoStatus(errno, "dup", "the process's own fds");
  }
  const int wanted[3] = {stdin_fd, stdout_fd, stderr_fd};
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

void StartChild(int stdin_fd, int stdout_fd, int stderr_fd, int* sync_fd,
                int* error_fd, std::vector<int*> others, int failure_code) {
  others.push_back(sync_fd);
  others.push_back(error_fd);
  absl::Status status = SetupFds(stdin_fd, stdout_fd, stderr_fd, others);
  ResetSignals();
  if (!status.ok()) {
    ReportError(*error_fd, SetupError(status, "stdio"));
    _exit(failure_code);
  }
  char go = 0;
  ssize_t n;
  do {
    n = read(*sync_fd, &go, 1);
  } while (n < 0 && errno == EINTR);
  if (n != 1) _exit(failure_code);
  close(*sync_fd);
  *sync_fd = -1;
}

absl::Status SetUpConsole(int socket, const std::optional<IdPair>& owner,
                          unsigned height, unsigned width, bool bind_console) {
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
  if (bind_console) {
    // /dev is the container's own tmpfs: an empty file to bind the
    // terminal on.
    const int console =
        open("/dev/console", O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (console >= 0) close(console);
    if (console < 0 ||
        mount(name, "/dev/console", nullptr, MS_BIND, nullptr) != 0) {
      const int err = errno;
      close(slave);
      return fail(ErrnoStatus(err, "bind the terminal onto", "/dev/console"));
    }
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


absl::StatusOr<ExecUser> BecomeUser(const std::string& user,
                                    const std::vector<std::string>& group_add,
                                    const std::string& cwd) {
  absl::StatusOr<ExecUser> resolved =
      ResolveUserFromFiles(user, "/etc/passwd", "/etc/group", group_add);
  if (!resolved.ok()) return SetupError(resolved.status(), "user");
  const bool entered = chdir(cwd.c_str()) == 0;
  const int root_errno = errno;
  RETURN_IF_ERROR(SetupError(SwitchUser(*resolved), "user"));
  if (chdir(cwd.c_str()) != 0 && !entered) {
    return SetupError(ErrnoStatus(root_errno, "chdir to cwd", cwd),
                      "working directory");
  }
  return resolved;
}

}  // namespace runtime
}  // namespace containerd
}  // namespace berth
