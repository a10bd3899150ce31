// Reading a container's json-file log: all of it or its tail, filtered by
// time, optionally following it as it grows and rotates (`berth logs`).
#ifndef BERTH_SERVICES_CONTAINERD_LOGS_LOG_READER_H_
#define BERTH_SERVICES_CONTAINERD_LOGS_LOG_READER_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "services/containerd/logs/log_record.h"

namespace berth {
namespace containerd {
namespace logs {

struct ReadOptions {
  // The last `tail` records only; -1 means all, 0 none (then only new ones
  // with `follow`). Found by scanning backwards from the end of the files.
  int64_t tail = -1;
  // Records with since <= time <= until (both inclusive, like Docker). Like
  // Docker, `tail` is applied first, and reading stops at the first record
  // after `until`.
  absl::Time since = absl::InfinitePast();
  absl::Time until = absl::InfiniteFuture();
  // After the existing records, wait for new ones (across rotations) until
  // `stop` returns true, `still_running` returns false and everything
  // written has been read, or the clock passes `until`.
  bool follow = false;
  std::function<bool()> stop;           // empty: never
  std::function<bool()> still_running;  // empty: always running
  absl::Duration poll_interval = absl::Milliseconds(100);
  // Waits while there is nothing new to read: at most the given time, less
  // when something changed (containerd wakes it when the container exits,
  // so a follow ends as soon as its container does). Empty: sleeps.
  std::function<void(absl::Duration)> idle;
};

// Receives the records in order; an error status stops the reading and is
// returned as is (e.g. the client went away).
using RecordCallback = std::function<absl::Status(const LogRecord&)>;

// Reads PATH (DIR/ID-json.log) and its rotated files PATH.N ... PATH.1,
// oldest first. Corrupt or torn lines are skipped. The writer may be another
// process; rotations are detected by inode.
class LogReader {
 public:
  LogReader(std::string path, ReadOptions options);

  // A missing log file is not an error: there is nothing to read yet.
  absl::Status Read(const RecordCallback& callback);

  // Lines skipped as corrupt by the last Read.
  int64_t skipped_lines() const { return skipped_lines_; }

 private:
  std::string path_;
  ReadOptions options_;
  int64_t skipped_lines_ = 0;
};

}  // namespace logs
}  // namespace containerd
}  // namespace berth

#endif  // BERTH_SERVICES_CONTAINERD_LOGS_LOG_READER_H_
