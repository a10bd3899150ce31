#include "services/containerd/top/command_runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "common/status_macros.h"

extern char** environ;

namespace berth::containerd {
namespace {

// Closes what it holds when it goes out of scope.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) close(fd);
  }
};

class ProcessRunner final : public CommandRunner {
 public:
  absl::StatusOr<CommandResult> Run(const std::vector<std::string>& argv,
                                    absl::Duration timeout,
                                    size_t max_output) override {
    if (argv.empty()) {
      return absl::InvalidArgumentError("no program to run");
    }
    const std::string& program = argv[0];
    int out_pipe[2], err_pipe[2];
    if (pipe2(out_pipe, O_CLOEXEC) != 0) {
      return ErrnoStatus(errno, "pipe for the output of", program);
    }
    Fd out_read{out_pipe[0]}, out_write{out_pipe[1]};
    if (pipe2(err_pipe, O_CLOEXEC) != 0) {
      return ErrnoStatus(errno, "pipe for the errors of", program);
    }
    Fd err_read{err_pipe[0]}, err_write{err_pipe[1]};

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out_write.fd, 1);
    posix_spawn_file_actions_adddup2(&actions, err_write.fd, 2);
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    // The daemon blocks SIGTERM/SIGINT in every thread: the child must not
    // inherit that, or a kill at the deadline could be all that ends it.
    posix_spawnattr_setflags(&attributes,
                             POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attributes, &none);
    posix_spawnattr_setsigdefault(&attributes, &all);
    std::vector<char*> args;
    for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    pid_t child = 0;
    const int spawned = posix_spawnp(&child, program.c_str(), &actions,
                                     &attributes, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    if (spawned != 0) return ErrnoStatus(spawned, "spawn", program);
    close(out_write.fd);
    out_write.fd = -1;
    close(err_write.fd);
    err_write.fd = -1;

    CommandResult result;
    const absl::Time deadline = absl::Now() + timeout;
    absl::Status failure =
        Collect(out_read.fd, err_read.fd, result, deadline, max_output, argv);
    int status = 0;
    // A program may close its outputs and still run: it gets until the
    // deadline too.
    while (failure.ok()) {
      const pid_t done = waitpid(child, &status, WNOHANG);
      if (done == child) break;
      if (done < 0 && errno != EINTR) {
        return ErrnoStatus(errno, "waitpid", program);
      }
      if (absl::Now() > deadline) {
        failure = absl::DeadlineExceededError(absl::StrCat(
            "`", program, "` did not exit within the deadline; it was killed"));
        break;
      }
      absl::SleepFor(absl::Milliseconds(1));
    }
    if (!failure.ok()) {
      kill(child, SIGKILL);
      while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
      }
      return failure;
    }
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status)
                                         : 128 + WTERMSIG(status);
    return result;
  }

 private:
  // Reads both outputs until both end, the deadline passes or one grows
  // past `max_output`.
  static absl::Status Collect(int out, int err, CommandResult& result,
                              absl::Time deadline, size_t max_output,
                              const std::vector<std::string>& argv) {
    struct pollfd fds[2] = {{out, POLLIN, 0}, {err, POLLIN, 0}};
    std::string* sinks[2] = {&result.out, &result.err};
    int open = 2;
    char buffer[16384];
    while (open > 0) {
      const absl::Duration left = deadline - absl::Now();
      if (left <= absl::ZeroDuration()) {
        return absl::DeadlineExceededError(
            absl::StrCat("`", absl::StrJoin(argv, " "),
                         "` did not finish within the deadline; it was killed"));
      }
      const int ready = poll(fds, 2, static_cast<int>(absl::ToInt64Milliseconds(left)) + 1);
      if (ready < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus(errno, "poll the output of", argv[0]);
      }
      for (int i = 0; i < 2; ++i) {
        if (fds[i].fd < 0 || fds[i].revents == 0) continue;
        const ssize_t n = read(fds[i].fd, buffer, sizeof(buffer));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return ErrnoStatus(errno, "read the output of", argv[0]);
        if (n == 0) {
          fds[i].fd = -1;  // poll ignores negative descriptors
          --open;
          continue;
        }
        sinks[i]->append(buffer, static_cast<size_t>(n));
        if (sinks[i]->size() > max_output) {
          return absl::ResourceExhaustedError(
              absl::StrCat("`", argv[0], "` wrote more than ", max_output,
                           " bytes; it was killed"));
        }
      }
    }
    return absl::OkStatus();
  }
};

}  // namespace

std::unique_ptr<CommandRunner> NewProcessRunner() {
  return std::make_unique<ProcessRunner>();
}

}  // namespace berth::containerd
