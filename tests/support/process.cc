#include "tests/support/process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/time/clock.h"

namespace berth::testing {
namespace {

std::vector<char*> CStrings(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (const std::string& s : strings)
    out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

// Forks and execs argv with stdin from `in_fd` (/dev/null when -1) and
// stdout/stderr to the given fds. The child gets its own process group so a
// kill reaches all of it.
pid_t Spawn(const std::vector<std::string>& argv,
            const std::map<std::string, std::string>& env, int out_fd,
            int err_fd, int in_fd = -1) {
  std::vector<char*> args = CStrings(argv);
  pid_t pid = fork();
  if (pid != 0) return pid;
  setpgid(0, 0);
  dup2(in_fd >= 0 ? in_fd : open("/dev/null", O_RDONLY), 0);
  dup2(out_fd, 1);
  dup2(err_fd, 2);
  for (const auto& [key, value] : env) setenv(key.c_str(), value.c_str(), 1);
  execv(args[0], args.data());
  std::fprintf(stderr, "exec %s failed\n", args[0]);
  _exit(127);
}

int ExitCodeOf(int status) {
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Waits for `pid` until `deadline`; true with *status if it exited.
bool WaitUntil(pid_t pid, absl::Time deadline, int* status) {
  while (true) {
    pid_t done = waitpid(pid, status, WNOHANG);
    if (done == pid) return true;
    if (done < 0) return false;
    if (absl::Now() >= deadline) return false;
    absl::SleepFor(absl::Milliseconds(10));
  }
}

}  // namespace

int ParentOf(int pid) {
  std::string stat = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  size_t close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(stat.substr(close + 2));
  std::string state;
  int ppid = 0;
  fields >> state >> ppid;
  return ppid;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

RunResult RunCommand(const std::vector<std::string>& argv,
                     const std::map<std::string, std::string>& env,
                     absl::Duration timeout) {
  return RunCommandWithInput(argv, std::nullopt, env, timeout);
}

RunResult RunCommandWithInput(const std::vector<std::string>& argv,
                              const std::optional<std::string>& input,
                              const std::map<std::string, std::string>& env,
                              absl::Duration timeout) {
  char out_path[] = "/tmp/berth-run-out-XXXXXX";
  char err_path[] = "/tmp/berth-run-err-XXXXXX";
  char in_path[] = "/tmp/berth-run-in-XXXXXX";
  int out_fd = mkstemp(out_path);
  int err_fd = mkstemp(err_path);
  int in_fd = -1;
  if (input.has_value()) {
    in_fd = mkstemp(in_path);
    unlink(in_path);
    if (write(in_fd, input->data(), input->size()) !=
        static_cast<ssize_t>(input->size())) {
      std::fprintf(stderr, "writing the input of %s failed\n", argv[0].c_str());
    }
    lseek(in_fd, 0, SEEK_SET);
  }
  pid_t pid = Spawn(argv, env, out_fd, err_fd, in_fd);
  close(out_fd);
  close(err_fd);
  if (in_fd >= 0) close(in_fd);
  RunResult result;
  int status = 0;
  if (WaitUntil(pid, absl::Now() + timeout, &status)) {
    result.exit_code = ExitCodeOf(status);
  } else {
    kill(-pid, SIGKILL);
    waitpid(pid, &status, 0);
  }
  result.out = ReadFile(out_path);
  result.err = ReadFile(err_path);
  unlink(out_path);
  unlink(err_path);
  return result;
}

Daemon::Daemon(const std::vector<std::string>& argv,
               const std::string& log_path,
               const std::map<std::string, std::string>& env) {
  int log_fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  pid_ = Spawn(argv, env, log_fd, log_fd);
  close(log_fd);
}

Daemon::Daemon(const std::vector<std::string>& argv, int out_fd, int err_fd,
               const std::map<std::string, std::string>& env) {
  pid_ = Spawn(argv, env, out_fd, err_fd);
}

Daemon::~Daemon() {
  if (running()) {
    kill(pid_, SIGKILL);
    Wait(absl::Seconds(10));
  }
}

bool Daemon::running() {
  if (reaped_) return false;
  if (waitpid(pid_, &status_, WNOHANG) == pid_) reaped_ = true;
  return !reaped_;
}

void Daemon::Signal(int signal_number) {
  if (running()) kill(pid_, signal_number);
}

int Daemon::Wait(absl::Duration timeout) {
  if (!reaped_ && WaitUntil(pid_, absl::Now() + timeout, &status_)) {
    reaped_ = true;
  }
  return reaped_ ? ExitCodeOf(status_) : -1;
}

int Daemon::Stop(absl::Duration grace) {
  Signal(SIGTERM);
  int code = Wait(grace);
  if (running()) {
    kill(pid_, SIGKILL);
    Wait(absl::Seconds(10));
  }
  return code;
}

std::string Runfile(const std::string& workspace_path) {
  // Bazel runs tests from the workspace directory of their runfiles tree.
  char* resolved = realpath(workspace_path.c_str(), nullptr);
  if (resolved == nullptr) return workspace_path;
  std::string path = resolved;
  std::free(resolved);
  return path;
}

}  // namespace berth::testing
