// The user's terminal while a client is attached to a container's tty:
// raw mode (every key goes to the container, Ctrl-C included), restored on
// every way out — a normal end, an error, a daemon that went away, and the
// signals that end the CLI (SIGTERM, SIGHUP, SIGQUIT, SIGINT: restored, then
// the signal's default action) — and SIGWINCH as a readable fd.
#ifndef BERTH_CTL_CONTAINER_TERMINAL_H_
#define BERTH_CTL_CONTAINER_TERMINAL_H_

#include <memory>
#include <optional>
#include <utility>

#include "absl/status/statusor.h"

namespace berth::ctl {

class RawTerminal {
 public:
  // Raw mode on `fd` (a terminal); the restore is armed before the change.
  static absl::StatusOr<std::unique_ptr<RawTerminal>> Enter(int fd);
  ~RawTerminal();  // restores the saved mode
  RawTerminal(const RawTerminal&) = delete;
  RawTerminal& operator=(const RawTerminal&) = delete;

 private:
  RawTerminal() = default;
};

// The size of the terminal on `fd` (rows, columns); nullopt when it is none.
std::optional<std::pair<unsigned, unsigned>> TerminalSize(int fd);

// Becomes readable on every SIGWINCH from the first call on (a self-pipe:
// read and discard its bytes, then ask TerminalSize again).
int WindowChanges();

}  // namespace berth::ctl

#endif  // BERTH_CTL_CONTAINER_TERMINAL_H_
