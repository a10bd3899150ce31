#include "common/tree_archive/tree_untar.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <cerrno>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/fs_util.h"
#include "common/status_macros.h"
#include "common/tree_archive/fd.h"
#include "common/tree_archive/tree_paths.h"

namespace berth::tree_archive {
namespace {

using Owner = UntarOptions::Owner;

class Extractor {
 public:
  Extractor(int root_fd, std::string dest, const UntarOptions& options)
      : root_fd_(root_fd), dest_(std::move(dest)), options_(options) {}

  absl::Status CheckDest() {
    ASSIGN_OR_RETURN(Fd dir, OpenInRoot(root_fd_, dest_, O_PATH));
    struct stat st;
    if (fstat(dir.get(), &st) != 0) return ErrnoStatus(errno, "stat", dest_);
    if (!S_ISDIR(st.st_mode)) {
      return absl::FailedPreconditionError("extraction point is not a directory");
    }
    return absl::OkStatus();
  }

  absl::Status Apply(struct archive* reader, struct archive_entry* entry) {
    std::string name = archive_entry_pathname(entry) != nullptr
                           ? archive_entry_pathname(entry)
                           : "";
    if (options_.rename) name = options_.rename(name);
    ASSIGN_OR_RETURN(std::vector<std::string> parts, EntryComponents(name));
    const mode_t type = archive_entry_filetype(entry);
    const bool hardlink = archive_entry_hardlink(entry) != nullptr;
    if (parts.empty()) {
      // The "./" entry describes the destination itself.
      if (type == AE_IFDIR) dirs_.push_back({{}, Meta(entry)});
      return absl::OkStatus();
    }
    const std::string base = parts.back();
    parts.pop_back();
    ASSIGN_OR_RETURN(int parent, Parent(parts));
    const std::string shown = Shown(parts, base);
    struct stat existing;
    if (fstatat(parent, base.c_str(), &existing, AT_SYMLINK_NOFOLLOW) == 0) {
      const bool is_dir = type == AE_IFDIR && !hardlink;
      if (options_.no_overwrite_dir_non_dir) {
        if (S_ISDIR(existing.st_mode) && !is_dir) {
          return absl::FailedPreconditionError(absl::StrCat(
              "cannot overwrite directory \"", shown,
              "\" with non-directory \"", name, "\""));
        }
        if (!S_ISDIR(existing.st_mode) && is_dir) {
          return absl::FailedPreconditionError(absl::StrCat(
              "cannot overwrite non-directory \"", shown,
              "\" with directory \"", name, "\""));
        }
      }
      if (!(S_ISDIR(existing.st_mode) && is_dir)) {
        RETURN_IF_ERROR(RemoveAt(parent, base, existing, shown));
      }
    } else if (errno != ENOENT) {
      return ErrnoStatus(errno, "lstat", shown);
    }
    const Meta meta = Meta(entry);
    if (hardlink) {
      std::string target = archive_entry_hardlink(entry);
      if (options_.rename) target = options_.rename(target);
      return Link(parent, base, target, shown);
    }
    switch (type) {
      case AE_IFDIR:
        if (mkdirat(parent, base.c_str(), 0700) != 0 && errno != EEXIST) {
          return ErrnoStatus(errno, "mkdir", shown);
        }
        parts.push_back(base);
        RETURN_IF_ERROR(Chown(parent, base, meta, shown));
        dirs_.push_back({std::move(parts), meta});
        return absl::OkStatus();
      case AE_IFREG:
        return WriteFile(reader, parent, base, meta, shown);
      case AE_IFLNK: {
        const char* target = archive_entry_symlink(entry);
        if (symlinkat(target == nullptr ? "" : target, parent, base.c_str()) != 0) {
          return ErrnoStatus(errno, "symlink", shown);
        }
        RETURN_IF_ERROR(Chown(parent, base, meta, shown));
        return SetTimes(parent, base, meta, shown);
      }
      case AE_IFCHR:
      case AE_IFBLK:
      case AE_IFIFO:
        if (mknodat(parent, base.c_str(), type | 0600,
                    archive_entry_rdev(entry)) != 0) {
          return ErrnoStatus(errno, "mknod", shown);
        }
        RETURN_IF_ERROR(Chown(parent, base, meta, shown));
        if (ChmodNoFollow(parent, base.c_str(), meta.mode) != 0) {
          return ErrnoStatus(errno, "chmod", shown);
        }
        return SetTimes(parent, base, meta, shown);
      default:
        return absl::OkStatus();  // sockets and the like: as Docker, skipped
    }
  }

  // Directories' modes and times, deepest first, once their contents are in.
  absl::Status Finish() {
    for (auto it = dirs_.rbegin(); it != dirs_.rend(); ++it) {
      const std::string path = Join(it->parts);
      ASSIGN_OR_RETURN(Fd dir, OpenInRoot(root_fd_, path,
                                          O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
      const std::string shown = Shown(it->parts, "");
      if (it->parts.empty() && options_.owner != Owner::kUnchanged) {
        uid_t uid = 0;
        gid_t gid = 0;
        Ids(it->meta, uid, gid);
        if (fchown(dir.get(), uid, gid) != 0) return ErrnoStatus(errno, "chown", shown);
      }
      if (fchmod(dir.get(), it->meta.mode) != 0) {
        return ErrnoStatus(errno, "chmod", shown);
      }
      if (futimens(dir.get(), it->meta.times) != 0) {
        return ErrnoStatus(errno, "set times of", shown);
      }
    }
    return absl::OkStatus();
  }

 private:
  struct Meta {
    explicit Meta(struct archive_entry* entry)
        : uid(static_cast<uid_t>(archive_entry_uid(entry))),
          gid(static_cast<gid_t>(archive_entry_gid(entry))),
          mode(archive_entry_perm(entry) & 07777),
          size(archive_entry_size(entry)) {
      times[0].tv_sec = archive_entry_mtime(entry);
      times[0].tv_nsec = archive_entry_mtime_nsec(entry);
      times[1] = times[0];
    }
    uid_t uid;
    gid_t gid;
    mode_t mode;
    int64_t size;
    struct timespec times[2];
  };
  struct Dir {
    std::vector<std::string> parts;  // below dest_
    Meta meta;
  };

  std::string Join(const std::vector<std::string>& parts) const {
    return parts.empty() ? dest_ : absl::StrCat(dest_, "/", absl::StrJoin(parts, "/"));
  }
  std::string Shown(const std::vector<std::string>& parts,
                    const std::string& base) const {
    std::string path = Join(parts);
    if (!base.empty()) path = absl::StrCat(path, "/", base);
    return CleanPath(path);
  }

  void Ids(const Meta& meta, uid_t& uid, gid_t& gid) const {
    if (options_.owner == Owner::kFixed) {
      uid = options_.uid;
      gid = options_.gid;
      return;
    }
    uid = meta.uid;
    gid = meta.gid;
    if (options_.map_ids) options_.map_ids(uid, gid);
  }

  absl::Status Chown(int parent, const std::string& base, const Meta& meta,
                     const std::string& shown) const {
    if (options_.owner == Owner::kUnchanged) return absl::OkStatus();
    uid_t uid = 0;
    gid_t gid = 0;
    Ids(meta, uid, gid);
    if (fchownat(parent, base.c_str(), uid, gid, AT_SYMLINK_NOFOLLOW) != 0) {
      return ErrnoStatus(errno, "chown", shown);
    }
    return absl::OkStatus();
  }

  static absl::Status SetTimes(int parent, const std::string& base,
                               const Meta& meta, const std::string& shown) {
    if (utimensat(parent, base.c_str(), meta.times, AT_SYMLINK_NOFOLLOW) != 0) {
      return ErrnoStatus(errno, "set times of", shown);
    }
    return absl::OkStatus();
  }

  // The directory dest_/parts, created (0755, as Docker) where missing;
  // cached for the next entry in it.
  absl::StatusOr<int> Parent(const std::vector<std::string>& parts) {
    const std::string path = Join(parts);
    if (parent_.valid() && parent_path_ == path) return parent_.get();
    parent_.Reset();
    absl::StatusOr<Fd> dir =
        OpenInRoot(root_fd_, path, O_RDONLY | O_DIRECTORY);
    if (absl::IsNotFound(dir.status())) {
      ASSIGN_OR_RETURN(Fd at, OpenInRoot(root_fd_, dest_, O_RDONLY | O_DIRECTORY));
      std::vector<std::string> walked;
      for (const std::string& part : parts) {
        walked.push_back(part);
        if (mkdirat(at.get(), part.c_str(), 0755) != 0 && errno != EEXIST) {
          return ErrnoStatus(errno, "mkdir", Shown(walked, ""));
        }
        ASSIGN_OR_RETURN(at, OpenInRoot(root_fd_, Join(walked),
                                        O_RDONLY | O_DIRECTORY));
      }
      dir = std::move(at);
    }
    if (!dir.ok()) return dir.status();
    parent_ = std::move(*dir);
    parent_path_ = path;
    return parent_.get();
  }

  absl::Status RemoveAt(int parent, const std::string& base,
                        const struct stat& existing, const std::string& shown) {
    if (!S_ISDIR(existing.st_mode)) {
      if (unlinkat(parent, base.c_str(), 0) != 0) {
        return ErrnoStatus(errno, "remove", shown);
      }
      return absl::OkStatus();
    }
    // RemoveTree never follows a symlink; /proc/self/fd/N names the parent
    // we resolved inside the root.
    parent_.Reset();  // the cached parent may be below what goes
    return RemoveTree(absl::StrCat("/proc/self/fd/", parent, "/", base));
  }

  absl::Status Link(int parent, const std::string& base, const std::string& target,
                    const std::string& shown) {
    ASSIGN_OR_RETURN(std::vector<std::string> parts, EntryComponents(target));
    if (parts.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("hardlink \"", shown, "\" has no target"));
    }
    const std::string target_base = parts.back();
    parts.pop_back();
    ASSIGN_OR_RETURN(Fd dir, OpenInRoot(root_fd_, Join(parts),
                                        O_PATH | O_DIRECTORY));
    if (linkat(dir.get(), target_base.c_str(), parent, base.c_str(), 0) != 0) {
      return ErrnoStatus(errno, "link", shown);
    }
    return absl::OkStatus();
  }

  absl::Status WriteFile(struct archive* reader, int parent,
                         const std::string& base, const Meta& meta,
                         const std::string& shown) {
    Fd file(openat(parent, base.c_str(),
                   O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!file.valid()) return ErrnoStatus(errno, "create", shown);
    const void* block = nullptr;
    size_t size = 0;
    la_int64_t offset = 0;
    for (;;) {
      const int rc = archive_read_data_block(reader, &block, &size, &offset);
      if (rc == ARCHIVE_EOF) break;
      if (rc < ARCHIVE_WARN) {
        return absl::InvalidArgumentError(absl::StrCat(
            "malformed tar at \"", shown, "\": ", archive_error_string(reader)));
      }
      const char* data = static_cast<const char*>(block);
      size_t done = 0;
      while (done < size) {
        const ssize_t n = pwrite(file.get(), data + done, size - done,
                                 static_cast<off_t>(offset) + static_cast<off_t>(done));
        if (n < 0) {
          if (errno == EINTR) continue;
          return ErrnoStatus(errno, "write", shown);
        }
        done += static_cast<size_t>(n);
      }
    }
    // A sparse file's hole at the end is not written by the blocks.
    if (ftruncate(file.get(), static_cast<off_t>(meta.size)) != 0) {
      return ErrnoStatus(errno, "truncate", shown);
    }
    if (options_.owner != Owner::kUnchanged) {
      uid_t uid = 0;
      gid_t gid = 0;
      Ids(meta, uid, gid);
      if (fchown(file.get(), uid, gid) != 0) return ErrnoStatus(errno, "chown", shown);
    }
    // After the chown, which clears setuid and setgid.
    if (fchmod(file.get(), meta.mode) != 0) return ErrnoStatus(errno, "chmod", shown);
    if (futimens(file.get(), meta.times) != 0) {
      return ErrnoStatus(errno, "set times of", shown);
    }
    return absl::OkStatus();
  }

  const int root_fd_;
  const std::string dest_;
  const UntarOptions& options_;
  Fd parent_;
  std::string parent_path_;
  std::vector<Dir> dirs_;
};

struct Feed {
  const ChunkSource* source;
  std::string chunk;
  absl::Status error;
};

la_ssize_t ReadChunk(struct archive*, void* data, const void** buffer) {
  auto* feed = static_cast<Feed*>(data);
  absl::StatusOr<std::string> next = (*feed->source)();
  if (!next.ok()) {
    feed->error = next.status();
    return -1;
  }
  feed->chunk = std::move(*next);
  *buffer = feed->chunk.data();
  return static_cast<la_ssize_t>(feed->chunk.size());
}

}  // namespace

absl::Status UntarInto(const ChunkSource& source, int root_fd,
                       const std::string& dest, const UntarOptions& options) {
  Extractor extractor(root_fd, dest, options);
  RETURN_IF_ERROR(extractor.CheckDest());
  std::unique_ptr<struct archive, int (*)(struct archive*)> reader(
      archive_read_new(), archive_read_free);
  archive_read_support_format_tar(reader.get());
  if (options.decompress) archive_read_support_filter_all(reader.get());
  Feed feed{&source, {}, absl::OkStatus()};
  auto malformed = [&](absl::string_view what) {
    if (!feed.error.ok()) return feed.error;
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": ", archive_error_string(reader.get())));
  };
  if (archive_read_open(reader.get(), &feed, nullptr, &ReadChunk, nullptr) !=
      ARCHIVE_OK) {
    return malformed("not a tar archive");
  }
  for (;;) {
    struct archive_entry* entry = nullptr;
    const int rc = archive_read_next_header(reader.get(), &entry);
    if (rc == ARCHIVE_EOF) break;
    if (rc < ARCHIVE_WARN) return malformed("malformed tar");
    RETURN_IF_ERROR(extractor.Apply(reader.get(), entry));
  }
  return extractor.Finish();
}

}  // namespace berth::tree_archive
