// Where an archive the CLI receives is written: stdout, or `-o FILE`
// through a temp file renamed into place once complete.
#ifndef BERTH_CTL_CLI_ARCHIVE_OUTPUT_H_
#define BERTH_CTL_CLI_ARCHIVE_OUTPUT_H_

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace berth::ctl {

// Where an archive the CLI receives goes (`save -o`, `export -o`). `-o
// FILE` that names an existing FIFO, device or other non-regular file is opened and written in place; any other
// FILE (new, regular, or a symlink to a regular file) gets the archive in a
// temp file created exclusively (never through a symlink) in FILE's
// directory, renamed over FILE once complete, as `docker save` does. All of
// it runs with the user's permissions and in the user's mount namespace.
class ArchiveOutput {
 public:
  ArchiveOutput() = default;
  ArchiveOutput(const ArchiveOutput&) = delete;
  ArchiveOutput& operator=(const ArchiveOutput&) = delete;
  ~ArchiveOutput() {
    if (fd_ >= 0 && fd_ != STDOUT_FILENO) close(fd_);
    if (!temp_.empty()) unlink(temp_.c_str());
  }

  absl::Status OpenStdout() {
    fd_ = STDOUT_FILENO;
    label_ = "stdout";
    return absl::OkStatus();
  }

  absl::Status Open(const std::string& name) {
    label_ = name;
    struct stat st;
    if (stat(name.c_str(), &st) == 0) {
      if (S_ISDIR(st.st_mode)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "invalid output path: \"", name, "\" is a directory"));
      }
      if (!S_ISREG(st.st_mode)) {
        fd_ = open(name.c_str(), O_WRONLY | O_CLOEXEC);
        if (fd_ < 0) return ErrnoStatus(errno, "open", name);
        return absl::OkStatus();
      }
    } else if (errno != ENOENT) {
      return ErrnoStatus(errno, "stat", name);
    }
    const size_t slash = name.rfind('/');
    const std::string dir = slash == std::string::npos
                                ? "."
                                : (slash == 0 ? "/" : name.substr(0, slash));
    const std::string base =
        name.substr(slash == std::string::npos ? 0 : slash + 1);
    if (base.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid output path: \"", name, "\" names no file"));
    }
    std::string temp = absl::StrCat(dir, "/.", base, ".berth-XXXXXX");
    fd_ = mkostemp(temp.data(), O_CLOEXEC);
    if (fd_ < 0) {
      if (errno == ENOENT || errno == ENOTDIR) {
        return absl::InvalidArgumentError(absl::StrCat(
            "invalid output path: directory \"", dir, "\" does not exist"));
      }
      return ErrnoStatus(errno, "create temp file in", dir);
    }
    temp_ = temp;
    target_ = name;
    // mkstemp creates 0600; give the archive a new file's usual mode.
    const mode_t mask = umask(0);
    umask(mask);
    if (fchmod(fd_, 0666 & ~mask) != 0) return ErrnoStatus(errno, "chmod", temp_);
    return absl::OkStatus();
  }

  const std::string& label() const { return label_; }
  bool is_stdout() const { return fd_ == STDOUT_FILENO; }

  absl::Status Write(const std::string& data) {
    size_t written = 0;
    while (written < data.size()) {
      const ssize_t n =
          write(fd_, data.data() + written, data.size() - written);
      if (n < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus(errno, "write", temp_.empty() ? label_ : temp_);
      }
      written += static_cast<size_t>(n);
    }
    return absl::OkStatus();
  }

  // Called once the whole archive is written: closes it and renames the temp
  // file into place. Without a call the destructor removes the temp file.
  absl::Status Commit() {
    if (fd_ < 0 || fd_ == STDOUT_FILENO) return absl::OkStatus();
    const int fd = fd_;
    fd_ = -1;
    if (close(fd) != 0) {
      return ErrnoStatus(errno, "close", temp_.empty() ? label_ : temp_);
    }
    if (temp_.empty()) return absl::OkStatus();
    if (rename(temp_.c_str(), target_.c_str()) != 0) {
      return ErrnoStatus(errno, absl::StrCat("rename ", temp_, " to"), target_);
    }
    temp_.clear();
    return absl::OkStatus();
  }

 private:
  int fd_ = -1;
  std::string label_;
  std::string temp_;    // set while the archive goes to a temp file
  std::string target_;  // what the temp file becomes
};

}  // namespace berth::ctl

#endif  // BERTH_CTL_CLI_ARCHIVE_OUTPUT_H_
