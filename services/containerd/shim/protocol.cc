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
#include <optional>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/failpoint.h"
#include "common/fs_util.h"
#include "common/status_macros.h"
#include "common/unix_socket.h"
#include "nlohmann/json.hpp"
#include "services/containerd/shim/framing.h"

namespace berth::containerd::shim {

using ::berth::shim::v1::Ready;
using ::berth::shim::v1::Request;
using ::berth::shim::v1::Response;
using ::berth::shim::v1::StateResponse;

namespace {

// Connects to a shim and sends one request, both within `timeout`: a
// stopped shim's socket still accepts connections until its backlog is full,
// and then a blocking connect would wait forever. The write side is shut
// afterwards: one request per connection, and a shim of the text protocol
// before v1 then answers at once (with a line this side recognizes) instead
// of waiting for a newline that never comes.
absl::StatusOr<int> Connect(const std::string& socket_path,
                            const Request& request, absl::Duration timeout,
                            bool half_close = true) {
  const absl::Time deadline = absl::Now() + timeout;
  ASSIGN_OR_RETURN(const sockaddr_un address, UnixSocketAddress(socket_path));
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return ErrnoStatus(errno, "socket", socket_path);
  while (connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) !=
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
  absl::Status sent = WriteAll(fd, EncodeFrame(request), deadline,
                               absl::StrCat("the shim on ", socket_path));
  if (!sent.ok()) {
    close(fd);
    // EPIPE/ECONNRESET: it went away while we talked.
    return absl::IsDeadlineExceeded(sent) ? sent
                                          : absl::UnavailableError(
                                                sent.message());
  }
  if (half_close) shutdown(fd, SHUT_WR);
  return fd;
}

// What a frame from a shim that this containerd cannot read means for a
// caller: the shim is there but cannot be talked to (never "gone").
absl::Status Unreadable(const absl::Status& status) {
  return absl::FailedPreconditionError(status.message());
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

namespace {

absl::StatusCode StartErrorClass(absl::StatusCode code) {
  return StartErrorCode(code == absl::StatusCode::kNotFound           ? 127
                        : code == absl::StatusCode::kPermissionDenied ? 126
                                                                      : 125);
}

}  // namespace

std::string ReadyFrame(pid_t shim_pid, pid_t init_pid) {
  Ready ready;
  ready.set_version(kProtocolVersion);
  ready.set_shim_pid(shim_pid);
  ready.set_init_pid(init_pid);
  return EncodeFrame(ready);
}

std::string StartErrorFrame(const absl::Status& status) {
  Ready ready;
  ready.set_version(kProtocolVersion);
  SetError(absl::Status(StartErrorClass(status.code()), status.message()),
           ready.mutable_error());
  return EncodeFrame(ready);
}

Request NewRequest() {
  Request request;
  request.set_version(kProtocolVersion);
  return request;
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
  // A test's failpoints reach the shim too (common/failpoint.h).
  std::string failpoints_env;
  if (const char* failpoints = getenv(kFailpointsEnv)) {
    failpoints_env = absl::StrCat(kFailpointsEnv, "=", failpoints);
    envp.insert(envp.begin() + 1, failpoints_env.data());
  }

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
  const std::string peer = "berth-shim starting the container";
  absl::StatusOr<std::optional<std::string>> frame =
      ReadFrame(ready[0], absl::Now() + timeout, peer);
  close(ready[0]);
  if (absl::IsDeadlineExceeded(frame.status())) {
    // The shim and whatever it started before the deadline are in the
    // spawned process's process group (its session): end them all, or a
    // container would run that nothing tracks. `child` is not reaped yet,
    // so its pid, which is the group's id, cannot have been reused.
    if (kill(-child, SIGKILL) != 0 && errno != ESRCH) {
      frame = absl::Status(
          frame.status().code(),
          absl::StrCat(frame.status().message(), "; killing process group ",
                       child, " of ", shim_path, " failed: ",
                       strerror(errno)));
    }
  }
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (!frame.ok()) {
    return absl::IsDeadlineExceeded(frame.status())
               ? frame.status()
               : absl::InternalError(absl::StrCat(
                     frame.status().message(), "; see ", log_path));
  }
  if (!frame->has_value()) {
    return absl::InternalError(absl::StrCat(
        "berth-shim exited without starting the container; see ", log_path));
  }
  Ready report;
  absl::Status parsed = ParsePayload(**frame, &report, peer);
  if (!parsed.ok()) {
    return absl::InternalError(absl::StrCat(parsed.message(), "; see ", log_path));
  }
  RETURN_IF_ERROR(CheckVersion(report.version(), "shim", "containerd"));
  if (report.has_error()) {
    return absl::Status(StartErrorClass(StatusOfError(report.error()).code()),
                        report.error().message());
  }
  if (report.shim_pid() <= 0 || report.init_pid() <= 0) {
    return absl::InternalError(absl::StrCat(
        "berth-shim reported a start without pids; see ", log_path));
  }
  LaunchedShim launched;
  launched.shim_pid = report.shim_pid();
  launched.init_pid = report.init_pid();
  return launched;
}

absl::StatusOr<int> SendWait(const std::string& socket_path,
                             absl::Duration timeout) {
  Request request = NewRequest();
  request.mutable_wait();
  return Connect(socket_path, request, timeout);
}

namespace {

// Reads the shim's answer to `request` on `fd` (bytes past it stay in
// `carry`); closes `fd` on failure.
absl::StatusOr<Response> ReadAnswer(int fd, const std::string& socket_path,
                                    absl::Time deadline, std::string* carry) {
  const std::string peer = absl::StrCat("the shim on ", socket_path);
  absl::StatusOr<std::optional<std::string>> frame =
      ReadFrame(fd, deadline, peer, carry);
  auto fail = [fd](absl::Status status) {
    close(fd);
    return status;
  };
  if (!frame.ok()) {
    if (absl::IsDeadlineExceeded(frame.status())) return fail(frame.status());
    if (absl::IsInvalidArgument(frame.status())) {
      return fail(Unreadable(frame.status()));
    }
    return fail(absl::UnavailableError(frame.status().message()));
  }
  if (!frame->has_value()) {
    return fail(absl::UnavailableError(
        absl::StrCat(peer, " closed the connection without answering")));
  }
  Response response;
  absl::Status parsed = ParsePayload(**frame, &response, peer);
  if (!parsed.ok()) return fail(Unreadable(parsed));
  // The version first: a reply of another version may mean anything.
  absl::Status version = CheckVersion(response.version(), "shim", "containerd");
  if (!version.ok()) return fail(version);
  if (response.has_error()) return fail(StatusOfError(response.error()));
  return response;
}

}  // namespace

absl::StatusOr<Response> CallShim(const std::string& socket_path,
                                  const Request& request,
                                  absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  ASSIGN_OR_RETURN(int fd, Connect(socket_path, request, timeout));
  std::string carry;
  ASSIGN_OR_RETURN(Response response,
                   ReadAnswer(fd, socket_path, deadline, &carry));
  close(fd);
  return response;
}

namespace {

// Sends `request` and keeps the connection as a stream once the shim's
// answer came (in *answer).
absl::StatusOr<ShimStream> OpenStream(const std::string& socket_path,
                                      const Request& request,
                                      absl::Duration timeout,
                                      Response* answer) {
  const absl::Time deadline = absl::Now() + timeout;
  ASSIGN_OR_RETURN(int fd, Connect(socket_path, request, timeout,
                                   /*half_close=*/false));
  ShimStream stream;
  absl::StatusOr<Response> response =
      ReadAnswer(fd, socket_path, deadline, &stream.carry);
  if (!response.ok()) return response.status();
  *answer = *std::move(response);
  stream.fd = fd;
  return stream;
}

}  // namespace

absl::StatusOr<ShimStream> OpenAttach(
    const std::string& socket_path,
    const ::berth::shim::v1::AttachRequest& wants, absl::Duration timeout) {
  Request request = NewRequest();
  *request.mutable_attach() = wants;
  Response response;
  ASSIGN_OR_RETURN(ShimStream stream,
                   OpenStream(socket_path, request, timeout, &response));
  if (!response.has_attach()) {
    close(stream.fd);
    return absl::FailedPreconditionError(absl::StrCat(
        "the shim on ", socket_path, " answered attach with something else"));
  }
  return stream;
}

absl::StatusOr<ShimStream> OpenExec(
    const std::string& socket_path,
    const ::berth::shim::v1::ExecRequest& exec, absl::Duration timeout) {
  Request request = NewRequest();
  *request.mutable_exec() = exec;
  Response response;
  ASSIGN_OR_RETURN(ShimStream stream,
                   OpenStream(socket_path, request, timeout, &response));
  if (!response.has_exec()) {
    close(stream.fd);
    return absl::FailedPreconditionError(absl::StrCat(
        "the shim on ", socket_path, " answered exec with something else"));
  }
  stream.pid = response.exec().pid();
  return stream;
}

absl::Status SignalShim(const std::string& socket_path, int signal,
                        absl::Duration timeout) {
  Request request = NewRequest();
  request.mutable_kill()->set_signal(signal);
  ASSIGN_OR_RETURN(Response response, CallShim(socket_path, request, timeout));
  if (!response.has_kill()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the shim on ", socket_path, " answered kill with something else"));
  }
  return absl::OkStatus();
}

absl::StatusOr<StateResponse> ShimState(const std::string& socket_path,
                                        absl::Duration timeout) {
  Request request = NewRequest();
  request.mutable_state();
  ASSIGN_OR_RETURN(Response response, CallShim(socket_path, request, timeout));
  if (!response.has_state()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the shim on ", socket_path, " answered state with something else"));
  }
  return response.state();
}

absl::StatusOr<ExitRecord> ParseWaitReply(absl::string_view payload,
                                          absl::string_view peer) {
  Response response;
  absl::Status parsed = ParsePayload(payload, &response, peer);
  if (!parsed.ok()) return Unreadable(parsed);
  RETURN_IF_ERROR(CheckVersion(response.version(), "shim", "containerd"));
  if (response.has_error()) return StatusOfError(response.error());
  if (!response.has_wait()) {
    return absl::FailedPreconditionError(
        absl::StrCat(peer, " answered wait with something else"));
  }
  ExitRecord record;
  record.exit_code = response.wait().exit_code();
  record.oom_killed = response.wait().oom_killed();
  record.finished_at =
      absl::FromUnixNanos(response.wait().finished_at_unix_nanos());
  return record;
}

}  // namespace berth::containerd::shim
