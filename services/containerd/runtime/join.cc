#include "services/containerd/runtime/join.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <optional>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "common/unix_socket.h"
#include "services/containerd/runtime/exec.h"
#include "services/containerd/runtime/process_setup.h"
#include "services/containerd/runtime/report.h"
#include "services/containerd/runtime/spawn_protocol.h"
#include "services/containerd/runtime/user.h"
#include "services/containerd/runtime/userns.h"

namespace berth {
namespace containerd {
namespace runtime {
namespace {

struct Namespace {
  const char* name;
  int type;
};

// Joined in this order by the intermediate: the mount namespace last (its
// root becomes ours), the user namespace by the child itself.
constexpr Namespace kJoined[] = {
    {"ipc", CLONE_NEWIPC}, {"uts", CLONE_NEWUTS},       {"net", CLONE_NEWNET},
    {"pid", CLONE_NEWPID}, {"cgroup", CLONE_NEWCGROUP}, {"mnt", CLONE_NEWNS},
};

// The target's namespace `name` when it is not already ours (-1 then: the
// container shares it with the host, or the kernel has none such).
absl::StatusOr<int> OpenIfOther(pid_t target, const char* name) {
  const std::string path = absl::StrCat("/proc/", target, "/ns/", name);
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT && access(absl::StrCat("/proc/", target).c_str(), F_OK) != 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the container's init (pid ", target, ") is gone"));
    }
    if (errno == ENOENT) return -1;
    return ErrnoStatus(errno, "open", path);
  }
  struct stat theirs, ours;
  if (fstat(fd, &theirs) != 0) {
    const int err = errno;
    close(fd);
    return ErrnoStatus(err, "stat", path);
  }
  const std::string own = absl::StrCat("/proc/self/ns/", name);
  if (stat(own.c_str(), &ours) == 0 && ours.st_ino == theirs.st_ino &&
      ours.st_dev == theirs.st_dev) {
    close(fd);
    return -1;
  }
  return fd;
}

// Everything in the child up to the exec, once it is in the cgroup.
absl::Status SetUpAndExec(const JoinSpec& spec, int userns_fd, int console_fd) {
  if (setsid() < 0) return SetupError(ErrnoStatus(errno, "setsid", ""), "exec");
  if (spec.stdin_fd < 0) RETURN_IF_ERROR(SetupError(ReopenNullStdin(), "stdio"));
  if (spec.tty) {
    RETURN_IF_ERROR(SetupError(
        SetUpConsole(console_fd, std::nullopt, spec.console_height,
                     spec.console_width, /*bind_console=*/false),
        "tty"));
  }
  RETURN_IF_ERROR(SetupError(SetRlimits(spec.rlimits), "rlimits"));
  if (userns_fd >= 0) {
    RETURN_IF_ERROR(SetupError(JoinUserNamespace(userns_fd), "user namespace"));
    close(userns_fd);
  }
  ASSIGN_OR_RETURN(const ExecUser user,
                   BecomeUser(spec.user, spec.group_add,
                              spec.cwd.empty() ? "/" : spec.cwd));
  char hostname[HOST_NAME_MAX + 1] = {};
  gethostname(hostname, sizeof(hostname) - 1);
  const std::vector<std::string> env =
      BuildEnv(spec.env, hostname, user.home, spec.tty);
  ASSIGN_OR_RETURN(std::string path, LookPath(spec.args[0], env));
  if (spec.before_exec) {
    RETURN_IF_ERROR(SetupError(spec.before_exec(), "before exec"));
  }
  return Exec(path, spec.args, env);
}

[[noreturn]] void RunJoinedChild(const JoinSpec& spec, int sync_fd,
                                 int error_fd, int userns_fd) {
  int console_fd = spec.console_socket;
  StartChild(spec.stdin_fd, spec.stdout_fd, spec.stderr_fd, &sync_fd,
             &error_fd, {&userns_fd, &console_fd}, 126);
  const absl::Status status = SetUpAndExec(spec, userns_fd, console_fd);
  ReportError(error_fd, status);
  _exit(126);
}

// In the forked intermediate: joins the namespaces (a pid namespace takes
// effect for children only) and the root, then clones the process.
[[noreturn]] void RunIntermediate(const JoinSpec& spec, int sync_fd, int error_fd) {
  auto fail = [error_fd](const absl::Status& status) {
    ReportError(error_fd, SetupError(status, "join the container"));
    _exit(1);
  };
  const std::string root_path = absl::StrCat("/proc/", spec.target, "/root");
  const int root = open(root_path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0) {
    fail(errno == ENOENT ? absl::FailedPreconditionError(absl::StrCat(
                               "the container's init (pid ", spec.target,
                               ") is gone"))
                         : ErrnoStatus(errno, "open", root_path));
  }
  absl::StatusOr<int> userns = OpenIfOther(spec.target, "user");
  if (!userns.ok()) fail(userns.status());
  for (const Namespace& ns : kJoined) {
    absl::StatusOr<int> fd = OpenIfOther(spec.target, ns.name);
    if (!fd.ok()) fail(fd.status());
    if (*fd < 0) continue;
    if (setns(*fd, ns.type) != 0) {
      fail(ErrnoStatus(errno, "setns",
                       absl::StrCat("/proc/", spec.target, "/ns/", ns.name)));
    }
    close(*fd);
  }
  if (fchdir(root) != 0 || chroot(".") != 0 || chdir("/") != 0) {
    fail(ErrnoStatus(errno, "enter the root of", root_path));
  }
  close(root);
  long pid = syscall(SYS_clone, CLONE_PARENT | SIGCHLD, nullptr, nullptr,
                     nullptr, nullptr);
  if (pid == 0) RunJoinedChild(spec, sync_fd, error_fd, *userns);
  if (pid < 0) fail(ErrnoStatus(errno, "clone", "the exec process"));
  ReportPid(error_fd, static_cast<pid_t>(pid));
  _exit(0);
}

}  // namespace

absl::StatusOr<pid_t> SpawnInContainer(
    const JoinSpec& spec, const std::function<absl::Status(pid_t)>& on_created) {
  if (spec.args.empty() || spec.args[0].empty()) {
    return absl::InvalidArgumentError("no command given");
  }
  if (spec.target <= 0) {
    return absl::InvalidArgumentError("the container's init pid is unknown");
  }
  if (spec.tty && spec.console_socket < 0) {
    return absl::InvalidArgumentError(
        "a terminal needs a console socket to send its master on");
  }
  return SpawnThroughIntermediate(
      [&spec](int sync_fd, int error_fd) {
        RunIntermediate(spec, sync_fd, error_fd);
      },
      on_created, "exec process");
}

}  // namespace runtime
}  // namespace containerd
}  // namespace berth
