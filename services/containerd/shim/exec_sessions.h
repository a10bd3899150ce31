// The shim's `berth exec` processes (protocol: ExecRequest in
// proto/berth/shim/v1/shim.proto): each is started in the container
// (runtime/join.h) with the container's confinement and placed in its
// cgroup, and gets a stream of its own, served like an attach stream by a
// StdioHub with that one client. A session ends once its process exited and
// its output is drained and handed to the client; the process keeps running
// if the client goes away first (Docker's exec does too). Exec output is not
// logged.
#ifndef BERTH_SERVICES_CONTAINERD_SHIM_EXEC_SESSIONS_H_
#define BERTH_SERVICES_CONTAINERD_SHIM_EXEC_SESSIONS_H_

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "berth/shim/v1/shim.pb.h"
#include "services/containerd/runtime/runtime.h"
#include "services/containerd/shim/confinement.h"
#include "services/containerd/shim/stdio_hub.h"

namespace berth::containerd::shim {

class ExecSessions {
 public:
  // `place` puts a new process in the container's cgroup before it runs.
  ExecSessions(int epoll_fd, const Confinement& confinement,
               std::vector<runtime::Rlimit> rlimits,
               std::function<absl::Status(pid_t)> place);
  ~ExecSessions();
  ExecSessions(const ExecSessions&) = delete;
  ExecSessions& operator=(const ExecSessions&) = delete;

  // Starts `request` in the container whose init is `init_pid`, and takes
  // `fd`, the connection it came on: answered with an ExecResponse and then
  // the process's stream, or with the Error and closed.
  void Start(int fd, pid_t init_pid, const ::berth::shim::v1::ExecRequest& request);

  bool Owns(int fd) const;
  void OnEvent(int fd, uint32_t events);
  // A child of the shim ended (`status` from waitpid): true if it was an
  // exec's process.
  bool OnExit(pid_t pid, int status);
  // Ends the sessions whose process exited and whose output is drained (or
  // had kDrainTimeout to drain). True while a session is ending, so the
  // caller comes back soon.
  bool Tick();
  // The container is gone: every process is killed and reaped, and each
  // client gets what is left and the exit, until `deadline`.
  void Finish(absl::Time deadline);
  size_t size() const { return sessions_.size(); }

 private:
  struct Session {
    pid_t pid = 0;
    int out_fd = -1;  // stdout, or the terminal's master
    int err_fd = -1;  // stderr; -1 with a terminal
    std::unique_ptr<StdioHub> hub;
    std::optional<int> exit_code;
    absl::Time exited_at;
    bool closed = false;  // the hub had its exit
  };

  // Reads once from `fd`; false when nothing more is there for now (or
  // ever: then it is closed).
  bool OnOutput(Session& session, int fd);
  void StopReading(int& fd);
  void Close(Session& session);

  const int epoll_fd_;
  const Confinement& confinement_;
  const std::vector<runtime::Rlimit> rlimits_;
  const std::function<absl::Status(pid_t)> place_;
  std::map<pid_t, Session> sessions_;
};

}  // namespace berth::containerd::shim

#endif  // BERTH_SERVICES_CONTAINERD_SHIM_EXEC_SESSIONS_H_
