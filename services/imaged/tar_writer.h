// TarWriter: writes a tar stream (PAX) of files and bytes into a ByteSink,
// in 1 MiB blocks, with no padding beyond the tar end-of-archive.
#ifndef BERTH_SERVICES_IMAGED_TAR_WRITER_H_
#define BERTH_SERVICES_IMAGED_TAR_WRITER_H_

#include <sys/types.h>

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

struct archive;

namespace berth::imaged {

class TarWriter {
 public:
  using Sink = std::function<absl::Status(absl::string_view)>;

  // `gzip` compresses the whole stream.
  TarWriter(Sink sink, absl::Time mtime, bool gzip = false);
  ~TarWriter();
  TarWriter(const TarWriter&) = delete;
  TarWriter& operator=(const TarWriter&) = delete;

  absl::Status AddDirectory(const std::string& name);
  absl::Status AddBytes(const std::string& name, absl::string_view data);
  // Copies the regular file at `path` into the archive as `name`.
  absl::Status AddFile(const std::string& name, const std::string& path);
  // Writes the end of the archive; no Add* after it.
  absl::Status Finish();

 private:
  static ssize_t Write(struct archive*, void* self, const void* buffer,
                              size_t length);
  absl::Status Check(int rc, absl::string_view what);

  Sink sink_;
  absl::Time mtime_;
  struct archive* archive_ = nullptr;
  absl::Status sink_status_;
  bool finished_ = false;
};

}  // namespace berth::imaged

#endif  // BERTH_SERVICES_IMAGED_TAR_WRITER_H_
