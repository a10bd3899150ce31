#include "services/containerd/shim/shim_process.h"

#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/failpoint.h"
#include "common/fs_util.h"
#include "common/status_macros.h"
#include "common/unix_socket.h"
#include "services/containerd/cgroups/cgroups.h"
#include "services/containerd/logs/log_writer.h"
#include "services/containerd/runtime/runtime.h"
#include "services/containerd/security/capabilities.h"
#include "services/containerd/security/paths.h"
#include "services/containerd/security/seccomp.h"
#include "services/containerd/shim/confinement.h"
#include "services/containerd/shim/event_loop.h"
#include "services/containerd/shim/exec_sessions.h"
#include "services/containerd/shim/framing.h"
#include "services/containerd/shim/protocol.h"
#include "services/containerd/shim/shim_setup.h"
#include "services/containerd/shim/stdio_hub.h"

namespace berth::containerd::shim {

using ::berth::shim::v1::Request;
using ::berth::shim::v1::Response;
using ::berth::shim::v1::StateResponse;
using ::berth::shim::v1::WaitResponse;

namespace {

// How long output may keep flowing after the init exited (a daemonized
// grandchild outside the PID namespace cannot exist, so this is a bound).
constexpr absl::Duration kDrainTimeout = absl::Seconds(5);
// How long the output waits for the client that asked for it (await_attach)
// before it is only logged.
constexpr absl::Duration kAwaitAttachTimeout = absl::Seconds(5);
// How long attached clients get to take their last output once the init
// has exited.
constexpr absl::Duration kClientDrainTimeout = absl::Seconds(5);

class Shim {
 public:
  explicit Shim(const ShimSpec& spec) : spec_(spec) {}
  ~Shim();

  // Starts the container; on failure records the exit and reports.
  absl::Status Start();
  void Serve();
  pid_t init_pid() const { return init_pid_; }
  // Whether this shim bound the control socket (and so may remove it).
  bool owns_socket() const { return listen_fd_ >= 0; }

 private:
  absl::Status SpawnInit(int stdin_fd, int stdout_fd, int stderr_fd,
                         int console_socket);
  void OnOutput(int fd);
  // Starts reading the init's output (at once, or once the awaited client
  // attached).
  void WatchOutput();
  void OnSignal();
  void OnAccept();
  void OnClient(int fd);
  void Attach(int fd, const ::berth::shim::v1::AttachRequest& wants);
  // Answers a client and closes its connection.
  void Reply(int fd, ::berth::shim::v1::Response response);
  void ReplyError(int fd, const absl::Status& status);
  void Finish(const absl::Status& loop);
  void Watch(int fd);
  void Forget(int fd);

  const ShimSpec& spec_;
  std::unique_ptr<cgroups::CgroupDriver> cgroup_;
  std::unique_ptr<logs::LogWriter> log_;
  Confinement confinement_;
  int epoll_fd_ = -1;
  int listen_fd_ = -1;
  int signal_fd_ = -1;
  int stdout_fd_ = -1;
  int stderr_fd_ = -1;
  std::unique_ptr<StdioHub> hub_;
  std::unique_ptr<ExecSessions> execs_;
  bool execs_ending_ = false;
  bool output_watched_ = false;
  absl::Time attach_deadline_ = absl::InfinitePast();
  pid_t init_pid_ = 0;
  std::optional<int> exit_code_;
  absl::Time exited_at_;
  std::map<int, std::string> clients_;  // fd -> bytes of its request so far
  std::vector<int> waiters_;
};

Shim::~Shim() {
  for (int fd : {epoll_fd_, listen_fd_, signal_fd_, stdout_fd_, stderr_fd_}) {
    if (fd >= 0) close(fd);
  }
}

void Shim::Watch(int fd) {
  epoll_event event = {};
  event.events = EPOLLIN;
  event.data.fd = fd;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event);
}

void Shim::Forget(int fd) {
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  close(fd);
}

absl::Status Shim::SpawnInit(int stdin_fd, int stdout_fd, int stderr_fd,
                             int console_socket) {
  runtime::InitSpec init;
  init.rootfs_dir = spec_.rootfs_dir();
  init.overlay_options = spec_.overlay_options();
  init.readonly_rootfs = spec_.readonly_rootfs();
  init.args = {spec_.args().begin(), spec_.args().end()};
  init.env = {spec_.env().begin(), spec_.env().end()};
  init.cwd = spec_.cwd();
  init.user = spec_.user();
  init.group_add = {spec_.group_add().begin(), spec_.group_add().end()};
  init.hostname = spec_.hostname();
  init.domainname = spec_.domainname();
  init.clone_flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC;
  if (spec_.network_mode() == ::berth::shim::v1::NETWORK_MODE_NONE) {
    init.clone_flags |= CLONE_NEWNET;
  } else if (spec_.network_mode() == ::berth::shim::v1::NETWORK_MODE_PATH) {
    init.netns_path = spec_.netns_path();
  }
  if (spec_.cgroupns_private()) init.clone_flags |= CLONE_NEWCGROUP;
  ASSIGN_OR_RETURN(init.root_propagation,
                   PropagationOf(spec_.root_propagation()));
  ASSIGN_OR_RETURN(init.mounts, MountsOf(spec_));
  ASSIGN_OR_RETURN(init.rlimits, RlimitsOf(spec_));
  init.privileged = spec_.confinement().privileged();
  for (const ::berth::shim::v1::Device& device : spec_.devices()) {
    init.devices.push_back({device.path_on_host(), device.path_in_container()});
  }
  init.run_init = spec_.run_init();
  for (const ::berth::shim::v1::IdMap& map : spec_.uid_map()) {
    init.uid_map.push_back({map.container_id(), map.host_id(), map.size()});
  }
  for (const ::berth::shim::v1::IdMap& map : spec_.gid_map()) {
    init.gid_map.push_back({map.container_id(), map.host_id(), map.size()});
  }
  init.stdin_fd = stdin_fd;
  init.stdout_fd = stdout_fd;
  init.stderr_fd = stderr_fd;
  init.tty = spec_.tty();
  init.console_height = spec_.console_height();
  init.console_width = spec_.console_width();
  init.console_socket = console_socket;
  init.after_pivot_root = [this]() -> absl::Status {
    const ::berth::shim::v1::Confinement& confinement = spec_.confinement();
    RETURN_IF_ERROR(security::MaskPaths(std::vector<std::string>(
        confinement.masked_paths().items().begin(),
        confinement.masked_paths().items().end())));
    return security::MakeReadonly(std::vector<std::string>(
        confinement.readonly_paths().items().begin(),
        confinement.readonly_paths().items().end()));
  };
  const bool root_user = IsRootUser(spec_.user());
  init.before_exec = [this, root_user]() -> absl::Status {
    return ApplyConfinement(confinement_, confinement_.capabilities, root_user);
  };
  ASSIGN_OR_RETURN(init_pid_,
                   runtime::SpawnContainerInit(init, [this](pid_t pid) {
                     return cgroup_->AddProcess(spec_.id(), pid);
                   }));
  return absl::OkStatus();
}

absl::Status Shim::Start() {
  sigset_t handled;
  sigemptyset(&handled);
  sigaddset(&handled, SIGCHLD);
  sigaddset(&handled, SIGTERM);
  sigaddset(&handled, SIGINT);
  sigprocmask(SIG_BLOCK, &handled, nullptr);
  signal(SIGPIPE, SIG_IGN);
  signal_fd_ = signalfd(-1, &handled, SFD_CLOEXEC | SFD_NONBLOCK);
  if (signal_fd_ < 0) return ErrnoStatus(errno, "signalfd", spec_.id());
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) return ErrnoStatus(errno, "epoll_create1", spec_.id());
  // Before the socket exists, containerd's recovery cannot find this shim.
  Failpoint("shim-before-listen");
  ASSIGN_OR_RETURN(listen_fd_, ListenOn(spec_.socket_path()));
  if (!spec_.log_path().empty()) {
    logs::LogOptions options;
    options.max_size = spec_.log_max_size() > 0 ? spec_.log_max_size() : -1;
    options.max_file = spec_.log_max_file();
    ASSIGN_OR_RETURN(log_, logs::LogWriter::Open(spec_.log_path(), options));
  }
  ASSIGN_OR_RETURN(confinement_, PrepareConfinement(spec_));
  ASSIGN_OR_RETURN(cgroup_, cgroups::DetectCgroupDriver(spec_.cgroup_parent()));
  ASSIGN_OR_RETURN(const cgroups::Limits limits, LimitsOf(spec_));
  absl::Status created = cgroup_->Create(spec_.id(), limits);
  if (absl::IsAlreadyExists(created)) {
    // The previous run's shim may still be removing it (see Finish).
    RETURN_IF_ERROR(cgroup_->Remove(spec_.id()));
    created = cgroup_->Create(spec_.id(), limits);
  }
  RETURN_IF_ERROR(created);

  absl::Status spawned;
  int stdin_writer = -1;  // the hub's end of the init's stdin
  if (spec_.tty()) {
    // The init opens its terminal in the container's own devpts and sends
    // the master back; it carries everything the container writes.
    int console[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, console) != 0) {
      return ErrnoStatus(errno, "socketpair", "the console socket");
    }
    spawned = SpawnInit(-1, -1, -1, console[1]);
    close(console[1]);
    if (spawned.ok()) {
      // Sent before the exec that SpawnInit waited for: it is there.
      absl::StatusOr<int> master =
          ReceiveDescriptor(console[0], absl::Now() + absl::Seconds(5));
      if (master.ok()) {
        stdout_fd_ = *master;
        if (spec_.open_stdin()) {
          stdin_writer = fcntl(*master, F_DUPFD_CLOEXEC, 3);
          if (stdin_writer < 0) {
            spawned = ErrnoStatus(errno, "dup", "the terminal's master");
          }
        }
      } else {
        spawned = absl::InternalError(absl::StrCat(
            "the container's terminal did not arrive: ", master.status().message()));
      }
    }
    close(console[0]);
  } else {
    int out[2], err[2], in[2] = {-1, -1};
    if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0 ||
        (spec_.open_stdin() && pipe2(in, O_CLOEXEC) != 0)) {
      return ErrnoStatus(errno, "pipe2", spec_.id());
    }
    spawned = SpawnInit(in[0], out[1], err[1], -1);
    close(out[1]);
    close(err[1]);
    if (in[0] >= 0) close(in[0]);
    stdin_writer = in[1];
    stdout_fd_ = out[0];
    stderr_fd_ = err[0];
  }
  if (stdin_writer >= 0) {
    // Never block the shim on a container that does not read its stdin.
    fcntl(stdin_writer, F_SETFL, fcntl(stdin_writer, F_GETFL) | O_NONBLOCK);
  }
  StdioHubOptions hub;
  hub.stdin_fd = stdin_writer;
  hub.tty = spec_.tty();
  hub.stdin_once = spec_.stdin_once();
  hub_ = std::make_unique<StdioHub>(epoll_fd_, hub);
  if (!spawned.ok()) {
    cgroup_->Remove(spec_.id()).IgnoreError();
    return spawned;
  }
  ASSIGN_OR_RETURN(std::vector<runtime::Rlimit> rlimits, RlimitsOf(spec_));
  execs_ = std::make_unique<ExecSessions>(
      epoll_fd_, confinement_, std::move(rlimits),
      [this](pid_t pid) { return cgroup_->AddProcess(spec_.id(), pid); });
  Watch(signal_fd_);
  Watch(listen_fd_);
  if (spec_.await_attach()) {
    attach_deadline_ = absl::Now() + kAwaitAttachTimeout;
  } else {
    WatchOutput();
  }
  return absl::OkStatus();
}

void Shim::WatchOutput() {
  if (output_watched_) return;
  output_watched_ = true;
  Watch(stdout_fd_);
  if (stderr_fd_ >= 0) Watch(stderr_fd_);
}

void Shim::Attach(int fd, const ::berth::shim::v1::AttachRequest& wants) {
  absl::Status added = hub_->Add(fd, wants);
  if (!added.ok()) return ReplyError(fd, added);
  WatchOutput();
}

void Shim::OnOutput(int fd) {
  char buffer[64 * 1024];
  ssize_t n = read(fd, buffer, sizeof(buffer));
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
  const bool is_stdout = fd == stdout_fd_;
  if (n <= 0) {
    Forget(fd);
    (is_stdout ? stdout_fd_ : stderr_fd_) = -1;
    return;
  }
  hub_->Broadcast(is_stdout ? 1 : 2,
                  absl::string_view(buffer, static_cast<size_t>(n)));
  if (log_ != nullptr) {
    absl::Status written = log_->Write(
        is_stdout ? logs::Stream::kStdout : logs::Stream::kStderr,
        absl::string_view(buffer, static_cast<size_t>(n)), absl::Now());
    if (!written.ok()) {
      std::fprintf(stderr, "berth-shim %s: %s\n", spec_.id().c_str(),
                   std::string(written.message()).c_str());
    }
  }
}

void Shim::OnSignal() {
  signalfd_siginfo info;
  while (read(signal_fd_, &info, sizeof(info)) == sizeof(info)) {
  }
  while (true) {
    int status = 0;
    pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid <= 0) break;
    if (pid != init_pid_) {
      if (execs_ != nullptr) execs_->OnExit(pid, status);
      continue;
    }
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status)
                                   : 128 + WTERMSIG(status);
    exited_at_ = absl::Now();
  }
}

void Shim::OnAccept() {
  while (true) {
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) return;
    clients_[fd] = "";
    Watch(fd);
  }
}

void Shim::Reply(int fd, Response response) {
  response.set_version(kProtocolVersion);
  // Non-blocking, and replies are a few bytes: a containerd that does not
  // read them cannot stall the shim.
  const std::string frame = EncodeFrame(response);
  ssize_t ignored = send(fd, frame.data(), frame.size(), MSG_NOSIGNAL);
  (void)ignored;
  close(fd);
}

void Shim::ReplyError(int fd, const absl::Status& status) {
  Response response;
  SetError(status, response.mutable_error());
  Reply(fd, std::move(response));
}

void Shim::OnClient(int fd) {
  char buffer[512];
  ssize_t n = read(fd, buffer, sizeof(buffer));
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
  std::string& pending = clients_[fd];
  if (n > 0) pending.append(buffer, static_cast<size_t>(n));
  absl::StatusOr<std::optional<std::string>> frame =
      TakeFrame(&pending, "containerd");
  if (frame.ok() && !frame->has_value() && n > 0) return;  // more to come
  // One request per connection: whatever happens now ends reading it.
  clients_.erase(fd);
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  if (!frame.ok()) return ReplyError(fd, frame.status());
  if (!frame->has_value()) {
    if (n < 0) {
      close(fd);
      return;
    }
    return ReplyError(fd, absl::InvalidArgumentError(
                              "the connection closed before a whole request"));
  }
  Request request;
  absl::Status parsed = ParsePayload(**frame, &request, "containerd");
  if (!parsed.ok()) return ReplyError(fd, parsed);
  absl::Status version = CheckVersion(request.version(), "containerd", "shim");
  if (!version.ok()) return ReplyError(fd, version);
  Response response;
  switch (request.request_case()) {
    case Request::kWait:
      waiters_.push_back(fd);  // answered in Finish
      return;
    case Request::kAttach:
      return Attach(fd, request.attach());
    case Request::kExec:
      if (exit_code_) {
        return ReplyError(fd, absl::FailedPreconditionError(
                                  "container is not running"));
      }
      return execs_->Start(fd, init_pid_, request.exec());
    case Request::kState: {
      StateResponse* state = response.mutable_state();
      state->set_running(!exit_code_.has_value());
      state->set_init_pid(init_pid_);
      if (exit_code_) state->set_exit_code(*exit_code_);
      return Reply(fd, std::move(response));
    }
    case Request::kKill:
      if (exit_code_) {
        return ReplyError(fd, absl::FailedPreconditionError(
                                  "container is not running"));
      }
      if (kill(init_pid_, request.kill().signal()) != 0) {
        return ReplyError(fd, ErrnoStatus(errno, "kill",
                                          absl::StrCat("init pid ", init_pid_)));
      }
      response.mutable_kill();
      return Reply(fd, std::move(response));
    default:
      // A request of a later protocol revision (a reserved tag) or none.
      return ReplyError(fd, absl::UnimplementedError(absl::StrCat(
                                "this shim (protocol ", kProtocolVersion,
                                ") does not implement request ",
                                static_cast<int>(request.request_case()))));
  }
}

void Shim::Finish(const absl::Status& loop) {
  if (log_ != nullptr) log_->Flush(absl::Now()).IgnoreError();
  ExitRecord record = ExitRecordAfterLoop(exit_code_, exited_at_, loop);
  absl::StatusOr<bool> oom = cgroup_->OomKilled(spec_.id());
  record.oom_killed = oom.ok() && *oom;
  absl::Status written =
      WriteExitRecord(absl::StrCat(spec_.state_dir(), "/", kExitFile), record);
  if (!written.ok()) {
    std::fprintf(stderr, "berth-shim %s: %s\n", spec_.id().c_str(),
                 std::string(written.message()).c_str());
  }
  Response response;
  WaitResponse* wait = response.mutable_wait();
  wait->set_exit_code(record.exit_code);
  wait->set_oom_killed(record.oom_killed);
  wait->set_finished_at_unix_nanos(absl::ToUnixNanos(record.finished_at));
  for (int fd : waiters_) Reply(fd, response);
  waiters_.clear();
  // Closed before the clients' drain: a restart's shim may bind it at once.
  close(listen_fd_);
  listen_fd_ = -1;
  unlink(spec_.socket_path().c_str());
  if (execs_ != nullptr) execs_->Finish(absl::Now() + kClientDrainTimeout);
  hub_->Finish(*wait, absl::Now() + kClientDrainTimeout);
  // Last: removing v1 cgroups takes milliseconds per hierarchy, and nobody
  // needs to wait for it (a restart of this container replaces a leftover).
  absl::Status removed = cgroup_->Remove(spec_.id());
  if (!removed.ok()) {
    std::fprintf(stderr, "berth-shim %s: %s\n", spec_.id().c_str(),
                 std::string(removed.message()).c_str());
  }
}

void Shim::Serve() {
  absl::Status loop = RunEventLoop(
      epoll_fd_,
      [this] {
        if (!output_watched_ && absl::Now() >= attach_deadline_) {
          WatchOutput();  // nobody attached in time: the log still gets it
        }
        execs_ending_ = execs_->Tick();
        const bool output_open = stdout_fd_ >= 0 || stderr_fd_ >= 0;
        return exit_code_.has_value() &&
               (!output_open || absl::Now() - exited_at_ > kDrainTimeout);
      },
      [this] {
        int timeout = exit_code_ || execs_ending_ ? 100 : -1;
        if (!output_watched_) {
          const int64_t left = std::max<int64_t>(
              1, absl::ToInt64Milliseconds(attach_deadline_ - absl::Now()) + 1);
          if (timeout < 0 || left < timeout) timeout = static_cast<int>(left);
        }
        return timeout;
      },
      [this](int fd, uint32_t events) {
        if (hub_->Owns(fd)) {
          hub_->OnEvent(fd, events);
        } else if (execs_->Owns(fd)) {
          execs_->OnEvent(fd, events);
        } else if (fd == signal_fd_) {
          OnSignal();
        } else if (fd == listen_fd_) {
          OnAccept();
        } else if (fd == stdout_fd_ || fd == stderr_fd_) {
          OnOutput(fd);
        } else if (clients_.count(fd) != 0) {
          OnClient(fd);
        }
      });
  if (!loop.ok() && !exit_code_) {
    // Blind now: nobody would see the init exit. End it rather than leave
    // a container running that nothing tracks; the record says why.
    std::fprintf(stderr, "berth-shim %s: %s\n", spec_.id().c_str(),
                 std::string(loop.message()).c_str());
    kill(init_pid_, SIGKILL);
    int status = 0;
    pid_t reaped;
    while ((reaped = waitpid(init_pid_, &status, 0)) < 0 && errno == EINTR) {
    }
    if (reaped == init_pid_) {
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status)
                                     : 128 + WTERMSIG(status);
      exited_at_ = absl::Now();
    }
  }
  Finish(loop);
}

}  // namespace

int RunShim(const ShimSpec& spec) {
  Shim shim(spec);
  absl::Status started = shim.Start();
  if (!started.ok()) {
    ExitRecord record;
    record.exit_code = absl::IsNotFound(started)           ? 127
                       : absl::IsPermissionDenied(started) ? 126
                                                           : 125;
    record.finished_at = absl::Now();
    record.error = std::string(started.message());
    WriteExitRecord(absl::StrCat(spec.state_dir(), "/", kExitFile), record)
        .IgnoreError();
    if (shim.owns_socket()) unlink(spec.socket_path().c_str());
    // Nothing runs; if containerd is gone its recovery finds the record as
    // it was, which is true.
    ReportStart(StartErrorFrame(started)).IgnoreError();
    return 0;
  }
  // Started: the container's exec happened. containerd records the pids.
  absl::Status reported = ReportStart(ReadyFrame(getpid(), shim.init_pid()));
  if (!reported.ok()) {
    // containerd died before it learned of this start, so its record does
    // not say the container runs, and its recovery may have looked for this
    // shim before the socket was bound: end the container rather than run
    // it untracked. Serving on records the exit and cleans up as usual.
    std::fprintf(stderr, "berth-shim: %s: containerd did not hear of the start "
                 "(%s); ending the container\n", spec.id().c_str(),
                 std::string(reported.message()).c_str());
    kill(shim.init_pid(), SIGKILL);
  }
  // Setup (seccomp compilation above all) left freed heap behind; give it
  // back, the shim lives as long as its container.
  malloc_trim(0);
  shim.Serve();
  return 0;
}

}  // namespace berth::containerd::shim
