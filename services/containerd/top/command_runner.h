// CommandRunner: runs a host program to completion with a deadline and
// returns its exit code and output. `berth top` runs ps(1) through it; an
// interface so the supervisor's top logic is tested without running ps.
#ifndef BERTH_SERVICES_CONTAINERD_TOP_COMMAND_RUNNER_H_
#define BERTH_SERVICES_CONTAINERD_TOP_COMMAND_RUNNER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace berth::containerd {

struct CommandResult {
  // The exit code; 128 + N when signal N ended it.
  int exit_code = 0;
  std::string out;
  std::string err;
};

class CommandRunner {
 public:
  virtual ~CommandRunner() = default;

  // Runs argv[0] (looked up in PATH) with argv, stdin on /dev/null.
  // NOT_FOUND or another errno code naming the program when it cannot be
  // started; DEADLINE_EXCEEDED when it runs past `timeout` (it is killed
  // and reaped first); RESOURCE_EXHAUSTED when an output passes
  // `max_output` bytes (killed too). A non-zero exit is a result, not an
  // error.
  virtual absl::StatusOr<CommandResult> Run(
      const std::vector<std::string>& argv, absl::Duration timeout,
      size_t max_output = 16 << 20) = 0;
};

// Runs programs as child processes (posix_spawnp), with the default
// signal mask and dispositions whatever the caller's threads block.
std::unique_ptr<CommandRunner> NewProcessRunner();

}  // namespace berth::containerd

#endif  // BERTH_SERVICES_CONTAINERD_TOP_COMMAND_RUNNER_H_
