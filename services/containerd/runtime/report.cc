#include "services/containerd/runtime/report.h"

#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"

namespace berth {
namespace containerd {
namespace runtime {
namespace {

constexpr uint32_t kMaxMessage = 64 << 10;

struct Header {
  uint32_t kind;   // Report::Kind
  int32_t value;   // pid, or absl::StatusCode
  uint32_t length; // bytes of message that follow
};

void WriteAll(int fd, const void* data, size_t size) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = write(fd, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    p += n;
    size -= static_cast<size_t>(n);
  }
}

// Bytes read, stopping early only at EOF; -1 on error.
ssize_t ReadAll(int fd, void* data, size_t size) {
  char* p = static_cast<char*>(data);
  size_t done = 0;
  while (done < size) {
    ssize_t n = read(fd, p + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  return static_cast<ssize_t>(done);
}

}  // namespace

void ReportPid(int fd, pid_t pid) {
  Header header{Report::kPid, pid, 0};
  WriteAll(fd, &header, sizeof(header));
}

void ReportError(int fd, const absl::Status& status) {
  std::string message(status.message());
  if (message.size() > kMaxMessage) message.resize(kMaxMessage);
  Header header{Report::kError, static_cast<int32_t>(status.code()),
                static_cast<uint32_t>(message.size())};
  std::string buffer(reinterpret_cast<const char*>(&header), sizeof(header));
  buffer += message;
  WriteAll(fd, buffer.data(), buffer.size());
}

Report ReadReport(int fd) {
  Report report;
  Header header;
  ssize_t n = ReadAll(fd, &header, sizeof(header));
  if (n == 0) return report;
  if (n != static_cast<ssize_t>(sizeof(header)) || header.length > kMaxMessage) {
    report.kind = Report::kError;
    report.status = absl::InternalError(
        n < 0 ? absl::StrCat("read container init's report: errno ", errno)
              : "container init sent a truncated report");
    return report;
  }
  if (header.kind == Report::kPid) {
    report.kind = Report::kPid;
    report.pid = header.value;
    return report;
  }
  std::string message(header.length, '\0');
  if (ReadAll(fd, message.data(), message.size()) !=
      static_cast<ssize_t>(message.size())) {
    message += " (truncated)";
  }
  report.kind = Report::kError;
  absl::StatusCode code = static_cast<absl::StatusCode>(header.value);
  if (code == absl::StatusCode::kOk) code = absl::StatusCode::kInternal;
  report.status = absl::Status(code, message);
  return report;
}

}  // namespace runtime
}  // namespace containerd
}  // namespace berth
