// The shim's event loop, apart from what the shim does with the events, so
// that a failing epoll_wait (the loop's only way to learn that the init
// exited) can be tested without a container.
#ifndef BERTH_SERVICES_CONTAINERD_SHIM_EVENT_LOOP_H_
#define BERTH_SERVICES_CONTAINERD_SHIM_EVENT_LOOP_H_

#include <sys/epoll.h>

#include <cstdint>
#include <functional>
#include <optional>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "services/containerd/shim/protocol.h"

namespace berth::containerd::shim {

using EpollWaitFn = int (*)(int epoll_fd, epoll_event* events, int max_events,
                            int timeout_ms);

// Waits on `epoll_fd` and hands every ready fd to `on_ready` until `done()`
// holds; `timeout_ms()` is asked before each wait (-1: none). Returns OK once
// done, or the epoll_wait error (with errno) when waiting itself fails: the
// caller then no longer sees its init exit and must not pretend it did.
absl::Status RunEventLoop(int epoll_fd, const std::function<bool()>& done,
                          const std::function<int()>& timeout_ms,
                          const std::function<void(int fd, uint32_t events)>& on_ready,
                          EpollWaitFn wait = &epoll_wait);

// The exit record of a shim whose loop ended: the init's status when it was
// reaped (`exit_code`), else 137 (the shim killed it, or lost it) with the
// loop's failure as the reason. `loop` failing is always named in `error`.
ExitRecord ExitRecordAfterLoop(const std::optional<int>& exit_code,
                               absl::Time exited_at, const absl::Status& loop);

}  // namespace berth::containerd::shim

#endif  // BERTH_SERVICES_CONTAINERD_SHIM_EVENT_LOOP_H_
