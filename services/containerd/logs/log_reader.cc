#include "services/containerd/logs/log_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/fs_util.h"
#include "common/status_macros.h"
#include "services/containerd/logs/json_line.h"

namespace berth {
namespace containerd {
namespace logs {
namespace {

constexpr size_t kChunk = 64 * 1024;

// One opened log file. Move-only; closes its descriptor.
struct OpenLog {
  int fd = -1;
  std::string name;
  dev_t dev = 0;
  ino_t ino = 0;
  int64_t size = 0;  // when opened

  OpenLog() = default;
  OpenLog(OpenLog&& other) noexcept { *this = std::move(other); }
  OpenLog& operator=(OpenLog&& other) noexcept {
    if (this != &other) {
      if (fd >= 0) close(fd);
      fd = std::exchange(other.fd, -1);
      name = std::move(other.name);
      dev = other.dev;
      ino = other.ino;
      size = other.size;
    }
    return *this;
  }
  ~OpenLog() {
    if (fd >= 0) close(fd);
  }
  bool Is(const struct stat& st) const {
    return fd >= 0 && st.st_dev == dev && st.st_ino == ino;
  }
};

// Opens `name`; leaves `log` closed (and returns OK) if it does not exist.
absl::Status OpenIfExists(const std::string& name, OpenLog* log) {
  *log = OpenLog();
  int fd = open(name.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return absl::OkStatus();
    return ErrnoStatus(errno, "open", name);
  }
  log->fd = fd;
  log->name = name;
  struct stat st;
  if (fstat(fd, &st) != 0) return ErrnoStatus(errno, "stat", name);
  log->dev = st.st_dev;
  log->ino = st.st_ino;
  log->size = st.st_size;
  return absl::OkStatus();
}

std::string DirName(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string BaseName(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The N of every PATH.N present, ascending (newest rotated file first).
absl::StatusOr<std::vector<int>> RotatedIndexes(const std::string& path) {
  std::vector<int> indexes;
  auto names = ListDir(DirName(path));
  if (!names.ok()) {
    if (absl::IsNotFound(names.status())) return indexes;
    return names.status();
  }
  std::string prefix = BaseName(path) + ".";
  for (const std::string& name : *names) {
    if (!absl::StartsWith(name, prefix)) continue;
    absl::string_view digits = absl::string_view(name).substr(prefix.size());
    int index = 0;
    if (digits.empty() || digits.size() > 6 || digits[0] == '0' ||
        !std::all_of(digits.begin(), digits.end(),
                     [](char c) { return absl::ascii_isdigit(c); }) ||
        !absl::SimpleAtoi(digits, &index)) {
      continue;
    }
    indexes.push_back(index);
  }
  std::sort(indexes.begin(), indexes.end());
  return indexes;
}

class Session {
 public:
  Session(const std::string& path, const ReadOptions& options,
          const RecordCallback& callback, int64_t* skipped)
      : path_(path),
        options_(options),
        callback_(callback),
        skipped_(skipped) {}

  absl::Status Run() {
    std::vector<OpenLog> files;  // oldest first
    RETURN_IF_ERROR(Snapshot(&files));
    bool has_current = !files.empty() && files.back().name == path_;
    size_t start_file = 0;
    int64_t start_offset = 0;
    if (options_.tail >= 0) {
      RETURN_IF_ERROR(
          FindTailStart(files, options_.tail, &start_file, &start_offset));
    }
    OpenLog current;
    int64_t offset = 0;
    std::string pending;
    for (size_t i = start_file; i < files.size(); ++i) {
      offset = i == start_file ? start_offset : 0;
      pending.clear();
      bool got = false;
      RETURN_IF_ERROR(ReadAvailable(files[i], &offset, &pending, &got));
      if (done_) return absl::OkStatus();
      if (options_.follow && has_current && i + 1 == files.size()) {
        current = std::move(files[i]);
      } else if (!pending.empty()) {
        ++*skipped_;  // torn last line
      }
    }
    if (!options_.follow) return absl::OkStatus();
    if (current.fd < 0) {
      offset = 0;
      pending.clear();
    }
    return Follow(std::move(current), offset, std::move(pending));
  }

 private:
  // Opens the rotated files and the current one, retrying if a rotation
  // moved them while they were being opened.
  absl::Status Snapshot(std::vector<OpenLog>* files) {
    for (int attempt = 0;; ++attempt) {
      files->clear();
      ASSIGN_OR_RETURN(std::vector<int> indexes, RotatedIndexes(path_));
      std::vector<std::string> names;
      for (auto it = indexes.rbegin(); it != indexes.rend(); ++it) {
        names.push_back(absl::StrCat(path_, ".", *it));
      }
      names.push_back(path_);
      for (const std::string& name : names) {
        OpenLog log;
        RETURN_IF_ERROR(OpenIfExists(name, &log));
        if (log.fd >= 0) files->push_back(std::move(log));
      }
      if (attempt == 4) return absl::OkStatus();
      bool stable = true;
      for (const OpenLog& log : *files) {
        struct stat st;
        if (stat(log.name.c_str(), &st) != 0 || !log.Is(st)) stable = false;
      }
      struct stat st;
      bool current_opened = !files->empty() && files->back().name == path_;
      if (!current_opened && stat(path_.c_str(), &st) == 0) stable = false;
      if (stable) return absl::OkStatus();
    }
  }

  // Where the last `tail` complete lines start: scans backwards from the
  // newest file, reading only the blocks it needs.
  absl::Status FindTailStart(const std::vector<OpenLog>& files, int64_t tail,
                             size_t* file_index, int64_t* offset) {
    *file_index = files.size();
    *offset = 0;
    int64_t need = tail;
    std::string buffer(kChunk, '\0');
    for (size_t i = files.size(); i-- > 0;) {
      const OpenLog& log = files[i];
      int64_t pos = log.size;
      int64_t found = 0;
      while (pos > 0) {
        int64_t len = std::min<int64_t>(kChunk, pos);
        pos -= len;
        ssize_t n = pread(log.fd, buffer.data(), len, pos);
        if (n < 0) return ErrnoStatus(errno, "read", log.name);
        for (int64_t j = n; j-- > 0;) {
          if (buffer[j] == '\n' && ++found == need + 1) {
            *file_index = i;
            *offset = pos + j + 1;
            return absl::OkStatus();
          }
        }
      }
      *file_index = i;
      need -= found;
      if (need <= 0) return absl::OkStatus();
    }
    return absl::OkStatus();
  }

  // Reads `log` from *offset to its end, passing each complete line on;
  // an incomplete last line stays in `pending`.
  absl::Status ReadAvailable(const OpenLog& log, int64_t* offset,
                             std::string* pending, bool* got) {
    char buffer[kChunk];
    while (!done_) {
      ssize_t n = pread(log.fd, buffer, sizeof(buffer), *offset);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return ErrnoStatus(errno, "read", log.name);
      if (n == 0) break;
      *got = true;
      *offset += n;
      pending->append(buffer, static_cast<size_t>(n));
      size_t start = 0;
      while (!done_) {
        size_t nl = pending->find('\n', start);
        if (nl == std::string::npos) break;
        RETURN_IF_ERROR(
            HandleLine(absl::string_view(pending->data() + start, nl - start)));
        start = nl + 1;
      }
      pending->erase(0, start);
    }
    return absl::OkStatus();
  }

  absl::Status HandleLine(absl::string_view line) {
    if (!internal::ParseJsonLine(line, &record_)) {
      ++*skipped_;
      return absl::OkStatus();
    }
    if (record_.time < options_.since) return absl::OkStatus();
    if (record_.time > options_.until) {
      done_ = true;
      return absl::OkStatus();
    }
    return callback_(record_);
  }

  // The file written after `log`, which has been rotated away: PATH.(k-1)
  // if it is now PATH.k, or the oldest file left if it was deleted.
  absl::StatusOr<std::string> Successor(const OpenLog& log) {
    ASSIGN_OR_RETURN(std::vector<int> indexes, RotatedIndexes(path_));
    for (int k : indexes) {
      std::string name = absl::StrCat(path_, ".", k);
      struct stat st;
      if (stat(name.c_str(), &st) == 0 && log.Is(st)) {
        return k == 1 ? path_ : absl::StrCat(path_, ".", k - 1);
      }
    }
    if (indexes.empty()) return path_;
    return absl::StrCat(path_, ".", indexes.back());
  }

  absl::Status Follow(OpenLog current, int64_t offset, std::string pending) {
    bool exiting = false;
    while (true) {
      bool progressed = false;
      if (current.fd < 0) {
        RETURN_IF_ERROR(OpenIfExists(path_, &current));
        if (current.fd >= 0) {
          offset = 0;
          pending.clear();
          progressed = true;
        }
      } else {
        RETURN_IF_ERROR(ReadAvailable(current, &offset, &pending, &progressed));
        if (done_) return absl::OkStatus();
        if (!progressed) {
          RETURN_IF_ERROR(
              CheckRotation(&current, &offset, &pending, &progressed));
          if (done_) return absl::OkStatus();
        }
      }
      if (progressed) continue;
      if (exiting) return absl::OkStatus();
      if (options_.stop && options_.stop()) return absl::OkStatus();
      if (absl::Now() > options_.until) return absl::OkStatus();
      if (options_.still_running && !options_.still_running()) {
        exiting = true;  // read what is left, then stop
        continue;
      }
      if (options_.idle) {
        options_.idle(options_.poll_interval);
      } else {
        absl::SleepFor(options_.poll_interval);
      }
    }
  }

  // At the end of `current`: moves on to the next file if it was rotated
  // away, or back to the start if it was truncated (max-file 1).
  absl::Status CheckRotation(OpenLog* current, int64_t* offset,
                             std::string* pending, bool* progressed) {
    struct stat st;
    if (stat(path_.c_str(), &st) == 0 && current->Is(st)) {
      if (fstat(current->fd, &st) == 0 && st.st_size < *offset) {
        *offset = 0;
        pending->clear();
        *progressed = true;
      }
      return absl::OkStatus();
    }
    // Renamed or removed: first read what was written before that.
    RETURN_IF_ERROR(ReadAvailable(*current, offset, pending, progressed));
    if (done_) return absl::OkStatus();
    ASSIGN_OR_RETURN(std::string next, Successor(*current));
    OpenLog log;
    RETURN_IF_ERROR(OpenIfExists(next, &log));
    if (log.fd < 0 || (log.dev == current->dev && log.ino == current->ino)) {
      return absl::OkStatus();  // not created yet; look again later
    }
    if (!pending->empty()) ++*skipped_;
    pending->clear();
    *current = std::move(log);
    *offset = 0;
    *progressed = true;
    return absl::OkStatus();
  }

  const std::string& path_;
  const ReadOptions& options_;
  const RecordCallback& callback_;
  int64_t* skipped_;
  LogRecord record_;
  bool done_ = false;
};

}  // namespace

LogReader::LogReader(std::string path, ReadOptions options)
    : path_(std::move(path)), options_(std::move(options)) {}

absl::Status LogReader::Read(const RecordCallback& callback) {
  skipped_lines_ = 0;
  Session session(path_, options_, callback, &skipped_lines_);
  return session.Run();
}

}  // namespace logs
}  // namespace containerd
}  // namespace berth
