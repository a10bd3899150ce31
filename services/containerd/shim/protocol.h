// How containerd and a berth-shim talk. The shim is launched detached (it is
// re-parented to init so it outlives containerd) and reports its start on a
// pipe; afterwards containerd reaches it on its control socket with one-line
// commands. When the container's init has exited and its output is drained,
// the shim writes the exit record file and exits, so the record survives
// both processes.
//
// Control socket, one command per connection, replies are one line:
//   "kill N"  -> "ok" | "error MESSAGE"
//   "state"   -> "running PID"
//   "wait"    -> (when the init has exited) "exit CODE OOM(0|1)"
#ifndef BERTH_SERVICES_CONTAINERD_SHIM_PROTOCOL_H_
#define BERTH_SERVICES_CONTAINERD_SHIM_PROTOCOL_H_

#include <sys/types.h>

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace berth::containerd::shim {

// File names inside the container's state directory.
inline constexpr char kSpecFile[] = "shim.json";
inline constexpr char kExitFile[] = "exit.json";
inline constexpr char kShimLogFile[] = "shim.log";
// The seccomp program containerd compiled (seccomp mode "compiled").
inline constexpr char kSeccompFile[] = "seccomp.bpf";
// The fd on which a starting shim reports "ok PID" or "error CODE MESSAGE".
inline constexpr int kReadyFd = 3;

struct ExitRecord {
  int exit_code = 0;
  bool oom_killed = false;
  absl::Time finished_at = absl::InfinitePast();
  // Why the init never ran ("" after a normal run).
  std::string error;
};

absl::Status WriteExitRecord(const std::string& path, const ExitRecord& record);
// NOT_FOUND when the file does not exist (the container has not exited).
absl::StatusOr<ExitRecord> ReadExitRecord(const std::string& path);

struct LaunchedShim {
  pid_t shim_pid = 0;
  pid_t init_pid = 0;
};

// Spawns `shim_path --state-dir STATE_DIR` (in a new session; the shim
// detaches itself by forking once more) and waits until the
// container's command was exec'd. A command that could not run comes back
// as NOT_FOUND (exit 127), PERMISSION_DENIED (126) or another code (125),
// with the shim's message.
absl::StatusOr<LaunchedShim> LaunchShim(const std::string& shim_path,
                                        const std::string& state_dir,
                                        absl::Duration timeout);

// The status a shim reports for a failed start, and back.
std::string FormatStartError(const absl::Status& status);
absl::Status ParseStartError(const std::string& line);

// Sends one command and returns the reply line (without "\n"), all within
// `timeout`. UNAVAILABLE when no shim answers on `socket_path`,
// DEADLINE_EXCEEDED when one is there but does not answer in time (wedged).
absl::StatusOr<std::string> ShimCommand(const std::string& socket_path,
                                        const std::string& command,
                                        absl::Duration timeout);

absl::Status SignalShim(const std::string& socket_path, int signal,
                        absl::Duration timeout);

// Connects and sends "wait" within `timeout`; the returned socket becomes
// readable when the init has exited (read the "exit ..." line, parse it with
// ParseExitReply). UNAVAILABLE when no shim answers.
absl::StatusOr<int> SendWait(const std::string& socket_path,
                             absl::Duration timeout);
absl::StatusOr<ExitRecord> ParseExitReply(const std::string& line);

}  // namespace berth::containerd::shim

#endif  // BERTH_SERVICES_CONTAINERD_SHIM_PROTOCOL_H_
