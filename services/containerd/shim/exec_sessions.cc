#include "services/containerd/shim/exec_sessions.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "common/unix_socket.h"
#include "services/containerd/runtime/join.h"
#include "services/containerd/security/capabilities.h"
#include "services/containerd/shim/framing.h"

namespace berth::containerd::shim {

using ::berth::shim::v1::ExecRequest;
using ::berth::shim::v1::Response;
using ::berth::shim::v1::WaitResponse;

namespace {

// How long output may keep flowing after the process exited (a background
// child of it may hold the pipes).
constexpr absl::Duration kDrainTimeout = absl::Seconds(2);

void RefuseAndClose(int fd, const absl::Status& status) {
  Response response;
  response.set_version(kProtocolVersion);
  SetError(status, response.mutable_error());
  const std::string frame = EncodeFrame(response);
  ssize_t ignored = send(fd, frame.data(), frame.size(), MSG_NOSIGNAL);
  (void)ignored;
  close(fd);
}

int ExitCodeOf(int status) {
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void CloseBoth(int pair[2]) {
  for (int i = 0; i < 2; ++i) {
    if (pair[i] >= 0) close(pair[i]);
    pair[i] = -1;
  }
}

}  // namespace

ExecSessions::ExecSessions(int epoll_fd, const Confinement& confinement,
                           std::vector<runtime::Rlimit> rlimits,
                           std::function<absl::Status(pid_t)> place)
    : epoll_fd_(epoll_fd),
      confinement_(confinement),
      rlimits_(std::move(rlimits)),
      place_(std::move(place)) {}

ExecSessions::~ExecSessions() {
  for (auto& [pid, session] : sessions_) {
    StopReading(session.out_fd);
    StopReading(session.err_fd);
  }
}

void ExecSessions::Start(int fd, pid_t init_pid, const ExecRequest& request) {
  if (request.args().empty() || request.args(0).empty()) {
    return RefuseAndClose(fd, absl::InvalidArgumentError("no command given"));
  }
  std::vector<int> capabilities = confinement_.capabilities;
  if (request.privileged()) {
    absl::StatusOr<std::vector<int>> all =
        security::ContainerCapabilities(true, {}, {});
    if (!all.ok()) return RefuseAndClose(fd, all.status());
    capabilities = *std::move(all);
  }
  runtime::JoinSpec join;
  join.target = init_pid;
  join.args = {request.args().begin(), request.args().end()};
  join.env = {request.env().begin(), request.env().end()};
  join.cwd = request.cwd();
  join.user = request.user();
  join.rlimits = rlimits_;
  join.tty = request.tty();
  join.console_height = request.console_height();
  join.console_width = request.console_width();
  const bool root_user = IsRootUser(request.user());
  join.before_exec = [this, capabilities, root_user] {
    return ApplyConfinement(confinement_, capabilities, root_user);
  };

  Session session;
  int stdin_writer = -1;
  int console[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1},
      in[2] = {-1, -1};
  absl::StatusOr<pid_t> pid;
  if (request.tty()) {
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, console) != 0) {
      return RefuseAndClose(fd, ErrnoStatus(errno, "socketpair", "the exec's console"));
    }
    join.console_socket = console[1];
    pid = runtime::SpawnInContainer(join, place_);
    close(console[1]);
    console[1] = -1;
    if (pid.ok()) {
      absl::StatusOr<int> master =
          ReceiveDescriptor(console[0], absl::Now() + absl::Seconds(5));
      if (!master.ok()) {
        kill(*pid, SIGKILL);
        waitpid(*pid, nullptr, 0);
        pid = absl::InternalError(absl::StrCat(
            "the exec's terminal did not arrive: ", master.status().message()));
      } else {
        session.out_fd = *master;
        if (request.stdin()) stdin_writer = fcntl(*master, F_DUPFD_CLOEXEC, 3);
      }
    }
    CloseBoth(console);
  } else {
    if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0 ||
        (request.stdin() && pipe2(in, O_CLOEXEC) != 0)) {
      const absl::Status failed = ErrnoStatus(errno, "pipe2", "the exec's stdio");
      CloseBoth(out);
      CloseBoth(err);
      CloseBoth(in);
      return RefuseAndClose(fd, failed);
    }
    join.stdin_fd = in[0];
    join.stdout_fd = out[1];
    join.stderr_fd = err[1];
    pid = runtime::SpawnInContainer(join, place_);
    close(out[1]);
    close(err[1]);
    if (in[0] >= 0) close(in[0]);
    session.out_fd = out[0];
    session.err_fd = err[0];
    stdin_writer = in[1];
  }
  if (!pid.ok()) {
    for (int* own : {&session.out_fd, &session.err_fd, &stdin_writer}) {
      if (*own >= 0) close(*own);
    }
    return RefuseAndClose(fd, pid.status());
  }
  session.pid = *pid;
  for (int own : {session.out_fd, session.err_fd, stdin_writer}) {
    if (own >= 0) fcntl(own, F_SETFL, fcntl(own, F_GETFL) | O_NONBLOCK);
  }
  for (int own : {session.out_fd, session.err_fd}) {
    if (own < 0) continue;
    epoll_event event = {};
    event.events = EPOLLIN;
    event.data.fd = own;
    epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, own, &event);
  }
  StdioHubOptions options;
  options.stdin_fd = stdin_writer;
  options.tty = request.tty();
  options.stdin_once = true;  // the client's end of input is the process's
  options.max_clients = 1;
  session.hub = std::make_unique<StdioHub>(epoll_fd_, options);
  ::berth::shim::v1::AttachRequest wants;
  wants.set_stdin(request.stdin());
  wants.set_stdout(true);
  wants.set_stderr(true);
  Response answer;
  answer.mutable_exec()->set_pid(session.pid);
  absl::Status added = session.hub->Add(fd, wants, &answer);
  if (!added.ok()) RefuseAndClose(fd, added);  // the process runs on
  sessions_.emplace(session.pid, std::move(session));
}

bool ExecSessions::Owns(int fd) const {
  for (const auto& [pid, session] : sessions_) {
    if (fd == session.out_fd || fd == session.err_fd || session.hub->Owns(fd)) {
      return true;
    }
  }
  return false;
}

void ExecSessions::OnEvent(int fd, uint32_t events) {
  for (auto& [pid, session] : sessions_) {
    if (fd == session.out_fd || fd == session.err_fd) {
      OnOutput(session, fd);
      return;
    }
    if (session.hub->Owns(fd)) return session.hub->OnEvent(fd, events);
  }
}

bool ExecSessions::OnOutput(Session& session, int fd) {
  char buffer[64 * 1024];
  ssize_t n = read(fd, buffer, sizeof(buffer));
  if (n < 0 && errno == EINTR) return true;
  if (n < 0 && errno == EAGAIN) return false;
  const bool is_stdout = fd == session.out_fd;
  if (n <= 0) {
    // EOF, or EIO from a terminal whose last user closed it.
    StopReading(is_stdout ? session.out_fd : session.err_fd);
    return false;
  }
  session.hub->Broadcast(is_stdout ? 1 : 2,
                         absl::string_view(buffer, static_cast<size_t>(n)));
  return true;
}

void ExecSessions::StopReading(int& fd) {
  if (fd < 0) return;
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  close(fd);
  fd = -1;
}

bool ExecSessions::OnExit(pid_t pid, int status) {
  auto it = sessions_.find(pid);
  if (it == sessions_.end()) return false;
  it->second.exit_code = ExitCodeOf(status);
  it->second.exited_at = absl::Now();
  return true;
}

void ExecSessions::Close(Session& session) {
  StopReading(session.out_fd);
  StopReading(session.err_fd);
  WaitResponse exit;
  exit.set_exit_code(session.exit_code.value_or(137));
  exit.set_finished_at_unix_nanos(absl::ToUnixNanos(session.exited_at));
  session.hub->Close(exit);
  session.closed = true;
}

bool ExecSessions::Tick() {
  bool ending = false;
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    Session& session = it->second;
    if (!session.exit_code.has_value()) {
      ++it;
      continue;
    }
    const bool drained = session.out_fd < 0 && session.err_fd < 0;
    if (!session.closed &&
        (drained || absl::Now() - session.exited_at > kDrainTimeout)) {
      Close(session);
    }
    if (session.closed && session.hub->clients() == 0) {
      it = sessions_.erase(it);
      continue;
    }
    ending = true;
    ++it;
  }
  return ending;
}

void ExecSessions::Finish(absl::Time deadline) {
  for (auto& [pid, session] : sessions_) {
    if (!session.exit_code.has_value()) {
      // Its PID namespace ended with the init; SIGKILL in case it shared
      // the host's.
      kill(pid, SIGKILL);
      int status = 0;
      pid_t reaped;
      while ((reaped = waitpid(pid, &status, 0)) < 0 && errno == EINTR) {
      }
      if (reaped == pid) OnExit(pid, status);
    }
    // What the pipes still hold goes out first.
    for (int* fd : {&session.out_fd, &session.err_fd}) {
      while (*fd >= 0 && OnOutput(session, *fd)) {
      }
      StopReading(*fd);
    }
    WaitResponse exit;
    exit.set_exit_code(session.exit_code.value_or(137));
    exit.set_finished_at_unix_nanos(absl::ToUnixNanos(session.exited_at));
    session.hub->Finish(exit, deadline);
  }
  sessions_.clear();
}

}  // namespace berth::containerd::shim
