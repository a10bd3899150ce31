#include "tests/support/pty_session.h"

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utmp.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "absl/time/clock.h"

namespace berth::testing {

PtySession::PtySession(const std::vector<std::string>& argv, unsigned rows,
                       unsigned cols,
                       const std::map<std::string, std::string>& env) {
  winsize size{};
  size.ws_row = static_cast<unsigned short>(rows);
  size.ws_col = static_cast<unsigned short>(cols);
  if (openpty(&master_, &slave_, nullptr, nullptr, &size) != 0) {
    std::fprintf(stderr, "openpty: %s\n", std::strerror(errno));
    return;
  }
  fcntl(master_, F_SETFD, FD_CLOEXEC);
  tcgetattr(slave_, &initial_);
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_ = fork();
  if (pid_ == 0) {
    // login_tty: a new session with the terminal as its controlling one.
    if (login_tty(dup(slave_)) != 0) _exit(126);
    close(slave_);
    for (const auto& [key, value] : env) setenv(key.c_str(), value.c_str(), 1);
    execv(args[0], args.data());
    std::fprintf(stderr, "exec %s failed\n", args[0]);
    _exit(127);
  }
}

PtySession::~PtySession() {
  if (pid_ > 0 && !reaped_) {
    kill(pid_, SIGKILL);
    waitpid(pid_, &status_, 0);
  }
  if (master_ >= 0) close(master_);
  if (slave_ >= 0) close(slave_);
}

bool PtySession::Send(const std::string& keys) {
  size_t done = 0;
  while (done < keys.size()) {
    ssize_t n = write(master_, keys.data() + done, keys.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

bool PtySession::Pump(absl::Duration wait) {
  pollfd fd = {master_, POLLIN, 0};
  int ready = poll(&fd, 1, static_cast<int>(absl::ToInt64Milliseconds(wait)));
  if (ready <= 0) return ready == 0 || errno == EINTR;
  char buffer[8192];
  ssize_t n = read(master_, buffer, sizeof(buffer));
  if (n > 0) {
    output_.append(buffer, static_cast<size_t>(n));
    return true;
  }
  return n < 0 && (errno == EINTR || errno == EAGAIN);
}

bool PtySession::ReadUntil(const std::string& text, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    size_t at = output_.find(text, matched_);
    if (at != std::string::npos) {
      matched_ = at + text.size();
      return true;
    }
    if (absl::Now() >= deadline) return false;
    if (!Pump(absl::Milliseconds(100))) absl::SleepFor(absl::Milliseconds(50));
  }
}

void PtySession::Resize(unsigned rows, unsigned cols) {
  winsize size{};
  size.ws_row = static_cast<unsigned short>(rows);
  size.ws_col = static_cast<unsigned short>(cols);
  ioctl(master_, TIOCSWINSZ, &size);
}

int PtySession::Wait(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!reaped_) {
    pid_t done = waitpid(pid_, &status_, WNOHANG);
    if (done == pid_) {
      reaped_ = true;
      break;
    }
    if (absl::Now() >= deadline) return -1;
    Pump(absl::Milliseconds(20));
  }
  while (Pump(absl::Milliseconds(20))) {
    pollfd fd = {master_, POLLIN, 0};
    if (poll(&fd, 1, 0) <= 0) break;
  }
  return WIFEXITED(status_) ? WEXITSTATUS(status_) : -1;
}

termios PtySession::Mode() const {
  termios mode{};
  tcgetattr(slave_, &mode);
  return mode;
}

bool SameMode(const termios& a, const termios& b) {
  return a.c_iflag == b.c_iflag && a.c_oflag == b.c_oflag &&
         a.c_cflag == b.c_cflag && a.c_lflag == b.c_lflag &&
         std::memcmp(a.c_cc, b.c_cc, sizeof(a.c_cc)) == 0;
}

}  // namespace berth::testing
