// Docker's --sig-proxy for an attached `berth run`: the signals the CLI gets
// (Ctrl-C's SIGINT, SIGTERM, SIGHUP, ...) go to the container instead of
// ending the CLI, which keeps streaming until the container exits, so an
// interrupted `run --rm` still removes its container.
#ifndef BERTH_CTL_CONTAINER_SIGNAL_PROXY_H_
#define BERTH_CTL_CONTAINER_SIGNAL_PROXY_H_

#include <signal.h>

#include <functional>
#include <mutex>
#include <thread>

namespace berth::ctl {

class SignalProxy {
 public:
  // Blocks the proxied signals in the calling thread, and so in every thread
  // created after it (gRPC's included): construct it before the first
  // channel. Until Forward() is called a proxied signal ends the process as
  // it would have (128 + the signal number for the shell).
  SignalProxy();
  ~SignalProxy();
  SignalProxy(const SignalProxy&) = delete;
  SignalProxy& operator=(const SignalProxy&) = delete;

  // From now on, each proxied signal is handed to `forward` (on the proxy's
  // thread).
  void Forward(std::function<void(int)> forward);

  // The signals proxied: all that can be caught and that end or stop a
  // process by default, except the ones that are about the CLI itself
  // (SIGCHLD, SIGPIPE, SIGWINCH, SIGURG and the synchronous faults).
  static sigset_t Proxied();

 private:
  void Loop();

  sigset_t old_mask_;
  std::mutex mu_;
  std::function<void(int)> forward_;  // guarded by mu_
  bool stopping_ = false;             // guarded by mu_
  std::thread thread_;
};

}  // namespace berth::ctl

#endif  // BERTH_CTL_CONTAINER_SIGNAL_PROXY_H_
