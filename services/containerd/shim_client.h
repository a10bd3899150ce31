// ShimClient: how containerd reaches the per-container berth-shims: launch
// one, signal its container, watch for its exit, adopt it after a restart,
// and kill one that stopped answering. An interface, so containerd's
// lifecycle logic is unit-tested without shims or root
// (container_supervisor_test.cc has the fake).
//
// Every call that talks to a shim has a deadline: a shim that does not
// answer in time is reported as DEADLINE_EXCEEDED and never waited on.
#ifndef BERTH_SERVICES_CONTAINERD_SHIM_CLIENT_H_
#define BERTH_SERVICES_CONTAINERD_SHIM_CLIENT_H_

#include <sys/types.h>

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/containerd/container_paths.h"
#include "services/containerd/shim/protocol.h"

namespace berth::containerd {

class ShimClient {
 public:
  // Called once per Watch, from the client's own thread, when the shim
  // reports the init's exit (OK) or disappears without a report
  // (UNAVAILABLE: the caller consults the exit record).
  using ExitCallback = std::function<void(
      const std::string& id, const absl::StatusOr<shim::ExitRecord>& exit)>;

  virtual ~ShimClient() = default;

  // Set once, before the first Watch.
  virtual void SetExitHandler(ExitCallback on_exit) = 0;

  // Launches berth-shim for the container whose spec is written in
  // paths.state_dir and returns once the container's command was exec'd.
  // A command that could not run: NOT_FOUND (exit 127), PERMISSION_DENIED
  // (126), another code (125). DEADLINE_EXCEEDED when the shim did not
  // report in time: what was launched has been killed then.
  virtual absl::StatusOr<shim::LaunchedShim> Launch(
      const ContainerPaths& paths) = 0;

  // Sends `signal` to the container's init. UNAVAILABLE: no shim answers
  // (it is gone); DEADLINE_EXCEEDED: the shim did not answer in time;
  // FAILED_PRECONDITION: the init has already exited.
  virtual absl::Status Signal(const ContainerPaths& paths, int signal) = 0;

  // Starts watching the shim of container `id` (adopting it after a
  // daemon restart): the exit handler is called once when it exits.
  // UNAVAILABLE when no shim answers; FAILED_PRECONDITION when the shim
  // speaks a protocol this containerd does not (the message says which).
  virtual absl::Status Watch(const std::string& id,
                             const ContainerPaths& paths) = 0;

  // The exit record the shim left; NOT_FOUND when there is none.
  virtual absl::StatusOr<shim::ExitRecord> ReadExit(
      const ContainerPaths& paths) = 0;

  // Opens a stream to the init's stdio (shim.proto AttachRequest).
  // UNAVAILABLE: no shim answers; FAILED_PRECONDITION: stdin asked of a
  // container without open stdin.
  virtual absl::StatusOr<shim::ShimStream> Attach(
      const ContainerPaths& paths,
      const ::berth::shim::v1::AttachRequest& wants) = 0;

  // Starts a process in the running container (shim.proto ExecRequest) and
  // opens its stream; `pid` is set. UNAVAILABLE: no shim answers (the
  // container is gone); the shim's errors (shim/protocol.h OpenExec).
  virtual absl::StatusOr<shim::ShimStream> Exec(
      const ContainerPaths& paths,
      const ::berth::shim::v1::ExecRequest& request) = 0;

  // SIGKILLs a shim that stopped answering (the caller kills the
  // container's processes through its cgroup). OK if it is already gone.
  virtual absl::Status KillShim(pid_t shim_pid) = 0;

  // Stops watching: no exit handler runs after this returns, and Watch
  // fails from then on.
  virtual void Shutdown() = 0;
};

struct ShimClientOptions {
  std::string shim_path;  // berth-shim
  // How long a shim may take to start the container.
  absl::Duration launch_timeout = absl::Seconds(60);
  // How long a shim may take to answer any other call.
  absl::Duration call_timeout = absl::Seconds(5);
};

// Shims reached over their control sockets (shim/protocol.h).
absl::StatusOr<std::unique_ptr<ShimClient>> NewSocketShimClient(
    ShimClientOptions options);

}  // namespace berth::containerd

#endif  // BERTH_SERVICES_CONTAINERD_SHIM_CLIENT_H_
