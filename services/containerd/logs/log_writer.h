// Writing a container's output as Docker's json-file driver does: one JSON
// record per line of output in DIR/ID-json.log, rotated by size.
#ifndef BERTH_SERVICES_CONTAINERD_LOGS_LOG_WRITER_H_
#define BERTH_SERVICES_CONTAINERD_LOGS_LOG_WRITER_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/containerd/logs/log_record.h"

namespace berth {
namespace containerd {
namespace logs {

// The json-file driver's --log-opt settings that change how logs are written.
struct LogOptions {
  // Rotate once the file has reached this many bytes; -1 never rotates.
  int64_t max_size = -1;
  // Files kept, the current one included (ID-json.log, .1, ... .max_file-1).
  // With 1 the file is truncated when it reaches max_size.
  int max_file = 1;
};

// Validates `--log-opt` key=value pairs like Docker's json-file driver:
//  - max-size: a positive size with an optional decimal unit (k, m, g, t, p,
//    optionally followed by b or ib: "10m" is 10,000,000 bytes, like Docker);
//  - max-file: an integer >= 1; without max-size it has no effect (as in
//    Docker);
//  - compress: a boolean; true needs max-file >= 2 and max-size, and is not
//    implemented yet (Unimplemented);
//  - labels, labels-regex, env, env-regex, tag: accepted; Berth does not yet
//    store these attributes in the records.
// Anything else is InvalidArgument "unknown log opt 'x' for json-file log
// driver".
absl::StatusOr<LogOptions> ParseLogOptions(
    const std::map<std::string, std::string>& opts);

// Appends records to one container's log file. Made for the per-container
// shim: single-threaded (not thread-safe), no allocations per line beyond
// one output buffer per Write, one write(2) per Write call between rotations.
class LogWriter {
 public:
  // A line without newline is kept until it reaches this many bytes, then
  // written as a partial record, like Docker's log copier does.
  static constexpr size_t kMaxLineBytes = 16 * 1024;

  // Opens (creating it 0640 if needed) `path` for appending. If the file ends
  // in the middle of a record (a writer was killed mid-write), a newline is
  // added so that the torn record stays one corrupt line that readers skip.
  static absl::StatusOr<std::unique_ptr<LogWriter>> Open(
      std::string path, LogOptions options = LogOptions());

  ~LogWriter();
  LogWriter(const LogWriter&) = delete;
  LogWriter& operator=(const LogWriter&) = delete;

  // Takes the next bytes the container wrote to `stream`, read at `now`.
  // Each complete line becomes a record; the rest waits for more bytes (or
  // Flush) unless it reached kMaxLineBytes.
  absl::Status Write(Stream stream, absl::string_view bytes, absl::Time now);

  // Writes the incomplete line of `stream` (EOF on that stream), as a record
  // without a trailing newline, like Docker.
  absl::Status Flush(Stream stream, absl::Time now);
  // Both streams.
  absl::Status Flush(absl::Time now);

  const std::string& path() const { return path_; }

 private:
  struct Pending {
    std::string bytes;
    bool continued = false;  // a piece of this line was already written
    absl::Time first_piece;  // the time of that piece (Docker reuses it)
  };

  LogWriter(std::string path, LogOptions options, int fd, int64_t size);
  absl::Status AddLineData(Stream stream, absl::string_view data, bool complete,
                           absl::Time now);
  absl::Status AddRecord(Stream stream, absl::string_view bytes,
                         absl::Time time);
  absl::Status Commit();
  absl::Status Rotate();
  absl::Status EnsureOpen();

  std::string path_;
  LogOptions options_;
  int fd_;           // -1 after a failed rotation; reopened on next use
  int64_t size_;     // bytes in the current file, including out_
  std::string out_;  // encoded records not written yet
  Pending pending_[2];
};

}  // namespace logs
}  // namespace containerd
}  // namespace berth

#endif  // BERTH_SERVICES_CONTAINERD_LOGS_LOG_WRITER_H_
