#include "ctl/container/signal_proxy.h"

#include <pthread.h>
#include <unistd.h>

#include <cstdio>
#include <utility>

namespace berth::ctl {

sigset_t SignalProxy::Proxied() {
  sigset_t set;
  sigemptyset(&set);
  for (int signal : {SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM,
                     SIGTERM, SIGTSTP, SIGTTIN, SIGTTOU, SIGCONT, SIGVTALRM,
                     SIGPROF, SIGIO, SIGPWR, SIGXCPU, SIGXFSZ}) {
    sigaddset(&set, signal);
  }
  return set;
}

SignalProxy::SignalProxy() {
  sigset_t proxied = Proxied();
  pthread_sigmask(SIG_BLOCK, &proxied, &old_mask_);
  thread_ = std::thread([this] { Loop(); });
}

SignalProxy::~SignalProxy() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  // Wakes the loop: SIGCONT is proxied, and harmless to ourselves.
  pthread_kill(thread_.native_handle(), SIGCONT);
  thread_.join();
  pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
}

void SignalProxy::Forward(std::function<void(int)> forward) {
  std::lock_guard<std::mutex> lock(mu_);
  forward_ = std::move(forward);
}

void SignalProxy::Loop() {
  const sigset_t proxied = Proxied();
  while (true) {
    int signal = 0;
    if (sigwait(&proxied, &signal) != 0) continue;
    std::function<void(int)> forward;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return;
      forward = forward_;
    }
    if (forward) {
      forward(signal);
      continue;
    }
    // No container yet: the signal does what it would have done to the CLI.
    if (signal == SIGCONT || signal == SIGTSTP || signal == SIGTTIN ||
        signal == SIGTTOU) {
      continue;
    }
    std::fflush(nullptr);
    _exit(128 + signal);
  }
}

}  // namespace berth::ctl
