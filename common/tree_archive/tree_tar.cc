#include "common/tree_archive/tree_tar.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "common/tree_archive/fd.h"

namespace berth::tree_archive {
namespace {

// Bytes are handed to the sink in chunks of this size: big enough to keep
// per-message costs low, well under gRPC's message limit.
constexpr size_t kChunk = 256 << 10;

class Writer {
 public:
  Writer(const TarTreeOptions& options, const TarSink& sink)
      : options_(options), sink_(sink), archive_(archive_write_new()) {}
  ~Writer() { archive_write_free(archive_); }

  absl::Status Open() {
    // PAX only where ustar cannot hold a value (long names, big ids), as
    // Go's archive/tar writes for Docker.
    archive_write_set_format_pax_restricted(archive_);
    // No padding of the last block beyond the end-of-archive marker.
    archive_write_set_bytes_in_last_block(archive_, 1);
    if (archive_write_open(archive_, this, nullptr, &Writer::OnWrite,
                           nullptr) != ARCHIVE_OK) {
      return Failed("open tar writer");
    }
    return absl::OkStatus();
  }

  absl::Status Close() {
    if (archive_write_close(archive_) != ARCHIVE_OK) return Failed("finish tar");
    return Flush();
  }

  // `name` in `dir_fd` ("" = dir_fd itself) as entry `entry_name`.
  absl::Status Add(int dir_fd, const std::string& name,
                   const std::string& entry_name, bool include) {
    struct stat st;
    const char* at = name.empty() ? "" : name.c_str();
    if (fstatat(dir_fd, at, &st,
                AT_SYMLINK_NOFOLLOW | (name.empty() ? AT_EMPTY_PATH : 0)) !=
        0) {
      return ErrnoStatus(errno, "lstat", Shown(entry_name));
    }
    if (S_ISSOCK(st.st_mode)) return absl::OkStatus();
    Fd dir;
    if (S_ISDIR(st.st_mode)) {
      absl::StatusOr<Fd> opened =
          Reopen(dir_fd, name, O_RDONLY | O_DIRECTORY, entry_name);
      if (!opened.ok()) return opened.status();
      dir = std::move(*opened);
    }
    if (include) {
      RETURN_IF_ERROR(WriteEntry(dir_fd, name, entry_name, st));
    }
    if (!dir.valid()) return absl::OkStatus();
    ASSIGN_OR_RETURN(std::vector<std::string> children, List(dir.get(), entry_name));
    for (const std::string& child : children) {
      // Below a "." top, names are "./child" when the top is an entry (as
      // Docker's cp of "dir/." writes them) and bare otherwise (export).
      const std::string child_name =
          entry_name == "." && !include ? child : absl::StrCat(entry_name, "/", child);
      RETURN_IF_ERROR(Add(dir.get(), child, child_name, true));
    }
    return absl::OkStatus();
  }

 private:
  static la_ssize_t OnWrite(struct archive*, void* self, const void* data,
                            size_t size) {
    auto* writer = static_cast<Writer*>(self);
    writer->buffer_.append(static_cast<const char*>(data), size);
    if (writer->buffer_.size() >= kChunk) {
      absl::Status sent = writer->Flush();
      if (!sent.ok()) {
        writer->sink_error_ = sent;
        return -1;
      }
    }
    return static_cast<la_ssize_t>(size);
  }

  absl::Status Flush() {
    if (buffer_.empty()) return absl::OkStatus();
    absl::Status sent = sink_(buffer_);
    buffer_.clear();
    return sent;
  }

  absl::Status Failed(absl::string_view what) {
    if (!sink_error_.ok()) return sink_error_;
    return absl::InternalError(
        absl::StrCat(what, ": ", archive_error_string(archive_)));
  }

  static std::string Shown(const std::string& entry_name) {
    return entry_name;
  }

  static absl::StatusOr<Fd> Reopen(int dir_fd, const std::string& name,
                                   int flags, const std::string& entry_name) {
    const int fd = name.empty()
                       ? openat(dir_fd, ".", flags | O_CLOEXEC)
                       : openat(dir_fd, name.c_str(),
                                flags | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus(errno, "open", Shown(entry_name));
    return Fd(fd);
  }

  static absl::StatusOr<std::vector<std::string>> List(
      int dir_fd, const std::string& entry_name) {
    const int copy = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (copy < 0) return ErrnoStatus(errno, "open", Shown(entry_name));
    DIR* dir = fdopendir(copy);
    if (dir == nullptr) {
      const int err = errno;
      close(copy);
      return ErrnoStatus(err, "opendir", Shown(entry_name));
    }
    std::vector<std::string> names;
    errno = 0;
    while (struct dirent* d = readdir(dir)) {
      const std::string n = d->d_name;
      if (n != "." && n != "..") names.push_back(n);
      errno = 0;
    }
    const int err = errno;
    closedir(dir);
    if (err != 0) return ErrnoStatus(err, "readdir", Shown(entry_name));
    std::sort(names.begin(), names.end());
    return names;
  }

  absl::Status WriteEntry(int dir_fd, const std::string& name,
                          const std::string& entry_name, const struct stat& st) {
    std::unique_ptr<struct archive_entry, void (*)(struct archive_entry*)> entry(
        archive_entry_new(), archive_entry_free);
    archive_entry_copy_stat(entry.get(), &st);
    // Only the mtime, as Docker's tars carry: atime and ctime change by
    // merely reading.
    archive_entry_unset_atime(entry.get());
    archive_entry_unset_ctime(entry.get());
    archive_entry_unset_birthtime(entry.get());
    uid_t uid = st.st_uid;
    gid_t gid = st.st_gid;
    if (options_.map_ids) options_.map_ids(uid, gid);
    archive_entry_set_uid(entry.get(), uid);
    archive_entry_set_gid(entry.get(), gid);
    archive_entry_set_pathname(
        entry.get(), S_ISDIR(st.st_mode) && entry_name != "/"
                         ? absl::StrCat(entry_name, "/").c_str()
                         : entry_name.c_str());
    Fd file;
    if (S_ISLNK(st.st_mode)) {
      std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
      const ssize_t n =
          readlinkat(dir_fd, name.c_str(), target.data(), target.size());
      if (n < 0) return ErrnoStatus(errno, "readlink", Shown(entry_name));
      target.resize(static_cast<size_t>(n));
      archive_entry_set_symlink(entry.get(), target.c_str());
      archive_entry_set_size(entry.get(), 0);
    } else if (S_ISREG(st.st_mode)) {
      const auto key = std::make_pair(st.st_dev, st.st_ino);
      auto seen = st.st_nlink > 1 ? links_.find(key) : links_.end();
      if (seen != links_.end()) {
        archive_entry_set_hardlink(entry.get(), seen->second.c_str());
        archive_entry_set_size(entry.get(), 0);
      } else {
        if (st.st_nlink > 1) links_.emplace(key, entry_name);
        ASSIGN_OR_RETURN(file, Reopen(dir_fd, name, O_RDONLY, entry_name));
      }
    } else if (!S_ISDIR(st.st_mode)) {
      archive_entry_set_size(entry.get(), 0);  // devices and fifos
    }
    if (archive_write_header(archive_, entry.get()) < ARCHIVE_WARN) {
      return Failed(absl::StrCat("write tar header of ", entry_name));
    }
    if (file.valid()) {
      RETURN_IF_ERROR(CopyData(file.get(), st.st_size, entry_name));
    }
    if (archive_write_finish_entry(archive_) < ARCHIVE_WARN) {
      return Failed(absl::StrCat("write tar entry ", entry_name));
    }
    return absl::OkStatus();
  }

  // Writes at most `size` bytes (what the header announced); a file that
  // shrank meanwhile is padded by finish_entry.
  absl::Status CopyData(int fd, off_t size, const std::string& entry_name) {
    std::string buf(64 << 10, '\0');
    off_t left = size;
    while (left > 0) {
      const ssize_t n = read(fd, buf.data(),
                             static_cast<size_t>(std::min<off_t>(left, buf.size())));
      if (n < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus(errno, "read", Shown(entry_name));
      }
      if (n == 0) break;
      if (archive_write_data(archive_, buf.data(), static_cast<size_t>(n)) < 0) {
        return Failed(absl::StrCat("write tar data of ", entry_name));
      }
      left -= n;
    }
    return absl::OkStatus();
  }

  const TarTreeOptions& options_;
  const TarSink& sink_;
  struct archive* archive_;
  std::string buffer_;
  absl::Status sink_error_;
  std::map<std::pair<dev_t, ino_t>, std::string> links_;
};

}  // namespace

absl::Status WriteTreeTar(int dir_fd, const std::string& name,
                          const TarTreeOptions& options, const TarSink& sink) {
  Writer writer(options, sink);
  RETURN_IF_ERROR(writer.Open());
  RETURN_IF_ERROR(writer.Add(dir_fd, name, options.top, options.include_top));
  return writer.Close();
}

}  // namespace berth::tree_archive
