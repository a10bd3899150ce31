// Child processes for end-to-end tests: run a command to completion and
// capture its output, or keep a daemon running in the background.
#ifndef BERTH_TESTS_SUPPORT_PROCESS_H_
#define BERTH_TESTS_SUPPORT_PROCESS_H_

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace berth::testing {

struct RunResult {
  int exit_code = -1;  // -1 if killed by a signal or timed out
  std::string out;
  std::string err;
};

// Runs argv[0] (a path) with `argv`, extra environment `env` and standard
// input from /dev/null; kills it after `timeout`.
RunResult RunCommand(const std::vector<std::string>& argv,
                     const std::map<std::string, std::string>& env = {},
                     absl::Duration timeout = absl::Seconds(60));

// RunCommand with `input` (when given) as its standard input, a file: the
// command reads it to the end, then EOF.
RunResult RunCommandWithInput(const std::vector<std::string>& argv,
                              const std::optional<std::string>& input,
                              const std::map<std::string, std::string>& env = {},
                              absl::Duration timeout = absl::Seconds(60));

// A background process whose output goes to `log_path`. The destructor
// kills it (SIGKILL) if it is still running, so a failing test leaves no
// process behind.
class Daemon {
 public:
  Daemon(const std::vector<std::string>& argv, const std::string& log_path,
         const std::map<std::string, std::string>& env = {});
  // The same with stdout and stderr to the given fds (the caller's to close).
  Daemon(const std::vector<std::string>& argv, int out_fd, int err_fd,
         const std::map<std::string, std::string>& env = {});
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  pid_t pid() const { return pid_; }
  bool running();
  void Signal(int signal_number);
  // Waits up to `timeout` for the process to exit; its exit code, or -1 if
  // it was killed by a signal or is still running.
  int Wait(absl::Duration timeout);
  // SIGTERM, then SIGKILL if it has not exited after `grace`.
  int Stop(absl::Duration grace = absl::Seconds(15));

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  int status_ = 0;
};

// Absolute path of a file in the test's runfiles, e.g. "ctl/berth".
std::string Runfile(const std::string& workspace_path);

// The parent of process `pid` (0 if it is gone), from /proc/PID/stat.
int ParentOf(int pid);

// Reads a whole file ("" if it cannot).
std::string ReadFile(const std::string& path);

}  // namespace berth::testing

#endif  // BERTH_TESTS_SUPPORT_PROCESS_H_
