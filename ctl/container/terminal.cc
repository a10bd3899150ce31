#include "ctl/container/terminal.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <mutex>

#include "common/status_macros.h"

namespace berth::ctl {
namespace {

// What the signal handlers restore: one terminal per process.
int saved_fd = -1;
termios saved_mode;
constexpr int kEndingSignals[] = {SIGTERM, SIGHUP, SIGQUIT, SIGINT};
struct sigaction previous[4];

void RestoreSaved() {
  if (saved_fd >= 0) tcsetattr(saved_fd, TCSANOW, &saved_mode);
}

void RestoreAndDie(int signal) {
  RestoreSaved();  // tcsetattr is async-signal-safe
  struct sigaction fallback = {};
  fallback.sa_handler = SIG_DFL;
  sigaction(signal, &fallback, nullptr);
  raise(signal);
}

int window_pipe[2] = {-1, -1};

void OnWindowChange(int) {
  const int saved_errno = errno;
  char byte = 0;
  ssize_t ignored = write(window_pipe[1], &byte, 1);
  (void)ignored;
  errno = saved_errno;
}

}  // namespace

absl::StatusOr<std::unique_ptr<RawTerminal>> RawTerminal::Enter(int fd) {
  termios mode;
  if (tcgetattr(fd, &mode) != 0) {
    return ErrnoStatus(errno, "tcgetattr", "the terminal");
  }
  saved_mode = mode;
  saved_fd = fd;
  for (size_t i = 0; i < 4; ++i) {
    struct sigaction action = {};
    action.sa_handler = RestoreAndDie;
    sigemptyset(&action.sa_mask);
    sigaction(kEndingSignals[i], &action, &previous[i]);
  }
  cfmakeraw(&mode);
  if (tcsetattr(fd, TCSANOW, &mode) != 0) {
    const int err = errno;
    saved_fd = -1;
    for (size_t i = 0; i < 4; ++i) sigaction(kEndingSignals[i], &previous[i], nullptr);
    return ErrnoStatus(err, "tcsetattr", "the terminal");
  }
  return std::unique_ptr<RawTerminal>(new RawTerminal());
}

RawTerminal::~RawTerminal() {
  RestoreSaved();
  saved_fd = -1;
  for (size_t i = 0; i < 4; ++i) sigaction(kEndingSignals[i], &previous[i], nullptr);
}

std::optional<std::pair<unsigned, unsigned>> TerminalSize(int fd) {
  winsize size = {};
  if (ioctl(fd, TIOCGWINSZ, &size) != 0 || size.ws_row == 0) return std::nullopt;
  return std::make_pair(static_cast<unsigned>(size.ws_row),
                        static_cast<unsigned>(size.ws_col));
}

int WindowChanges() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (pipe2(window_pipe, O_CLOEXEC | O_NONBLOCK) != 0) return;
    struct sigaction action = {};
    action.sa_handler = OnWindowChange;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGWINCH, &action, nullptr);
  });
  return window_pipe[0];
}

}  // namespace berth::ctl
