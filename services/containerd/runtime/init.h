// --init: a minimal PID 1 (what docker-init/tini does) that runs the command
// as its child, forwards signals to it and reaps every zombie.
#ifndef BERTH_SERVICES_CONTAINERD_RUNTIME_INIT_H_
#define BERTH_SERVICES_CONTAINERD_RUNTIME_INIT_H_

#include <string>
#include <vector>

namespace berth {
namespace containerd {
namespace runtime {

// Forks the command (execve(path, args, env) in the child, which reports an
// exec failure on `error_fd`, a CLOEXEC pipe), closes `error_fd` and
// becomes the init: every signal it receives except SIGCHLD is forwarded to
// the command, every child is reaped, and it exits with the command's exit
// status, or 128+signal if the command was killed. Never returns.
[[noreturn]] void RunInit(const std::string& path, const std::vector<std::string>& args,
                          const std::vector<std::string>& env, int error_fd);

}  // namespace runtime
}  // namespace containerd
}  // namespace berth

#endif  // BERTH_SERVICES_CONTAINERD_RUNTIME_INIT_H_
