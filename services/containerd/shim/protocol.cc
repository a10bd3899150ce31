#include "services/containerd/shim/protocol.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <cstring>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/fs_util.h"
#include "common/status_macros.h"
#include "nlohmann/json.hpp"

namespace berth::containerd::shim {
namespace {

// Reads up to the first '\n' (or EOF) within `timeout` (infinite if
// InfiniteDuration).
absl::StatusOr<std::string> ReadLine(int fd, absl::Duration timeout,
                                     absl::string_view what) {
  std::string line;
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    int wait_ms = -1;
    if (timeout != absl::InfiniteDuration()) {
      const absl::Duration left = deadline - absl::Now();
      if (left <= absl::ZeroDuration()) {
        return absl::DeadlineExceededError(
            absl::StrCat("timed out waiting for ", what));
      }
      wait_ms = static_cast<int>(absl::ToInt64Milliseconds(left)) + 1;
    }
    pollfd pfd = {fd, POLLIN, 0};
    int ready = poll(&pfd, 1, wait_ms);
    if (ready < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "poll", what);
    }
    if (ready == 0) continue;
    char buffer[512];
    ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return ErrnoStatus(errno, "read", what);
    }
    if (n == 0) return line;
    line.append(buffer, static_cast<size_t>(n));
    size_t newline = line.find('\n');
    if (newline != std::string::npos) return line.substr(0, newline);
    if (line.size() > 64 * 1024) {
      return absl::InternalError(absl::StrCat("overlong reply from ", what));
    }
  }
}

// Waits until `fd` is ready for `events` or `deadline` passes.
absl::Status PollUntil(int fd, short events, absl::Time deadline,
                       absl::string_view what) {
  while (true) {
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      return absl::DeadlineExceededError(
          absl::StrCat("timed out waiting for ", what));
    }
    pollfd pfd = {fd, events, 0};
    int ready = poll(&pfd, 1,
                     static_cast<int>(absl::ToInt64Milliseconds(left)) + 1);
    if (ready > 0) return absl::OkStatus();
    if (ready < 0 && errno != EINTR) return ErrnoStatus(errno, "poll", what);
  }
}

// Connects to a shim and sends one command line, both within `timeout`: a
// stopped shim's socket still accepts connections until its backlog is full,
// and then a blocking connect would wait forever.
absl::StatusOr<int> Connect(const std::string& socket_path,
                            const std::string& command,
                            absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  sockaddr_un address = {};
  address.sun_family = AF_UNIX;
  if (socket_path.size() >= sizeof(address.sun_path)) {
    return absl::InvalidArgumentError(
        absl::StrCat("shim socket path too long: ", socket_path));
  }
  memcpy(address.sun_path, socket_path.c_str(), socket_path.size() + 1);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return ErrnoStatus(errno, "socket", socket_path);
  while (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) !=
         0) {
    const int err = errno;
    if (err == EINTR) continue;
    if (err == EAGAIN) {
      // The shim's backlog is full: it is not accepting. Retry until the
      // deadline rather than block.
      if (absl::Now() >= deadline) {
        close(fd);
        return absl::DeadlineExceededError(absl::StrCat(
            "the shim on ", socket_path, " accepts no connection"));
      }
      absl::SleepFor(absl::Milliseconds(5));
      continue;
    }
    close(fd);
    return absl::UnavailableError(absl::StrCat(
        "no shim answers on ", socket_path, ": ", strerror(err)));
  }
  const std::string line = command + "\n";
  size_t sent = 0;
  while (sent < line.size()) {
    ssize_t n = send(fd, line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
    if (n >= 0) {
      sent += static_cast<size_t>(n);
      continue;
    }
    const int err = errno;
    if (err == EINTR) continue;
    absl::Status ready =
        err == EAGAIN ? PollUntil(fd, POLLOUT, deadline,
                                  absl::StrCat("the shim on ", socket_path))
                      : absl::UnavailableError(absl::StrCat(
                            "send to shim ", socket_path, ": ", strerror(err)));
    if (!ready.ok()) {
      close(fd);
      return ready;
    }
  }
  return fd;
}

absl::StatusCode StartErrorCode(int exit_code) {
  switch (exit_code) {
    case 127:
      return absl::StatusCode::kNotFound;
    case 126:
      return absl::StatusCode::kPermissionDenied;
    default:
      return absl::StatusCode::kFailedPrecondition;
  }
}

}  // namespace

absl::Status WriteExitRecord(const std::string& path, const ExitRecord& record) {
  nlohmann::json json = {
      {"exitCode", record.exit_code},
      {"oomKilled", record.oom_killed},
      {"finishedAt", absl::ToUnixNanos(record.finished_at)},
      {"error", record.error},
  };
  // Not fsynced: the record must outlive containerd (a process), not the
  // machine; after a power cut the container is gone anyway and containerd
  // marks it exited when it finds no shim. An fsync here would delay every
  // exit, and so every `berth run`, by a disk flush.
  return WriteFileAtomic(path, json.dump(), 0644, /*durable=*/false);
}

absl::StatusOr<ExitRecord> ReadExitRecord(const std::string& path) {
  if (access(path.c_str(), F_OK) != 0 && errno == ENOENT) {
    return absl::NotFoundError(absl::StrCat("no exit record at ", path));
  }
  ASSIGN_OR_RETURN(std::string text, ReadFileToString(path, 1 << 20));
  nlohmann::json json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded() || !json.is_object() ||
      !json.value("exitCode", nlohmann::json()).is_number_integer()) {
    return absl::DataLossError(absl::StrCat("corrupt exit record ", path));
  }
  ExitRecord record;
  record.exit_code = json["exitCode"].get<int>();
  record.oom_killed = json.value("oomKilled", false);
  record.finished_at = absl::FromUnixNanos(json.value("finishedAt", int64_t{0}));
  record.error = json.value("error", std::string());
  return record;
}

std::string FormatStartError(const absl::Status& status) {
  int code = 125;
  if (absl::IsNotFound(status)) code = 127;
  if (absl::IsPermissionDenied(status)) code = 126;
  std::string message(status.message());
  for (char& c : message) {
    if (c == '\n') c = ' ';
  }
  return absl::StrCat("error ", code, " ", message);
}

absl::Status ParseStartError(const std::string& line) {
  std::vector<std::string> parts =
      absl::StrSplit(line, absl::MaxSplits(' ', 2));
  int code = 125;
  if (parts.size() < 3 || parts[0] != "error" ||
      !absl::SimpleAtoi(parts[1], &code)) {
    return absl::InternalError(
        absl::StrCat("berth-shim failed to start the container: ", line));
  }
  return absl::Status(StartErrorCode(code), parts[2]);
}

absl::StatusOr<LaunchedShim> LaunchShim(const std::string& shim_path,
                                        const std::string& state_dir,
                                        absl::Duration timeout) {
  const std::string log_path = absl::StrCat(state_dir, "/", kShimLogFile);
  int log_fd = open(log_path.c_str(),
                    O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (log_fd < 0) return ErrnoStatus(errno, "open", log_path);
  int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null_fd < 0) {
    close(log_fd);
    return ErrnoStatus(errno, "open", "/dev/null");
  }
  int ready[2];
  if (pipe2(ready, O_CLOEXEC) != 0) {
    close(log_fd);
    close(null_fd);
    return ErrnoStatus(errno, "pipe2", "shim ready pipe");
  }
  // The sources go above the target range first, so no dup2 in the child
  // maps an fd onto itself (which would keep its close-on-exec flag).
  int high_null = fcntl(null_fd, F_DUPFD_CLOEXEC, 10);
  int high_log = fcntl(log_fd, F_DUPFD_CLOEXEC, 10);
  int high_ready = fcntl(ready[1], F_DUPFD_CLOEXEC, 10);
  close(null_fd);
  close(log_fd);
  close(ready[1]);
  std::string arg_state = "--state-dir";
  std::vector<char*> argv = {const_cast<char*>(shim_path.c_str()),
                             arg_state.data(),
                             const_cast<char*>(state_dir.c_str()), nullptr};
  std::string path_env =
      "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  std::vector<char*> envp = {path_env.data(), nullptr};

  // posix_spawn (vfork-like) costs the same however large containerd is;
  // the shim forks once more itself and the spawned process exits at once,
  // so the shim is re-parented to init and never a zombie of containerd.
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, high_null, 0);
  posix_spawn_file_actions_adddup2(&actions, high_null, 1);
  posix_spawn_file_actions_adddup2(&actions, high_log, 2);
  posix_spawn_file_actions_adddup2(&actions, high_ready, kReadyFd);
  posix_spawn_file_actions_addclosefrom_np(&actions, kReadyFd + 1);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSID |
                                            POSIX_SPAWN_SETSIGMASK |
                                            POSIX_SPAWN_SETSIGDEF);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setsigdefault(&attributes, &all);
  pid_t child = 0;
  int spawned = posix_spawn(&child, argv[0], &actions, &attributes,
                            argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  close(high_null);
  close(high_log);
  close(high_ready);
  if (spawned != 0) {
    close(ready[0]);
    return ErrnoStatus(spawned, "spawn", shim_path);
  }
  absl::StatusOr<std::string> line =
      ReadLine(ready[0], timeout, "berth-shim to start the container");
  close(ready[0]);
  if (!line.ok()) {
    // The shim and whatever it started before the deadline are in the
    // spawned process's process group (its session): end them all, or a
    // container would run that nothing tracks. `child` is not reaped yet,
    // so its pid, which is the group's id, cannot have been reused.
    if (kill(-child, SIGKILL) != 0 && errno != ESRCH) {
      line = absl::Status(
          line.status().code(),
          absl::StrCat(line.status().message(), "; killing process group ",
                       child, " of ", shim_path, " failed: ",
                       strerror(errno)));
    }
  }
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (!line.ok()) return line.status();
  if (line->empty()) {
    return absl::InternalError(absl::StrCat(
        "berth-shim exited without starting the container; see ", log_path));
  }
  std::vector<std::string> parts = absl::StrSplit(*line, ' ');
  LaunchedShim launched;
  if (parts.size() == 3 && parts[0] == "ok" &&
      absl::SimpleAtoi(parts[1], &launched.shim_pid) &&
      absl::SimpleAtoi(parts[2], &launched.init_pid)) {
    return launched;
  }
  return ParseStartError(*line);
}

absl::StatusOr<int> SendWait(const std::string& socket_path,
                             absl::Duration timeout) {
  return Connect(socket_path, "wait", timeout);
}

absl::StatusOr<std::string> ShimCommand(const std::string& socket_path,
                                        const std::string& command,
                                        absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  ASSIGN_OR_RETURN(int fd, Connect(socket_path, command, timeout));
  absl::StatusOr<std::string> reply = ReadLine(
      fd, std::max(deadline - absl::Now(), absl::ZeroDuration()),
      absl::StrCat("the shim on ", socket_path, " to answer"));
  close(fd);
  if (!reply.ok()) return reply.status();
  if (reply->empty()) {
    return absl::UnavailableError(
        absl::StrCat("shim on ", socket_path, " closed the connection"));
  }
  return reply;
}

absl::Status SignalShim(const std::string& socket_path, int signal,
                        absl::Duration timeout) {
  ASSIGN_OR_RETURN(std::string reply,
                   ShimCommand(socket_path, absl::StrCat("kill ", signal),
                               timeout));
  if (reply == "ok") return absl::OkStatus();
  if (absl::StartsWith(reply, "error ")) {
    return absl::FailedPreconditionError(reply.substr(6));
  }
  return absl::InternalError(absl::StrCat("unexpected shim reply: ", reply));
}

absl::StatusOr<ExitRecord> ParseExitReply(const std::string& reply) {
  std::vector<std::string> parts = absl::StrSplit(reply, ' ');
  ExitRecord record;
  int oom = 0;
  if (parts.size() != 3 || parts[0] != "exit" ||
      !absl::SimpleAtoi(parts[1], &record.exit_code) ||
      !absl::SimpleAtoi(parts[2], &oom)) {
    return absl::InternalError(absl::StrCat("unexpected shim reply: ", reply));
  }
  record.oom_killed = oom != 0;
  record.finished_at = absl::Now();
  return record;
}

}  // namespace berth::containerd::shim
