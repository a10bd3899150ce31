// RootLock: the claim of one process on a service's state directory.
//
// A service takes the lock before it opens its store, so a second daemon on
// the same --root stops with a message naming the holder instead of touching
// state another process owns. The lock is an flock(2) on DIR/berth.lock and
// is released by the kernel when the process dies, so a crash leaves no stale
// claim behind.
#ifndef BERTH_COMMON_ROOT_LOCK_H_
#define BERTH_COMMON_ROOT_LOCK_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace berth {

class RootLock {
 public:
  // Creates `dir` (and parents) if needed and locks it. FailedPrecondition,
  // naming the holder's pid, if another process has it.
  static absl::StatusOr<std::unique_ptr<RootLock>> Acquire(
      const std::string& dir);
  ~RootLock();
  RootLock(const RootLock&) = delete;
  RootLock& operator=(const RootLock&) = delete;

 private:
  explicit RootLock(int fd) : fd_(fd) {}
  int fd_;
};

// mkdir -p with the given mode for directories it creates.
absl::Status MakeDirs(const std::string& dir, unsigned mode = 0711);

}  // namespace berth

#endif  // BERTH_COMMON_ROOT_LOCK_H_
