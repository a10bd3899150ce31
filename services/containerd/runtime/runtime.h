// Turning a freshly cloned child into a container's init: what runc's init
// does for Docker, for the per-container shim. SpawnContainerInit clones the
// child into new namespaces, lets the caller act on its pid (cgroup, network)
// before it does anything, then the child builds its root filesystem, pivots
// into it, switches user and execs the command (or becomes a minimal init
// that runs it, for --init).
#ifndef BERTH_SERVICES_CONTAINERD_RUNTIME_RUNTIME_H_
#define BERTH_SERVICES_CONTAINERD_RUNTIME_RUNTIME_H_

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace berth {
namespace containerd {
namespace runtime {

// Mount propagation of a bind mount (Docker's `bind-propagation`). The
// container's mount namespace starts rprivate, so kPrivate needs nothing.
enum class Propagation { kPrivate, kRPrivate, kSlave, kRSlave, kShared, kRShared };

// One of the container's own mounts (`-v`, `--mount`, `--tmpfs`, the
// /etc files): a bind of a host path, or a fresh tmpfs.
struct ContainerMount {
  std::string source;       // bind: host path (file or directory); tmpfs: ""
  std::string destination;  // absolute path inside the container
  bool read_only = false;   // recursively where the kernel allows it
  bool recursive = true;    // MS_REC: submounts of `source` come along
  Propagation propagation = Propagation::kRPrivate;
  // A bind of `source_subpath` below `source` (a volume's subpath), opened
  // at the mount without following any symlink.
  std::string source_subpath;
  bool tmpfs = false;
  std::string tmpfs_data;            // "size=1024k,mode=1777"
  unsigned long tmpfs_flags = 0;     // MS_NOEXEC, MS_NOSUID, MS_NODEV, ...
};

// A host device node given to the container (`--device`): made at
// `container_path` like the host's node (type, numbers, mode, owner). Its
// cgroup permission is the caller's business.
struct DeviceNodeMapping {
  std::string host_path;
  std::string container_path;  // absolute
};

// One range of a user namespace's uid or gid map.
struct IdMap {
  uint32_t container_id = 0;
  uint32_t host_id = 0;
  uint32_t size = 0;
};

struct Rlimit {
  int resource = 0;  // RLIMIT_*
  uint64_t soft = 0;
  uint64_t hard = 0;
};

// RLIMIT_* of a `--ulimit` name ("nofile", "nproc", ...); INVALID_ARGUMENT
// naming it otherwise.
absl::StatusOr<int> RlimitFromName(const std::string& name);
// The `--ulimit` name of RLIMIT_* `resource`, for messages.
std::string RlimitName(int resource);

struct InitSpec {
  // Root filesystem. With `overlay_options` ("lowerdir=..,upperdir=..,
  // workdir=..") an overlay is mounted at `rootfs_dir` inside the container's
  // mount namespace (it vanishes with the container); otherwise `rootfs_dir`
  // is bind-mounted onto itself and used as is.
  std::string rootfs_dir;
  std::string overlay_options;
  bool readonly_rootfs = false;

  std::vector<std::string> args;  // args[0] is looked up in the container PATH
  std::vector<std::string> env;   // "KEY=value"
  std::string cwd;                // created if missing; "" means "/"

  // Docker's -u: "", "uid", "uid:gid", "name", "name:group", "uid:group"...
  // Names are resolved from the container's /etc/passwd and /etc/group.
  std::string user;
  std::vector<std::string> group_add;  // names or gids (--group-add)

  std::string hostname;    // set only when clone_flags has CLONE_NEWUTS
  std::string domainname;  // likewise

  // CLONE_NEW* flags; CLONE_NEWNS is required. Without CLONE_NEWNET and with
  // `netns_path` set, the child joins that network namespace (setns).
  // CLONE_NEWCGROUP is not cloned but unshared by the child after on_created
  // (which places it in its cgroup), so its cgroup is the namespace's root.
  int clone_flags = 0;
  std::string netns_path;

  // A user namespace with these maps (userns.h), joined by the init right
  // before it switches user; both empty: none. Needs `overlay_options`.
  std::vector<IdMap> uid_map;
  std::vector<IdMap> gid_map;

  std::vector<ContainerMount> mounts;  // in order, after /proc /sys /dev
  // The container's mount tree's propagation before `mounts` are made:
  // kRPrivate cuts it from the host's; kRSlave or kRShared keep it tied, for
  // mounts that ask for slave or shared propagation (runc's
  // rootfsPropagation).
  Propagation root_propagation = Propagation::kRPrivate;
  std::vector<Rlimit> rlimits;    // hard limits are clamped to the current ones

  bool privileged = false;  // /sys and /sys/fs/cgroup read-write, host /dev nodes
  std::vector<DeviceNodeMapping> devices;

  // Become the container's 0/1/2; -1 means /dev/null.
  int stdin_fd = -1;
  int stdout_fd = -1;
  int stderr_fd = -1;
  // `-t`: the init gets a terminal as its stdio and controlling terminal.
  bool tty = false;
  // Required with `tty`: a connected unix socket. The init opens its
  // terminal from the container's own devpts once /dev is mounted (so
  // `tty` says /dev/pts/0 and /dev/console is that terminal, as with runc),
  // makes it its 0, 1, 2 and controlling terminal, and sends
  // the master side over this socket (SCM_RIGHTS) before it execs.
  int console_socket = -1;
  // The terminal's size before the command runs (rows, columns); 0: the
  // kernel's default.
  unsigned console_height = 0;
  unsigned console_width = 0;

  // --init: PID 1 stays our minimal init, which runs the command as its child,
  // forwards signals to it, reaps every zombie and exits with the command's
  // status (128+signal if it was killed).
  bool run_init = false;

  // Hooks run in the child; an error aborts the start and is returned by
  // SpawnContainerInit. `after_pivot_root` runs with / being the container's
  // root and /proc, /sys, /dev mounted (masked and read-only paths).
  // `before_exec` runs after the uid/gid switch (PR_SET_KEEPCAPS is set before
  // setuid, so the permitted capabilities survive for the hook), right before
  // execve (capabilities, no_new_privs, seccomp).
  std::function<absl::Status()> after_pivot_root;
  std::function<absl::Status()> before_exec;
};

// Starts the container's init. The child is cloned with spec.clone_flags and
// waits; `on_created(pid)` runs in the caller first (put it in its cgroup,
// wire its network namespace), then the child is released. Returns once the
// command was exec'd, or the child's error naming the stage and path, e.g.
// `exec: "nosuchcmd": executable file not found in $PATH` (NotFound),
// `exec: "/etc/passwd": permission denied` (PermissionDenied), mount errors
// (Internal, FailedPrecondition...). A failed child has been reaped; on
// success the caller owns the pid, a direct child it must waitpid.
//
// Call from a process whose other threads hold no locks the child needs:
// the child runs after fork() (malloc is safe) but shares no other state.
absl::StatusOr<pid_t> SpawnContainerInit(
    const InitSpec& spec, const std::function<absl::Status(pid_t)>& on_created);

// Docker's exit status for a container that could not start: 127 when the
// command was not found, 126 when it cannot be executed, 125 otherwise.
int ExitCodeForStartError(const absl::Status& status);

}  // namespace runtime
}  // namespace containerd
}  // namespace berth

#endif  // BERTH_SERVICES_CONTAINERD_RUNTIME_RUNTIME_H_
