#include "services/containerd/runtime/test_util.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/fs_util.h"
#include "common/status_macros.h"

namespace berth {
namespace containerd {
namespace runtime {
namespace testing {
namespace {

absl::Status Mkdir(const std::string& path, mode_t mode = 0755) {
  if (mkdir(path.c_str(), mode) != 0 && errno != EEXIST) {
    return ErrnoStatus(errno, "mkdir", path);
  }
  return absl::OkStatus();
}

absl::Status CopyFile(const std::string& from, const std::string& to, mode_t mode) {
  ASSIGN_OR_RETURN(std::string data, ReadFileToString(from, 64 << 20));
  return WriteFile(to, data, mode);
}

}  // namespace

TempDir::TempDir() {
  const char* base = std::getenv("TEST_TMPDIR");
  absl::StatusOr<std::string> path =
      MakeTempDir(base != nullptr ? base : "/tmp", "runtime-");
  if (path.ok()) path_ = *path;
}

TempDir::~TempDir() {
  if (!path_.empty()) (void)RemoveTree(path_);
}

absl::Status WriteFile(const std::string& path, const std::string& data, mode_t mode) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return ErrnoStatus(errno, "create", path);
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n <= 0) {
      int err = errno;
      close(fd);
      return ErrnoStatus(err, "write", path);
    }
    done += static_cast<size_t>(n);
  }
  close(fd);
  if (chmod(path.c_str(), mode) != 0) return ErrnoStatus(errno, "chmod", path);
  return absl::OkStatus();
}

absl::Status MakeBusyboxRootfs(const std::string& dir) {
  RETURN_IF_ERROR(Mkdir(dir));
  for (const char* sub : {"bin", "etc", "proc", "sys", "dev", "tmp"}) {
    RETURN_IF_ERROR(Mkdir(absl::StrCat(dir, "/", sub)));
  }
  chmod((dir + "/tmp").c_str(), 01777);
  RETURN_IF_ERROR(CopyFile("/bin/busybox", dir + "/bin/busybox", 0755));
  for (const char* applet : {"sh", "ls", "cat", "echo", "hostname", "id", "ps", "mount",
                             "sleep", "true", "env", "pwd", "kill", "stat", "test",
                             "grep", "wc", "readlink"}) {
    const std::string link = absl::StrCat(dir, "/bin/", applet);
    if (symlink("busybox", link.c_str()) != 0) return ErrnoStatus(errno, "symlink", link);
  }
  RETURN_IF_ERROR(WriteFile(dir + "/etc/passwd",
                            "root:x:0:0:root:/root:/bin/sh\n"
                            "app:x:1000:1000:App:/home/app:/bin/sh\n"));
  RETURN_IF_ERROR(WriteFile(dir + "/etc/group",
                            "root:x:0:\n"
                            "audio:x:29:app\n"
                            "staff:x:50:root,app\n"
                            "app:x:1000:\n"));
  return absl::OkStatus();
}

TestRootfs::TestRootfs(RootfsMode mode) : mode_(mode) {
  if (temp_.path().empty()) {
    status_ = absl::InternalError("no temp dir");
    return;
  }
  tree_ = temp_.path() + "/tree";
  status_ = MakeBusyboxRootfs(tree_);
  if (!status_.ok()) return;
  if (mode_ == RootfsMode::kPlain) {
    rootfs_ = tree_;
    return;
  }
  for (const char* sub : {"upper", "work", "rootfs"}) {
    status_ = Mkdir(absl::StrCat(temp_.path(), "/", sub));
    if (!status_.ok()) return;
  }
  rootfs_ = temp_.path() + "/rootfs";
  overlay_options_ = absl::StrCat("lowerdir=", tree_, ",upperdir=", temp_.path(),
                                  "/upper,workdir=", temp_.path(), "/work");
}

InitSpec TestRootfs::base_spec() const {
  InitSpec spec;
  spec.rootfs_dir = rootfs_;
  spec.overlay_options = overlay_options_;
  spec.clone_flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET;
  spec.hostname = "testbox";
  return spec;
}

Started StartContainer(InitSpec spec, const std::function<absl::Status(pid_t)>& on_created) {
  Started started;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    started.status = ErrnoStatus(errno, "pipe", "");
    return started;
  }
  spec.stdout_fd = fds[1];
  if (spec.stderr_fd < 0) spec.stderr_fd = STDERR_FILENO;
  absl::StatusOr<pid_t> pid = SpawnContainerInit(spec, on_created);
  close(fds[1]);
  if (!pid.ok()) {
    close(fds[0]);
    started.status = pid.status();
    return started;
  }
  started.pid = *pid;
  started.stdout_fd = fds[0];
  return started;
}

bool ReadUntil(int fd, const std::string& needle, std::string& out,
               absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (needle.empty() || out.find(needle) == std::string::npos) {
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) return false;
    struct pollfd pfd = {fd, POLLIN, 0};
    int rc = poll(&pfd, 1, static_cast<int>(absl::ToInt64Milliseconds(left)) + 1);
    if (rc < 0 && errno == EINTR) continue;
    if (rc <= 0) return false;
    char buffer[4096];
    ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return needle.empty();
    out.append(buffer, static_cast<size_t>(n));
  }
  return true;
}

std::string ReadAllAndClose(int fd, absl::Duration timeout) {
  std::string out;
  ReadUntil(fd, "", out, timeout);
  close(fd);
  return out;
}

int WaitExit(pid_t pid, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    int status = 0;
    pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) {
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
      continue;
    }
    if (done < 0 && errno != EINTR) return -1;
    if (absl::Now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return -1;
    }
    usleep(10000);
  }
}

RunResult RunContainer(const InitSpec& spec,
                       const std::function<absl::Status(pid_t)>& on_created) {
  RunResult result;
  Started started = StartContainer(spec, on_created);
  result.status = started.status;
  if (!started.status.ok()) return result;
  result.pid = started.pid;
  result.output = ReadAllAndClose(started.stdout_fd);
  result.exit_code = WaitExit(started.pid);
  return result;
}

std::set<std::string> MountPoints(const std::string& mountinfo) {
  std::set<std::string> points;
  for (absl::string_view line : absl::StrSplit(mountinfo, '\n', absl::SkipEmpty())) {
    std::vector<std::string> fields = absl::StrSplit(line, ' ');
    if (fields.size() > 4) points.insert(fields[4]);
  }
  return points;
}

std::string SelfMountinfo() {
  absl::StatusOr<std::string> data = ReadFileToString("/proc/self/mountinfo");
  if (!data.ok()) return "";
  // Network namespaces bound on files come and go with the tests running
  // beside this one (their environments', their containers'): none is a
  // mount a container could leak into the host.
  std::string kept;
  for (absl::string_view line : absl::StrSplit(*data, '\n', absl::SkipEmpty())) {
    if (absl::StrContains(line, " - nsfs ")) continue;
    absl::StrAppend(&kept, line, "\n");
  }
  return kept;
}

}  // namespace testing
}  // namespace runtime
}  // namespace containerd
}  // namespace berth
