// A process started in a running container (`berth exec`): it joins the
// init's namespaces (the user namespace last, right before it switches
// user, as the init did), its root, and — through the caller's on_created —
// its cgroup, then takes its user, working directory, limits and
// confinement and execs. It is the caller's direct child.
#ifndef BERTH_SERVICES_CONTAINERD_RUNTIME_JOIN_H_
#define BERTH_SERVICES_CONTAINERD_RUNTIME_JOIN_H_

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/containerd/runtime/runtime.h"

namespace berth {
namespace containerd {
namespace runtime {

struct JoinSpec {
  // Host pid of the container's init, whose namespaces and root are joined.
  pid_t target = 0;
  std::vector<std::string> args;  // args[0] is looked up in env's PATH
  std::vector<std::string> env;   // "KEY=value"; BuildEnv adds the defaults
  // Must exist in the container (unlike the init's, it is not created);
  // "" means "/".
  std::string cwd;
  // Docker's -u, resolved from the container's /etc/passwd and /etc/group.
  std::string user;
  std::vector<std::string> group_add;
  std::vector<Rlimit> rlimits;

  // Become 0, 1 and 2; -1 means the container's /dev/null.
  int stdin_fd = -1;
  int stdout_fd = -1;
  int stderr_fd = -1;
  // A terminal from the container's devpts, its master sent over
  // `console_socket` (required with tty), as for the init but without
  // /dev/console.
  bool tty = false;
  int console_socket = -1;
  unsigned console_height = 0;
  unsigned console_width = 0;

  // Runs after the user switch, right before execve: the confinement.
  std::function<absl::Status()> before_exec;
};

// Starts `spec` in the container. `on_created(pid)` runs before the process
// does anything (put it in the container's cgroup). Returns once the
// command was exec'd, or why it was not: NotFound / PermissionDenied for
// the command, FailedPrecondition for the working directory or user,
// NotFound naming the init when the container's init is gone.
absl::StatusOr<pid_t> SpawnInContainer(
    const JoinSpec& spec, const std::function<absl::Status(pid_t)>& on_created);

}  // namespace runtime
}  // namespace containerd
}  // namespace berth

#endif  // BERTH_SERVICES_CONTAINERD_RUNTIME_JOIN_H_
