// The steps every process that enters a container takes, the init
// (child.cc) and an exec'd process (join.cc) alike: its stdio, its
// terminal, its signals, limits and user.
#ifndef BERTH_SERVICES_CONTAINERD_RUNTIME_PROCESS_SETUP_H_
#define BERTH_SERVICES_CONTAINERD_RUNTIME_PROCESS_SETUP_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/containerd/runtime/runtime.h"
#include "services/containerd/runtime/user.h"

namespace berth {
namespace containerd {
namespace runtime {

// Setup errors keep their message but never look like a failed exec:
// NotFound and PermissionDenied are reserved for the command itself
// (127/126).
absl::Status SetupError(const absl::Status& status, absl::string_view stage);

struct IdPair {
  uint32_t uid;
  uint32_t gid;
};

// Makes the given fds (or /dev/null for -1) 0, 1 and 2, moves the `kept`
// fds (-1s are skipped) above them and closes every other fd.
absl::Status SetupFds(int stdin_fd, int stdout_fd, int stderr_fd,
                      std::vector<int*> kept);

// The first steps of a child of the spawn protocol (spawn_protocol.h): its
// stdio and the fds it keeps in place (*sync_fd, *error_fd and `others` are
// moved above 2), signals reset, then the parent's go, sent once
// on_created succeeded. A setup failure is reported on the error pipe; it,
// or a parent that gave up (EOF), ends the child with `failure_code`.
void StartChild(int stdin_fd, int stdout_fd, int stderr_fd, int* sync_fd,
                int* error_fd, std::vector<int*> others, int failure_code);

// The container's terminal, from its own devpts (the caller's /dev/ptmx):
// 0, 1 and 2 and the controlling terminal become its slave — bound onto
// /dev/console too when `bind_console` (the init) — and the master goes to
// the shim over `socket`. In a user namespace the slave belongs to the
// container's root (`owner`). Needs a session of the caller's own (setsid).
absl::Status SetUpConsole(int socket, const std::optional<IdPair>& owner,
                          unsigned height, unsigned width, bool bind_console);

// Stdin from the container's own /dev/null (the one SetupFds opened may be
// the host's).
absl::Status ReopenNullStdin();

// Default dispositions and an empty mask, as a new process expects.
void ResetSignals();

// Applies each limit as asked, as runc does: one the kernel refuses (a
// nofile above fs.nr_open, or a hard limit raised without CAP_SYS_RESOURCE,
// as in a user namespace) fails the start. It used to be lowered quietly to
// what the daemon had, so the container ran with less than it asked for.
absl::Status SetRlimits(const std::vector<Rlimit>& limits);

// Groups, gid, then uid (keeping the permitted capabilities for the
// before_exec hook).
absl::Status SwitchUser(const ExecUser& user);

// Resolves Docker's -u `user` (and --group-add) from the container's
// /etc/passwd and /etc/group, enters `cwd` and switches to the user: the
// directory as root first (the user may not reach it), then again as the
// user, who may be the only one allowed in (root-squashed NFS). Errors are
// SetupErrors of stage "user" or "working directory".
absl::StatusOr<ExecUser> BecomeUser(const std::string& user,
                                    const std::vector<std::string>& group_add,
                                    const std::string& cwd);

}  // namespace runtime
}  // namespace containerd
}  // namespace berth

#endif  // BERTH_SERVICES_CONTAINERD_RUNTIME_PROCESS_SETUP_H_
