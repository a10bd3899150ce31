// A command on a terminal of its own, driven like a user at a keyboard:
// keys in, screen text out, window resizes, and the terminal's mode after
// the command ended (to check that a raw-mode client restored it).
#ifndef BERTH_TESTS_SUPPORT_PTY_SESSION_H_
#define BERTH_TESTS_SUPPORT_PTY_SESSION_H_

#include <sys/types.h>
#include <termios.h>

#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace berth::testing {

class PtySession {
 public:
  // Starts argv[0] (a path) as the session leader of a new terminal of
  // rows x cols, with `env` added to its environment.
  PtySession(const std::vector<std::string>& argv, unsigned rows,
             unsigned cols,
             const std::map<std::string, std::string>& env = {});
  // Kills the command's process group if it still runs.
  ~PtySession();
  PtySession(const PtySession&) = delete;
  PtySession& operator=(const PtySession&) = delete;

  bool started() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

  // Types `keys`.
  bool Send(const std::string& keys);
  // Reads the screen until `text` shows after the previous match (or the
  // start); false when `timeout` passed first.
  bool ReadUntil(const std::string& text,
                 absl::Duration timeout = absl::Seconds(20));
  // Everything the command wrote so far.
  const std::string& output() const { return output_; }
  // The terminal's new size (the command's foreground group gets SIGWINCH).
  void Resize(unsigned rows, unsigned cols);
  // Waits for the command's exit, reading its output meanwhile; its exit
  // code, or -1 if it was killed by a signal or is still running.
  int Wait(absl::Duration timeout = absl::Seconds(30));
  // The terminal's mode now (read on the test's own handle of it).
  termios Mode() const;
  // The mode the terminal had when the command started.
  const termios& initial_mode() const { return initial_; }

 private:
  // Reads what is there within `wait`; false once nothing more can come.
  bool Pump(absl::Duration wait);

  int master_ = -1;
  int slave_ = -1;
  pid_t pid_ = -1;
  bool reaped_ = false;
  int status_ = 0;
  termios initial_{};
  std::string output_;
  size_t matched_ = 0;
};

// Whether two terminal modes are the same for a user (flags and control
// characters).
bool SameMode(const termios& a, const termios& b);

}  // namespace berth::testing

#endif  // BERTH_TESTS_SUPPORT_PTY_SESSION_H_
