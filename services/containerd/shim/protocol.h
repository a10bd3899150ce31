// How containerd and a berth-shim talk (protocol v1, framed protobuf
// messages: proto/berth/shim/v1/shim.proto, framing.h). The shim is launched
// detached (it is re-parented to init so it outlives containerd) and reports
// its start with a Ready message on a pipe; afterwards containerd reaches it
// on its control socket, one Request and one Response per connection. When
// the container's init has exited and its output is drained, the shim
// writes the exit record file and exits, so the record survives both
// processes.
#ifndef BERTH_SERVICES_CONTAINERD_SHIM_PROTOCOL_H_
#define BERTH_SERVICES_CONTAINERD_SHIM_PROTOCOL_H_

#include <sys/types.h>

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "berth/shim/v1/shim.pb.h"

namespace berth::containerd::shim {

// File names inside the container's state directory.
inline constexpr char kSpecFile[] = "shim.pb";  // a shim::v1::Spec
inline constexpr char kExitFile[] = "exit.json";
inline constexpr char kShimLogFile[] = "shim.log";
// The seccomp program containerd compiled (seccomp mode "compiled").
inline constexpr char kSeccompFile[] = "seccomp.bpf";
// The fd on which a starting shim writes its Ready frame.
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
// detaches itself by forking once more) and waits until the container's
// command was exec'd. A command that could not run comes back as NOT_FOUND
// (exit 127), PERMISSION_DENIED (126) or another code (125), with the
// shim's message; a shim of another protocol version as FAILED_PRECONDITION.
// DEADLINE_EXCEEDED: the shim did not report within `timeout`, and it and
// its process group have been killed.
absl::StatusOr<LaunchedShim> LaunchShim(const std::string& shim_path,
                                        const std::string& state_dir,
                                        absl::Duration timeout);

// The shim's side of the ready pipe: the Ready frame of a started
// container, or of a start that failed with `status` (its code is reduced
// to NOT_FOUND, PERMISSION_DENIED or FAILED_PRECONDITION, the exit codes'
// classes).
std::string ReadyFrame(pid_t shim_pid, pid_t init_pid);
std::string StartErrorFrame(const absl::Status& status);

// A request of this protocol version (the oneof still to be set).
::berth::shim::v1::Request NewRequest();

// Connects to the shim on `socket_path`, sends `request` and returns its
// reply, all within `timeout`. UNAVAILABLE when no shim answers there,
// DEADLINE_EXCEEDED when one is there but does not answer in time (wedged),
// FAILED_PRECONDITION when it speaks another protocol version or sends what
// this containerd cannot read; the shim's Error as its status.
absl::StatusOr<::berth::shim::v1::Response> CallShim(
    const std::string& socket_path, const ::berth::shim::v1::Request& request,
    absl::Duration timeout);

// An open attach stream (shim.proto AttachRequest): the socket, and the
// bytes read past the shim's answer, which begin its first frames.
struct ShimStream {
  int fd = -1;
  std::string carry;
  // An exec stream's process (host pid); 0 for attach streams.
  pid_t pid = 0;
};

// Connects to the init's stdio with `wants`, within `timeout` for the
// answer. The errors of CallShim; FAILED_PRECONDITION from the shim when
// stdin is asked for a container without open stdin.
absl::StatusOr<ShimStream> OpenAttach(
    const std::string& socket_path,
    const ::berth::shim::v1::AttachRequest& wants, absl::Duration timeout);

// Starts a process in the container (shim.proto ExecRequest) and returns
// its stream, with its pid. The errors of CallShim; the shim's own:
// NOT_FOUND / PERMISSION_DENIED for the command, FAILED_PRECONDITION for a
// container that is not running or a working directory or user that
// cannot be had. `timeout` bounds the start.
absl::StatusOr<ShimStream> OpenExec(
    const std::string& socket_path,
    const ::berth::shim::v1::ExecRequest& exec, absl::Duration timeout);

absl::Status SignalShim(const std::string& socket_path, int signal,
                        absl::Duration timeout);
absl::StatusOr<::berth::shim::v1::StateResponse> ShimState(
    const std::string& socket_path, absl::Duration timeout);

// Connects and sends a wait request within `timeout`; the returned socket
// becomes readable when the init has exited (collect the bytes, take the
// frame with TakeFrame and read it with ParseWaitReply). UNAVAILABLE when
// no shim answers.
absl::StatusOr<int> SendWait(const std::string& socket_path,
                             absl::Duration timeout);
absl::StatusOr<ExitRecord> ParseWaitReply(absl::string_view payload,
                                          absl::string_view peer);

}  // namespace berth::containerd::shim

#endif  // BERTH_SERVICES_CONTAINERD_SHIM_PROTOCOL_H_
