// SpawnContainerInit: the parent's side. The child is cloned by a forked
// intermediate with CLONE_PARENT (so it is the caller's direct child and the
// raw clone happens in a single-threaded process), reports its pid, waits
// for the go on the sync pipe and reports errors on the CLOEXEC error pipe.
// SpawnThroughIntermediate is that protocol, shared with SpawnInContainer.
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "services/containerd/runtime/child.h"
#include "services/containerd/runtime/report.h"
#include "services/containerd/runtime/spawn_protocol.h"
#include "services/containerd/runtime/runtime.h"
#include "services/containerd/runtime/userns.h"

namespace berth {
namespace containerd {
namespace runtime {
namespace {

constexpr int kNamespaceFlags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS |
                                CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWCGROUP;

absl::Status ValidateSpec(const InitSpec& spec) {
  if (spec.args.empty()) return absl::InvalidArgumentError("no command given");
  if (spec.tty && spec.console_socket < 0) {
    return absl::InvalidArgumentError(
        "a terminal needs a console socket to send its master on");
  }
  if (spec.rootfs_dir.empty() || spec.rootfs_dir[0] != '/') {
    return absl::InvalidArgumentError(
        absl::StrCat("rootfs \"", spec.rootfs_dir, "\" must be an absolute path"));
  }
  struct stat st;
  if (stat(spec.rootfs_dir.c_str(), &st) != 0) {
    return Annotate(ErrnoStatus(errno, "stat", spec.rootfs_dir), "rootfs");
  }
  if (!S_ISDIR(st.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat("rootfs ", spec.rootfs_dir, " is not a directory"));
  }
  if ((spec.clone_flags & CLONE_NEWNS) == 0) {
    return absl::InvalidArgumentError("a container needs its own mount namespace (CLONE_NEWNS)");
  }
  if ((spec.clone_flags & ~kNamespaceFlags) != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "unsupported clone flags 0x", absl::Hex(spec.clone_flags & ~kNamespaceFlags)));
  }
  if (!spec.netns_path.empty() && (spec.clone_flags & CLONE_NEWNET) != 0) {
    return absl::InvalidArgumentError(
        "a network namespace path and CLONE_NEWNET are mutually exclusive");
  }
  if (!spec.cwd.empty() && spec.cwd[0] != '/') {
    return absl::InvalidArgumentError(
        absl::StrCat("working directory \"", spec.cwd, "\" must be an absolute path"));
  }
  for (const ContainerMount& bind : spec.mounts) {
    if (bind.destination.empty() || bind.destination[0] != '/') {
      return absl::InvalidArgumentError(absl::StrCat(
          "mount destination \"", bind.destination, "\" must be an absolute path"));
    }
    if (bind.tmpfs != bind.source.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "mount on ", bind.destination,
          bind.tmpfs ? " is a tmpfs and takes no source" : " has no source"));
    }
  }
  if (!spec.uid_map.empty() || !spec.gid_map.empty()) {
    RETURN_IF_ERROR(ValidateIdMap(spec.uid_map, "uid"));
    RETURN_IF_ERROR(ValidateIdMap(spec.gid_map, "gid"));
    if (spec.overlay_options.empty()) {
      return absl::InvalidArgumentError(
          "a user namespace needs an overlay rootfs (its layers are idmapped)");
    }
  }
  for (const Rlimit& limit : spec.rlimits) {
    if (limit.resource < 0 || limit.resource >= RLIMIT_NLIMITS) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown rlimit resource ", limit.resource));
    }
    if (limit.soft > limit.hard) {
      return absl::InvalidArgumentError(absl::StrCat(
          "rlimit ", limit.resource, ": soft limit ", limit.soft,
          " is above the hard limit ", limit.hard));
    }
  }
  return absl::OkStatus();
}

void CloseFd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

void Reap(pid_t pid) {
  while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
}

// Runs in the forked intermediate: clones the init as the caller's child.
[[noreturn]] void RunIntermediate(const InitSpec& spec, int sync_fd, int error_fd,
                                  int userns_fd) {
  // CLONE_NEWCGROUP is left to the child (RunContainerChild): cloned here,
  // the namespace's root would be the caller's cgroup, not the container's.
  const unsigned long flags =
      static_cast<unsigned long>(spec.clone_flags & ~CLONE_NEWCGROUP) |
      CLONE_PARENT | SIGCHLD;
  long pid = syscall(SYS_clone, flags, nullptr, nullptr, nullptr, nullptr);
  if (pid == 0) RunContainerChild(spec, sync_fd, error_fd, userns_fd);
  if (pid < 0) {
    ReportError(error_fd, Annotate(ErrnoStatus(errno, "clone", ""),
                                   "create the container's namespaces"));
    _exit(1);
  }
  ReportPid(error_fd, static_cast<pid_t>(pid));
  _exit(0);
}

}  // namespace

absl::StatusOr<pid_t> SpawnContainerInit(
    const InitSpec& spec, const std::function<absl::Status(pid_t)>& on_created) {
  RETURN_IF_ERROR(ValidateSpec(spec));
  // The child inherits it through the intermediate's fork and clone.
  int userns_fd = -1;
  if (!spec.uid_map.empty()) {
    ASSIGN_OR_RETURN(userns_fd, CreateUserNamespace(spec.uid_map, spec.gid_map));
  }
  struct FdCloser {
    int& fd;
    ~FdCloser() { CloseFd(fd); }
  } close_userns{userns_fd};
  return SpawnThroughIntermediate(
      [&spec, userns_fd](int sync_fd, int error_fd) {
        RunIntermediate(spec, sync_fd, error_fd, userns_fd);
      },
      on_created, "container init");
}

absl::StatusOr<pid_t> SpawnThroughIntermediate(
    const std::function<void(int sync_fd, int error_fd)>& intermediate_body,
    const std::function<absl::Status(pid_t)>& on_created, const char* what) {
  int sync_pipe[2];
  int error_pipe[2];
  if (pipe2(sync_pipe, O_CLOEXEC) != 0) return ErrnoStatus(errno, "pipe", "sync");
  if (pipe2(error_pipe, O_CLOEXEC) != 0) {
    int err = errno;
    close(sync_pipe[0]);
    close(sync_pipe[1]);
    return ErrnoStatus(err, "pipe", "error");
  }
  int sync_read = sync_pipe[0], sync_write = sync_pipe[1];
  int error_read = error_pipe[0], error_write = error_pipe[1];

  pid_t intermediate = fork();
  if (intermediate < 0) {
    int err = errno;
    CloseFd(sync_read);
    CloseFd(sync_write);
    CloseFd(error_read);
    CloseFd(error_write);
    return ErrnoStatus(err, "fork", what);
  }
  if (intermediate == 0) {
    close(sync_write);
    close(error_read);
    intermediate_body(sync_read, error_write);
    _exit(1);  // the body never returns
  }
  CloseFd(sync_read);
  CloseFd(error_write);

  Report report = ReadReport(error_read);
  Reap(intermediate);
  if (report.kind != Report::kPid) {
    CloseFd(sync_write);
    CloseFd(error_read);
    if (report.kind == Report::kEof) {
      return absl::InternalError(
          absl::StrCat(what, ": the clone helper exited without a pid"));
    }
    return report.status;
  }
  const pid_t pid = report.pid;

  if (on_created) {
    absl::Status status = on_created(pid);
    if (!status.ok()) {
      kill(pid, SIGKILL);
      CloseFd(sync_write);
      CloseFd(error_read);
      Reap(pid);
      return status;
    }
  }
  const char go = 1;
  ssize_t n;
  do {
    n = write(sync_write, &go, 1);
  } while (n < 0 && errno == EINTR);
  int write_errno = errno;
  CloseFd(sync_write);
  if (n != 1) {
    kill(pid, SIGKILL);
    CloseFd(error_read);
    Reap(pid);
    return ErrnoStatus(write_errno, "release", what);
  }

  report = ReadReport(error_read);
  CloseFd(error_read);
  if (report.kind == Report::kEof) return pid;
  if (report.kind == Report::kPid) {
    kill(pid, SIGKILL);
    report.status =
        absl::InternalError(absl::StrCat(what, " sent an unexpected report"));
  }
  Reap(pid);
  return report.status;
}

int ExitCodeForStartError(const absl::Status& status) {
  if (absl::IsNotFound(status)) return 127;
  if (absl::IsPermissionDenied(status)) return 126;
  return 125;
}

}  // namespace runtime
}  // namespace containerd
}  // namespace berth
