// The CLI's side of a container's stdio (`run` without -d, `start -a`,
// `attach`, and later `exec`): the user's stdin, window size and end of
// input go to the daemon, the container's output to stdout and stderr, until
// the process exits or the user types the detach keys. With a tty and a
// terminal on stdin, the terminal is raw meanwhile (terminal.h).
#ifndef BERTH_CTL_CONTAINER_STDIO_SESSION_H_
#define BERTH_CTL_CONTAINER_STDIO_SESSION_H_

#include <functional>
#include <memory>
#include <string>

#include "berth/container/v1/container.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace berth::ctl {

struct StdioOptions {
  bool attach_stdin = false;
  bool attach_stdout = true;
  bool attach_stderr = true;
  // The container's (or exec's) process has a terminal.
  bool tty = false;
  // "" means the daemon's default (ctrl-p,ctrl-q).
  std::string detach_keys;
  // With a tty: nudge the size (one more row and column, then the real
  // one) so that a program already running redraws for the newcomer, as
  // Docker's attach does.
  bool redraw = false;
  // Called once the attachment is in place (run starts the container
  // here); false ends the session at once.
  std::function<bool()> on_attached;
};

struct StdioOutcome {
  bool exited = false;    // the process ended: exit_code, error
  bool detached = false;  // the user typed the detach keys
  int exit_code = 0;
  std::string error;
  // The exec session's id (ExecInContainer, once the process runs).
  std::string exec_id;
  // The call's own end: not OK when the daemon refused or went away.
  grpc::Status status;
};

// Attaches to container `id` (AttachContainer) and runs the session.
StdioOutcome AttachToContainer(container::v1::ContainerService::Stub& stub,
                               const std::string& id,
                               const StdioOptions& options);

// Runs `start` in its container (ExecContainer) and the session with it;
// with start.config().detach() it returns once the process runs. A process
// that could not start comes back as an exit (126) with its error.
StdioOutcome ExecInContainer(container::v1::ContainerService::Stub& stub,
                             const container::v1::ExecStart& start,
                             const StdioOptions& options);

}  // namespace berth::ctl

#endif  // BERTH_CTL_CONTAINER_STDIO_SESSION_H_
