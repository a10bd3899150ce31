#include "services/containerd/runtime/init.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "services/containerd/runtime/exec.h"
#include "services/containerd/runtime/report.h"

namespace berth {
namespace containerd {
namespace runtime {
namespace {

// Faults are the init's own; they stay deliverable, everything else is
// taken with sigwaitinfo.
bool IsSynchronous(int sig) {
  return sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE ||
         sig == SIGTRAP || sig == SIGABRT || sig == SIGSYS;
}

void NoOpHandler(int) {}

int ExitCode(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 255;
}

}  // namespace

void RunInit(const std::string& path, const std::vector<std::string>& args,
             const std::vector<std::string>& env, int error_fd) {
  prctl(PR_SET_NAME, "berth-init", 0, 0, 0);
  // Orphans come to us even when we are not PID 1 (no new PID namespace).
  prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  sigset_t waited;
  sigfillset(&waited);
  for (int sig = 1; sig < NSIG; ++sig) {
    if (IsSynchronous(sig)) sigdelset(&waited, sig);
  }
  sigset_t original;
  sigprocmask(SIG_SETMASK, &waited, &original);
  // PID 1 of a namespace only gets signals it handles; a handler (never
  // called while the signals are blocked) makes sure they are queued.
  struct sigaction action = {};
  action.sa_handler = NoOpHandler;
  sigemptyset(&action.sa_mask);
  for (int sig = 1; sig < SIGRTMIN; ++sig) {
    if (sig == SIGKILL || sig == SIGSTOP || IsSynchronous(sig)) continue;
    sigaction(sig, &action, nullptr);
  }

  pid_t child = fork();
  if (child < 0) {
    ReportError(error_fd, absl::InternalError(
                              "init: fork the command: " + std::string(strerror(errno))));
    _exit(125);
  }
  if (child == 0) {
    struct sigaction reset = {};
    reset.sa_handler = SIG_DFL;
    sigemptyset(&reset.sa_mask);
    for (int sig = 1; sig < SIGRTMIN; ++sig) {
      if (sig != SIGKILL && sig != SIGSTOP) sigaction(sig, &reset, nullptr);
    }
    sigprocmask(SIG_SETMASK, &original, nullptr);
    absl::Status status = Exec(path, args, env);
    ReportError(error_fd, status);
    _exit(absl::IsNotFound(status) ? 127 : 126);
  }
  close(error_fd);

  while (true) {
    siginfo_t info;
    int sig = sigwaitinfo(&waited, &info);
    if (sig < 0) continue;  // EINTR
    if (sig != SIGCHLD) {
      kill(child, sig);
      continue;
    }
    while (true) {
      int status = 0;
      pid_t pid = waitpid(-1, &status, WNOHANG);
      if (pid <= 0) break;
      if (pid == child) _exit(ExitCode(status));
    }
  }
}

}  // namespace runtime
}  // namespace containerd
}  // namespace berth
