// One record of a container's log, as Docker's json-file driver stores it.
#ifndef BERTH_SERVICES_CONTAINERD_LOGS_LOG_RECORD_H_
#define BERTH_SERVICES_CONTAINERD_LOGS_LOG_RECORD_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace berth {
namespace containerd {
namespace logs {

enum class Stream { kStdout, kStderr };

// "stdout" or "stderr", the names used in the log files and by the API.
absl::string_view StreamName(Stream stream);

struct LogRecord {
  Stream stream = Stream::kStdout;
  absl::Time time;
  // The bytes the container wrote. A complete line ends with '\n'; a line
  // longer than 16 KiB is cut into pieces without '\n' (the last piece has
  // it), and output that ended without a newline is a piece without one.
  // Concatenating the records of a stream gives back its output (invalid
  // UTF-8 excepted: like Docker, each invalid byte is stored as U+FFFD).
  std::string bytes;
};

}  // namespace logs
}  // namespace containerd
}  // namespace berth

#endif  // BERTH_SERVICES_CONTAINERD_LOGS_LOG_RECORD_H_
