#include "services/containerd/logs/log_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "services/containerd/logs/json_line.h"

namespace berth {
namespace containerd {
namespace logs {
namespace {

constexpr int kOpenFlags = O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC;
constexpr mode_t kFileMode = 0640;

// Docker's size syntax (go-units FromHumanSize): a decimal number, an
// optional space, and an optional unit k/m/g/t/p (powers of 1000) that may be
// followed by "b" or "ib"; "b" alone means bytes. Case-insensitive.
bool ParseSize(absl::string_view text, double* bytes, std::string* why) {
  size_t end = 0;
  bool dot = false;
  while (end < text.size() &&
         (absl::ascii_isdigit(static_cast<unsigned char>(text[end])) ||
          (text[end] == '.' && !dot))) {
    dot = dot || text[end] == '.';
    ++end;
  }
  absl::string_view number = text.substr(0, end);
  if (number.empty() || number == ".") {
    *why = "expected a number";
    return false;
  }
  if (!absl::SimpleAtod(number, bytes)) {
    *why = "expected a number";
    return false;
  }
  absl::string_view suffix = text.substr(end);
  if (!suffix.empty() && suffix[0] == ' ') suffix.remove_prefix(1);
  std::string unit = absl::AsciiStrToLower(suffix);
  if (unit.empty() || unit == "b") return true;
  double multiplier = 0;
  switch (unit[0]) {
    case 'k':
      multiplier = 1e3;
      break;
    case 'm':
      multiplier = 1e6;
      break;
    case 'g':
      multiplier = 1e9;
      break;
    case 't':
      multiplier = 1e12;
      break;
    case 'p':
      multiplier = 1e15;
      break;
    default:
      break;
  }
  absl::string_view rest = absl::string_view(unit).substr(1);
  if (multiplier == 0 || !(rest.empty() || rest == "b" || rest == "ib")) {
    *why = absl::StrCat("invalid unit '", suffix, "'");
    return false;
  }
  *bytes *= multiplier;
  return true;
}

// Go's strconv.ParseBool.
bool ParseGoBool(absl::string_view s, bool* value) {
  if (s == "1" || s == "t" || s == "T" || s == "true" || s == "TRUE" ||
      s == "True") {
    *value = true;
    return true;
  }
  if (s == "0" || s == "f" || s == "F" || s == "false" || s == "FALSE" ||
      s == "False") {
    *value = false;
    return true;
  }
  return false;
}

std::string RotatedName(const std::string& path, int index) {
  return absl::StrCat(path, ".", index);
}

}  // namespace

absl::StatusOr<LogOptions> ParseLogOptions(
    const std::map<std::string, std::string>& opts) {
  for (const auto& [key, value] : opts) {
    if (key != "max-size" && key != "max-file" && key != "compress" &&
        key != "labels" && key != "labels-regex" && key != "env" &&
        key != "env-regex" && key != "tag") {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown log opt '", key, "' for json-file log driver"));
    }
  }
  LogOptions options;
  if (auto it = opts.find("max-size"); it != opts.end()) {
    double bytes = 0;
    std::string why;
    if (!ParseSize(it->second, &bytes, &why)) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid log opt max-size=\"", it->second, "\": ", why,
                       " (use a size like 512k, 10m or 1g)"));
    }
    if (!(bytes >= 1) || bytes > 9.2e18) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid log opt max-size=\"", it->second,
                       "\": max-size must be a positive number"));
    }
    options.max_size = static_cast<int64_t>(bytes);
  }
  if (auto it = opts.find("max-file"); it != opts.end()) {
    absl::string_view text = it->second;
    if (!text.empty() && text[0] == '+') text.remove_prefix(1);
    int value = 0;
    if (text.empty() ||
        !absl::ascii_isdigit(static_cast<unsigned char>(text[0])) ||
        !absl::SimpleAtoi(text, &value)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "invalid log opt max-file=\"", it->second, "\": not an integer"));
    }
    if (value < 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid log opt max-file=\"", it->second,
                       "\": max-file cannot be less than 1"));
    }
    options.max_file = value;
  }
  if (auto it = opts.find("compress"); it != opts.end()) {
    bool compress = false;
    if (!ParseGoBool(it->second, &compress)) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid log opt compress=\"", it->second,
                       "\": expected true or false"));
    }
    if (compress && (options.max_file == 1 || options.max_size == -1)) {
      return absl::InvalidArgumentError(
          "compress cannot be true when max-file is less than 2 or max-size "
          "is not set");
    }
    if (compress) {
      return absl::UnimplementedError(
          "log opt compress=true is not supported yet by berth's json-file "
          "log driver; remove it to keep rotated files uncompressed");
    }
  }
  return options;
}

absl::StatusOr<std::unique_ptr<LogWriter>> LogWriter::Open(std::string path,
                                                           LogOptions options) {
  int fd = open(path.c_str(), kOpenFlags, kFileMode);
  if (fd < 0) return ErrnoStatus(errno, "open", path);
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int err = errno;
    close(fd);
    return ErrnoStatus(err, "stat", path);
  }
  int64_t size = st.st_size;
  if (size > 0) {
    char last = '\n';
    if (pread(fd, &last, 1, size - 1) != 1) {
      int err = errno;
      close(fd);
      return ErrnoStatus(err, "read", path);
    }
    if (last != '\n') {
      if (write(fd, "\n", 1) != 1) {
        int err = errno;
        close(fd);
        return ErrnoStatus(err, "write", path);
      }
      ++size;
    }
  }
  return std::unique_ptr<LogWriter>(
      new LogWriter(std::move(path), options, fd, size));
}

LogWriter::LogWriter(std::string path, LogOptions options, int fd, int64_t size)
    : path_(std::move(path)), options_(options), fd_(fd), size_(size) {}

LogWriter::~LogWriter() {
  if (fd_ >= 0) close(fd_);
}

absl::Status LogWriter::Write(Stream stream, absl::string_view bytes,
                              absl::Time now) {
  absl::Status status;
  while (!bytes.empty() && status.ok()) {
    size_t nl = bytes.find('\n');
    bool complete = nl != absl::string_view::npos;
    size_t take = complete ? nl + 1 : bytes.size();
    status = AddLineData(stream, bytes.substr(0, take), complete, now);
    bytes.remove_prefix(take);
  }
  absl::Status commit = Commit();
  return status.ok() ? commit : status;
}

absl::Status LogWriter::AddLineData(Stream stream, absl::string_view data,
                                    bool complete, absl::Time now) {
  Pending& p = pending_[stream == Stream::kStderr ? 1 : 0];
  if (!p.bytes.empty()) {
    p.bytes.append(data.data(), data.size());
    data = p.bytes;
  }
  size_t content = data.size() - (complete ? 1 : 0);
  size_t offset = 0;
  absl::Status status;
  while (status.ok() && content - offset >= kMaxLineBytes) {
    if (!p.continued) {
      p.continued = true;
      p.first_piece = now;
    }
    status =
        AddRecord(stream, data.substr(offset, kMaxLineBytes), p.first_piece);
    offset += kMaxLineBytes;
  }
  if (status.ok() && complete) {
    status = AddRecord(stream, data.substr(offset),
                       p.continued ? p.first_piece : now);
    offset = data.size();
  }
  if (complete || !status.ok()) {
    p = Pending();
  } else if (data.data() == p.bytes.data()) {
    p.bytes.erase(0, offset);
  } else {
    p.bytes.assign(data.data() + offset, data.size() - offset);
  }
  return status;
}

absl::Status LogWriter::Flush(Stream stream, absl::Time now) {
  Pending& p = pending_[stream == Stream::kStderr ? 1 : 0];
  absl::Status status;
  if (!p.bytes.empty()) {
    status = AddRecord(stream, p.bytes, p.continued ? p.first_piece : now);
  }
  p = Pending();
  absl::Status commit = Commit();
  return status.ok() ? commit : status;
}

absl::Status LogWriter::Flush(absl::Time now) {
  absl::Status out = Flush(Stream::kStdout, now);
  absl::Status err = Flush(Stream::kStderr, now);
  return out.ok() ? err : out;
}

absl::Status LogWriter::AddRecord(Stream stream, absl::string_view bytes,
                                  absl::Time time) {
  if (options_.max_size > 0 && size_ >= options_.max_size) {
    RETURN_IF_ERROR(Commit());
    RETURN_IF_ERROR(Rotate());
  }
  size_t before = out_.size();
  internal::AppendJsonLine(stream, bytes, time, &out_);
  size_ += static_cast<int64_t>(out_.size() - before);
  return absl::OkStatus();
}

absl::Status LogWriter::EnsureOpen() {
  if (fd_ >= 0) return absl::OkStatus();
  fd_ = open(path_.c_str(), kOpenFlags, kFileMode);
  if (fd_ < 0) return ErrnoStatus(errno, "open", path_);
  struct stat st;
  if (fstat(fd_, &st) != 0) return ErrnoStatus(errno, "stat", path_);
  size_ = st.st_size + static_cast<int64_t>(out_.size());
  return absl::OkStatus();
}

absl::Status LogWriter::Commit() {
  if (out_.empty()) return absl::OkStatus();
  absl::Status status = EnsureOpen();
  size_t done = 0;
  while (status.ok() && done < out_.size()) {
    ssize_t n = write(fd_, out_.data() + done, out_.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      status = ErrnoStatus(errno, "write", path_);
      break;
    }
    done += static_cast<size_t>(n);
  }
  // What could not be written is dropped: the container must not block on
  // a full disk, and a torn last record is skipped by readers.
  size_ -= static_cast<int64_t>(out_.size() - done);
  out_.clear();
  return status;
}

absl::Status LogWriter::Rotate() {
  close(fd_);
  fd_ = -1;
  if (options_.max_file >= 2) {
    std::string oldest = RotatedName(path_, options_.max_file - 1);
    if (unlink(oldest.c_str()) != 0 && errno != ENOENT) {
      return ErrnoStatus(errno, "remove oldest log file", oldest);
    }
    for (int i = options_.max_file - 1; i >= 1; --i) {
      std::string from = i == 1 ? path_ : RotatedName(path_, i - 1);
      std::string to = RotatedName(path_, i);
      if (rename(from.c_str(), to.c_str()) != 0 && errno != ENOENT) {
        return ErrnoStatus(errno, absl::StrCat("rename to ", to), from);
      }
    }
  }
  // max-file 1: Docker truncates the file in place.
  fd_ = open(path_.c_str(), kOpenFlags | O_TRUNC, kFileMode);
  if (fd_ < 0) return ErrnoStatus(errno, "open", path_);
  size_ = 0;
  return absl::OkStatus();
}

}  // namespace logs
}  // namespace containerd
}  // namespace berth
