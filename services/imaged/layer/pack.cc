#include "services/imaged/layer/pack.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/sha256.h"
#include "common/status_macros.h"
#include "services/imaged/layer/fd_util.h"

namespace berth {
namespace imaged {
namespace layer {
namespace {

constexpr size_t kCopyBlockSize = 1 << 20;
constexpr char kOpaqueXattr[] = "trusted.overlay.opaque";
constexpr absl::string_view kOverlayXattrPrefix = "trusted.overlay.";

struct ArchiveWriteFree {
  void operator()(struct archive* a) const { archive_write_free(a); }
};
struct EntryFree {
  void operator()(struct archive_entry* e) const { archive_entry_free(e); }
};
using Entry = std::unique_ptr<struct archive_entry, EntryFree>;

// The output file, hashed as it is written.
struct Sink {
  int fd = -1;
  std::string path;
  Sha256 hash;
  int64_t bytes = 0;
  absl::Status error;
};

la_ssize_t WriteToSink(struct archive* a, void* client, const void* data,
                       size_t size) {
  auto* sink = static_cast<Sink*>(client);
  absl::Status written = WriteAll(sink->fd, data, size, sink->path);
  if (!written.ok()) {
    sink->error = written;
    archive_set_error(a, EIO, "%s", std::string(written.message()).c_str());
    return ARCHIVE_FATAL;
  }
  sink->hash.Update(data, size);
  sink->bytes += static_cast<int64_t>(size);
  return static_cast<la_ssize_t>(size);
}

// One name of a directory, as it goes into the tar.
struct Item {
  enum Kind { kNode, kWhiteout, kOpaqueMarker };
  Kind kind = kNode;
  std::string tar_name;  // ".wh.x" for the whiteout of "x"
  std::string fs_name;   // empty for the opaque marker
  struct stat st;
};

class Packer {
 public:
  Packer(struct archive* writer, Sink* sink)
      : writer_(writer), sink_(sink), buffer_(new char[kCopyBlockSize]) {}

  // Writes the entries inside the directory `dir_fd` (whose stat is
  // `dir_st`), their names prefixed with `prefix` ("" or "a/b/").
  absl::Status PackDir(int dir_fd, const std::string& prefix,
                       const struct stat& dir_st);

 private:
  absl::Status PackNode(int dir_fd, const Item& item, const std::string& path);
  absl::Status PackEmptyFile(const std::string& path, const struct stat& st,
                             mode_t perm);
  absl::Status AddXattrs(struct archive_entry* entry, int fd,
                         const std::string& path_for_l_calls,
                         const std::string& path) const;
  absl::Status WriteHeader(struct archive_entry* entry,
                           const std::string& path);
  absl::Status CopyData(int fd, int64_t size, const std::string& path);
  absl::Status WriterError(const std::string& path) const;

  struct archive* writer_;
  Sink* sink_;
  std::unique_ptr<char[]> buffer_;
  // Non-directories with several links: (dev, ino) -> first tar name.
  std::map<std::pair<dev_t, ino_t>, std::string> links_;
};

absl::Status Packer::WriterError(const std::string& path) const {
  if (!sink_->error.ok()) return sink_->error;
  const char* message = archive_error_string(writer_);
  return absl::InternalError(
      absl::StrCat("writing tar entry \"", path,
                   "\": ", message != nullptr ? message : "unknown error"));
}

absl::Status Packer::WriteHeader(struct archive_entry* entry,
                                 const std::string& path) {
  // ARCHIVE_WARN: a name not valid in the locale's charset, written raw
  // with hdrcharset=BINARY.
  int r = archive_write_header(writer_, entry);
  if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
    return WriterError(path);
  }
  return absl::OkStatus();
}

absl::Status Packer::CopyData(int fd, int64_t size, const std::string& path) {
  // A file that shrinks meanwhile is padded with zeros by libarchive; one
  // that grows is cut at the size in its header.
  while (size > 0) {
    size_t want = static_cast<size_t>(
        std::min<int64_t>(size, static_cast<int64_t>(kCopyBlockSize)));
    ssize_t n = read(fd, buffer_.get(), want);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "read", path);
    }
    if (n == 0) break;
    if (archive_write_data(writer_, buffer_.get(), static_cast<size_t>(n)) <
        0) {
      return WriterError(path);
    }
    size -= n;
  }
  return absl::OkStatus();
}

absl::Status Packer::AddXattrs(struct archive_entry* entry, int fd,
                               const std::string& path_for_l_calls,
                               const std::string& path) const {
  absl::StatusOr<Xattrs> xattrs = ListXattrs(fd, path_for_l_calls);
  if (!xattrs.ok()) return Annotate(xattrs.status(), path);
  for (const auto& [name, value] : *xattrs) {
    if (absl::StartsWith(name, kOverlayXattrPrefix)) continue;
    archive_entry_xattr_add_entry(entry, name.c_str(), value.data(),
                                  value.size());
  }
  return absl::OkStatus();
}

absl::Status Packer::PackEmptyFile(const std::string& path,
                                   const struct stat& st, mode_t perm) {
  Entry entry(archive_entry_new());
  archive_entry_set_pathname(entry.get(), path.c_str());
  archive_entry_set_filetype(entry.get(), AE_IFREG);
  archive_entry_set_perm(entry.get(), perm);
  archive_entry_set_uid(entry.get(), st.st_uid);
  archive_entry_set_gid(entry.get(), st.st_gid);
  archive_entry_set_mtime(entry.get(), st.st_mtim.tv_sec, 0);
  archive_entry_set_size(entry.get(), 0);
  return WriteHeader(entry.get(), path);
}

absl::Status Packer::PackDir(int dir_fd, const std::string& prefix,
                             const struct stat& dir_st) {
  absl::StatusOr<std::vector<std::string>> names = ListDirSorted(dir_fd);
  if (!names.ok()) return Annotate(names.status(), "/" + prefix);
  std::vector<Item> items;
  items.reserve(names->size() + 1);
  for (std::string& name : *names) {
    Item item;
    if (fstatat(dir_fd, name.c_str(), &item.st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) continue;  // Removed while we read.
      return ErrnoStatus(errno, "stat", prefix + name);
    }
    if (S_ISSOCK(item.st.st_mode)) continue;
    if (IsWhiteout(item.st)) {
      item.kind = Item::kWhiteout;
      item.tar_name = ".wh." + name;
    } else {
      item.tar_name = name;
    }
    item.fs_name = std::move(name);
    items.push_back(std::move(item));
  }
  if (!prefix.empty() && HasXattr(dir_fd, kOpaqueXattr, "y")) {
    Item marker;
    marker.kind = Item::kOpaqueMarker;
    marker.tar_name = ".wh..wh..opq";
    marker.st = dir_st;
    items.push_back(std::move(marker));
  }
  std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
    return a.tar_name < b.tar_name;
  });
  for (const Item& item : items) {
    const std::string path = prefix + item.tar_name;
    switch (item.kind) {
      case Item::kOpaqueMarker:
        RETURN_IF_ERROR(PackEmptyFile(path, item.st, item.st.st_mode & 0777));
        break;
      case Item::kWhiteout:
        RETURN_IF_ERROR(PackEmptyFile(path, item.st, 0));
        break;
      case Item::kNode:
        RETURN_IF_ERROR(PackNode(dir_fd, item, path));
        break;
    }
  }
  return absl::OkStatus();
}

absl::Status Packer::PackNode(int dir_fd, const Item& item,
                              const std::string& path) {
  const struct stat& st = item.st;
  const char* name = item.fs_name.c_str();
  Entry entry(archive_entry_new());
  archive_entry_set_mode(entry.get(), st.st_mode);
  archive_entry_set_uid(entry.get(), st.st_uid);
  archive_entry_set_gid(entry.get(), st.st_gid);
  // Whole seconds, as Docker writes them: ustar holds no more, and a PAX
  // header just for the fraction would be a needless difference.
  archive_entry_set_mtime(entry.get(), st.st_mtim.tv_sec, 0);

  if (S_ISDIR(st.st_mode)) {
    const std::string dir_path = path + "/";
    archive_entry_set_pathname(entry.get(), dir_path.c_str());
    UniqueFd dir(OpenDirNoFollow(dir_fd, name));
    if (!dir.valid()) return ErrnoStatus(errno, "open", dir_path);
    RETURN_IF_ERROR(AddXattrs(entry.get(), dir.get(), "", dir_path));
    RETURN_IF_ERROR(WriteHeader(entry.get(), dir_path));
    return PackDir(dir.get(), dir_path, st);
  }

  archive_entry_set_pathname(entry.get(), path.c_str());
  if (st.st_nlink > 1) {
    auto [it, first] =
        links_.emplace(std::make_pair(st.st_dev, st.st_ino), path);
    if (!first) {
      archive_entry_set_hardlink(entry.get(), it->second.c_str());
      archive_entry_set_size(entry.get(), 0);
      return WriteHeader(entry.get(), path);
    }
  }
  if (S_ISREG(st.st_mode)) {
    UniqueFd file(openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!file.valid()) return ErrnoStatus(errno, "open", path);
    struct stat now;
    if (fstat(file.get(), &now) != 0) return ErrnoStatus(errno, "stat", path);
    archive_entry_set_size(entry.get(), now.st_size);
    RETURN_IF_ERROR(AddXattrs(entry.get(), file.get(), "", path));
    RETURN_IF_ERROR(WriteHeader(entry.get(), path));
    return CopyData(file.get(), now.st_size, path);
  }
  if (S_ISLNK(st.st_mode)) {
    std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
    while (true) {
      ssize_t n = readlinkat(dir_fd, name, target.data(), target.size());
      if (n < 0) return ErrnoStatus(errno, "readlink", path);
      if (static_cast<size_t>(n) < target.size()) {
        target.resize(static_cast<size_t>(n));
        break;
      }
      target.resize(target.size() * 2);  // Grew meanwhile.
    }
    archive_entry_set_symlink(entry.get(), target.c_str());
  } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
    archive_entry_set_rdev(entry.get(), st.st_rdev);
  } else if (!S_ISFIFO(st.st_mode)) {
    return absl::OkStatus();  // Nothing else can be in a tar.
  }
  RETURN_IF_ERROR(
      AddXattrs(entry.get(), -1, FdPath(dir_fd, item.fs_name), path));
  return WriteHeader(entry.get(), path);
}

absl::Status PackInto(int root_fd, Sink* sink) {
  std::unique_ptr<struct archive, ArchiveWriteFree> writer(archive_write_new());
  struct archive* a = writer.get();
  if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
      // Only the SCHILY.xattr form, which Go's archive/tar (docker) reads.
      archive_write_set_format_option(a, "pax", "xattrheader", "SCHILY") !=
          ARCHIVE_OK ||
      archive_write_add_filter_none(a) != ARCHIVE_OK ||
      archive_write_set_bytes_per_block(a, 1 << 20) != ARCHIVE_OK ||
      // No padding after the end-of-archive blocks, as Go writes it.
      archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK ||
      archive_write_open(a, sink, nullptr, WriteToSink, nullptr) !=
          ARCHIVE_OK) {
    return absl::InternalError(
        absl::StrCat("setting up the tar writer: ", archive_error_string(a)));
  }
  struct stat root_st;
  if (fstat(root_fd, &root_st) != 0) return ErrnoStatus(errno, "stat", "/");
  Packer packer(a, sink);
  RETURN_IF_ERROR(packer.PackDir(root_fd, "", root_st));
  if (archive_write_close(a) != ARCHIVE_OK) {
    if (!sink->error.ok()) return sink->error;
    return absl::InternalError(
        absl::StrCat("finishing the tar: ", archive_error_string(a)));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<PackResult> PackDirectory(const std::string& dir,
                                         const std::string& output_path) {
  UniqueFd root(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root.valid()) return ErrnoStatus(errno, "open", dir);
  UniqueFd out(open(output_path.c_str(),
                    O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
                    0644));
  if (!out.valid()) return ErrnoStatus(errno, "create", output_path);
  Sink sink;
  sink.fd = out.get();
  sink.path = output_path;
  absl::Status status =
      Annotate(PackInto(root.get(), &sink), absl::StrCat("packing ", dir));
  if (status.ok() && fsync(out.get()) != 0) {
    status = ErrnoStatus(errno, "fsync", output_path);
  }
  if (status.ok() && close(out.Release()) != 0) {
    status = ErrnoStatus(errno, "close", output_path);
  }
  if (!status.ok()) {
    out.Reset();
    unlink(output_path.c_str());
    return status;
  }
  PackResult result;
  result.diff_id = sink.hash.Digest();
  result.tar_size = sink.bytes;
  return result;
}

}  // namespace layer
}  // namespace imaged
}  // namespace berth
