#include "services/imaged/layer/extract.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/status_macros.h"

namespace berth {
namespace imaged {
namespace layer {
namespace {

constexpr size_t kMaxPathBytes = 4096;
constexpr size_t kMaxDepth = 512;
constexpr absl::string_view kWhiteoutPrefix = ".wh.";
constexpr absl::string_view kWhiteoutMetaPrefix = ".wh..wh.";
constexpr absl::string_view kOpaqueMarker = ".wh..wh..opq";
constexpr char kOpaqueXattr[] = "trusted.overlay.opaque";
constexpr absl::string_view kOverlayXattrPrefix = "trusted.overlay.";
constexpr uint64_t kMaxId = 0xfffffffeu;  // (uid_t)-1 means "unchanged".

std::string JoinFirst(const std::vector<std::string>& parts, size_t n) {
  return absl::StrJoin(parts.begin(), parts.begin() + n, "/");
}

const char* PathnameOf(struct archive_entry* entry) {
  const char* name = archive_entry_pathname(entry);
  return name != nullptr ? name : archive_entry_pathname_utf8(entry);
}

const char* HardlinkOf(struct archive_entry* entry) {
  const char* target = archive_entry_hardlink(entry);
  return target != nullptr ? target : archive_entry_hardlink_utf8(entry);
}

const char* SymlinkOf(struct archive_entry* entry) {
  const char* target = archive_entry_symlink(entry);
  return target != nullptr ? target : archive_entry_symlink_utf8(entry);
}

const char* TypeName(mode_t type) {
  switch (type) {
    case AE_IFLNK:
      return "symlink";
    case AE_IFCHR:
      return "character device";
    case AE_IFBLK:
      return "block device";
    case AE_IFIFO:
      return "fifo";
    case AE_IFSOCK:
      return "socket";
    default:
      return "special file";
  }
}

// Names are attacker-chosen: escaped, and cut short if very long.
std::string Shown(absl::string_view name) {
  constexpr size_t kMaxShown = 256;
  std::string shown = absl::CHexEscape(name.substr(0, kMaxShown));
  if (name.size() > kMaxShown) shown += "...";
  return shown;
}

long ClampNsec(long nsec) { return std::min(std::max(nsec, 0L), 999999999L); }

}  // namespace

absl::StatusOr<std::vector<std::string>> SplitEntryPath(
    absl::string_view path) {
  if (path.size() > kMaxPathBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("path is longer than ", kMaxPathBytes, " bytes"));
  }
  std::vector<std::string> parts;
  for (absl::string_view part : absl::StrSplit(path, '/')) {
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      return absl::InvalidArgumentError("path escapes the layer");
    }
    parts.emplace_back(part);
  }
  if (parts.size() > kMaxDepth) {
    return absl::InvalidArgumentError(
        absl::StrCat("path is deeper than ", kMaxDepth, " components"));
  }
  return parts;
}

Extractor::Extractor(int root_fd, const UnpackOptions& options)
    : root_fd_(root_fd),
      layer_mode_(options.mode == UnpackMode::kLayer),
      max_unpacked_bytes_(options.max_unpacked_bytes) {}

absl::Status Extractor::ForEntry(const absl::Status& status) const {
  if (status.ok()) return status;
  return absl::Status(
      status.code(),
      absl::StrCat(layer_mode_ ? "layer" : "archive", " entry \"", Shown(name_),
                   "\": ", status.message()));
}

absl::Status Extractor::EntryError(absl::string_view why) const {
  return ForEntry(absl::InvalidArgumentError(why));
}

absl::StatusOr<Extractor::Meta> Extractor::ReadMeta(
    struct archive_entry* entry) const {
  Meta meta;
  int64_t uid = archive_entry_uid(entry);
  int64_t gid = archive_entry_gid(entry);
  if (uid < 0 || static_cast<uint64_t>(uid) > kMaxId || gid < 0 ||
      static_cast<uint64_t>(gid) > kMaxId) {
    return EntryError(absl::StrCat("uid/gid ", uid, "/", gid, " out of range"));
  }
  meta.uid = static_cast<uid_t>(uid);
  meta.gid = static_cast<gid_t>(gid);
  meta.perm = archive_entry_mode(entry) & (layer_mode_ ? 07777 : 0777);
  struct timespec& atime = meta.times[0];
  struct timespec& mtime = meta.times[1];
  if (archive_entry_mtime_is_set(entry)) {
    mtime.tv_sec = archive_entry_mtime(entry);
    mtime.tv_nsec = ClampNsec(archive_entry_mtime_nsec(entry));
  } else {
    mtime.tv_sec = 0;
    mtime.tv_nsec = UTIME_OMIT;
  }
  if (archive_entry_atime_is_set(entry)) {
    atime.tv_sec = archive_entry_atime(entry);
    atime.tv_nsec = ClampNsec(archive_entry_atime_nsec(entry));
  } else {
    atime = mtime;
  }
  return meta;
}

absl::StatusOr<UniqueFd> Extractor::WalkDir(
    const std::vector<std::string>& parts, size_t n, bool create) const {
  UniqueFd dir(fcntl(root_fd_, F_DUPFD_CLOEXEC, 0));
  if (!dir.valid()) return ErrnoStatus(errno, "dup", "layer root");
  for (size_t i = 0; i < n; ++i) {
    const char* component = parts[i].c_str();
    int fd = OpenDirNoFollow(dir.get(), component);
    if (fd < 0 && errno == ENOENT && create) {
      if (mkdirat(dir.get(), component, 0755) != 0 && errno != EEXIST) {
        return ErrnoStatus(errno, "mkdir", JoinFirst(parts, i + 1));
      }
      fd = OpenDirNoFollow(dir.get(), component);
    }
    if (fd < 0) {
      int err = errno;
      std::string prefix = JoinFirst(parts, i + 1);
      if (err == ENOENT) {
        return absl::NotFoundError(
            absl::StrCat("\"", Shown(prefix), "\" is missing"));
      }
      if (err == ELOOP || err == ENOTDIR) {
        struct stat st;
        bool symlink =
            fstatat(dir.get(), component, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
            S_ISLNK(st.st_mode);
        return absl::InvalidArgumentError(absl::StrCat(
            "\"", Shown(prefix), "\"",
            symlink ? " is a symlink: going through it could escape the layer"
                    : " is not a directory"));
      }
      return ErrnoStatus(err, "open", prefix);
    }
    dir.Reset(fd);
  }
  return dir;
}

absl::StatusOr<int> Extractor::Parent(const std::vector<std::string>& parts) {
  std::string key = JoinFirst(parts, parts.size() - 1);
  if (cached_parent_.valid() && key == cached_parent_key_) {
    return cached_parent_.get();
  }
  // The cache only ever holds the current entry's parent, which an entry
  // can replace only through a later entry with its own (new) parent, so a
  // cached fd never points into a removed directory.
  cached_parent_.Reset();
  absl::StatusOr<UniqueFd> dir = WalkDir(parts, parts.size() - 1, true);
  if (!dir.ok()) return ForEntry(dir.status());
  cached_parent_ = std::move(*dir);
  cached_parent_key_ = std::move(key);
  return cached_parent_.get();
}

absl::Status Extractor::RemoveExisting(int dir_fd, const std::string& name) {
  struct stat st;
  if (fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) return absl::OkStatus();
    return ForEntry(ErrnoStatus(errno, "stat", "existing entry"));
  }
  if (!S_ISDIR(st.st_mode)) {
    if (unlinkat(dir_fd, name.c_str(), 0) != 0) {
      return ForEntry(ErrnoStatus(errno, "unlink", "existing entry"));
    }
    return absl::OkStatus();
  }
  UniqueFd dir(OpenDirNoFollow(dir_fd, name.c_str()));
  if (!dir.valid()) {
    return ForEntry(ErrnoStatus(errno, "open", "existing directory"));
  }
  RETURN_IF_ERROR(ForEntry(RemoveContents(dir.get())));
  if (unlinkat(dir_fd, name.c_str(), AT_REMOVEDIR) != 0) {
    return ForEntry(ErrnoStatus(errno, "rmdir", "existing directory"));
  }
  return absl::OkStatus();
}

template <typename Create>
absl::Status Extractor::CreateReplacing(int dir_fd, const std::string& name,
                                        absl::string_view op, Create create) {
  if (create() == 0) return absl::OkStatus();
  if (errno != EEXIST) return ForEntry(ErrnoStatus(errno, op, ""));
  RETURN_IF_ERROR(RemoveExisting(dir_fd, name));
  if (create() == 0) return absl::OkStatus();
  return ForEntry(ErrnoStatus(errno, op, ""));
}

absl::Status Extractor::Apply(struct archive* reader,
                              struct archive_entry* entry) {
  const char* pathname = PathnameOf(entry);
  name_ = pathname != nullptr ? pathname : "";
  ++entries_;
  if (pathname == nullptr) return EntryError("the name cannot be read");
  absl::StatusOr<std::vector<std::string>> parts = SplitEntryPath(name_);
  if (!parts.ok()) return ForEntry(parts.status());

  const mode_t type = archive_entry_filetype(entry);
  const char* hardlink = HardlinkOf(entry);
  if (!layer_mode_ &&
      (hardlink != nullptr || (type != AE_IFREG && type != AE_IFDIR))) {
    return EntryError(absl::StrCat(
        "only regular files and directories are allowed in an archive, not a ",
        hardlink != nullptr ? "hardlink" : TypeName(type)));
  }
  if (parts->empty()) {
    if (hardlink != nullptr || type != AE_IFDIR) {
      return EntryError("the root can only be a directory");
    }
    return ApplyRoot(entry);
  }
  // AUFS metadata at the top (".wh..wh.plnk/...", ".wh..wh.aufs") means
  // nothing to overlayfs; Docker skips it too.
  if (layer_mode_ && absl::StartsWith(parts->front(), kWhiteoutMetaPrefix) &&
      !(parts->size() == 1 && parts->front() == kOpaqueMarker)) {
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(const Meta meta, ReadMeta(entry));
  const std::string& name = parts->back();
  if (layer_mode_ && absl::StartsWith(name, kWhiteoutPrefix)) {
    return ApplyWhiteout(*parts, meta);
  }
  if (hardlink != nullptr) return ApplyHardlink(*parts, hardlink);

  ASSIGN_OR_RETURN(int dir_fd, Parent(*parts));
  switch (type) {
    case AE_IFDIR:
      return ApplyDirectory(*parts, dir_fd, entry, meta);
    case AE_IFREG:
      return ApplyFile(reader, entry, dir_fd, name, meta);
    case AE_IFLNK:
      return ApplySymlink(entry, dir_fd, name, meta);
    case AE_IFCHR:
    case AE_IFBLK:
    case AE_IFIFO:
      return ApplySpecial(entry, type, dir_fd, name, meta);
    default:
      return EntryError(absl::StrCat("cannot unpack a ", TypeName(type)));
  }
}

absl::Status Extractor::ApplyRoot(struct archive_entry* entry) {
  // Docker applies a "./" entry to the layer directory itself; archives
  // keep the mode their caller chose.
  if (!layer_mode_) return absl::OkStatus();
  ASSIGN_OR_RETURN(const Meta meta, ReadMeta(entry));
  RETURN_IF_ERROR(SetMetaOnFd(entry, root_fd_, meta, /*mode_and_times=*/false));
  dirs_[""] = meta;
  return absl::OkStatus();
}

absl::Status Extractor::ApplyWhiteout(const std::vector<std::string>& parts,
                                      const Meta& meta) {
  const std::string& name = parts.back();
  if (name == kOpaqueMarker) {
    ASSIGN_OR_RETURN(int dir_fd, Parent(parts));
    if (fsetxattr(dir_fd, kOpaqueXattr, "y", 1, 0) != 0) {
      return ForEntry(ErrnoStatus(errno, "setxattr", kOpaqueXattr));
    }
    return absl::OkStatus();
  }
  // Other ".wh..wh." names are AUFS metadata, as above.
  if (absl::StartsWith(name, kWhiteoutMetaPrefix)) return absl::OkStatus();
  const std::string hidden = name.substr(kWhiteoutPrefix.size());
  if (hidden.empty() || hidden == "." || hidden == "..") {
    return EntryError("invalid whiteout name");
  }
  ASSIGN_OR_RETURN(int dir_fd, Parent(parts));
  RETURN_IF_ERROR(CreateReplacing(dir_fd, hidden, "mknod whiteout", [&] {
    return mknodat(dir_fd, hidden.c_str(), S_IFCHR, makedev(0, 0));
  }));
  if (fchownat(dir_fd, hidden.c_str(), meta.uid, meta.gid,
               AT_SYMLINK_NOFOLLOW) != 0) {
    return ForEntry(ErrnoStatus(errno, "chown", "whiteout"));
  }
  if (utimensat(dir_fd, hidden.c_str(), meta.times, AT_SYMLINK_NOFOLLOW) != 0) {
    return ForEntry(ErrnoStatus(errno, "set times of", "whiteout"));
  }
  return absl::OkStatus();
}

absl::Status Extractor::ApplyHardlink(const std::vector<std::string>& parts,
                                      absl::string_view target) {
  const std::string quoted =
      absl::StrCat("hardlink target \"", Shown(target), "\"");
  absl::StatusOr<std::vector<std::string>> target_parts =
      SplitEntryPath(target);
  if (!target_parts.ok()) {
    return EntryError(
        absl::StrCat(quoted, ": ", target_parts.status().message()));
  }
  if (target_parts->empty()) return EntryError(quoted + " is the root");
  absl::StatusOr<UniqueFd> target_dir =
      WalkDir(*target_parts, target_parts->size() - 1, /*create=*/false);
  if (absl::IsNotFound(target_dir.status())) {
    return EntryError(quoted + " is not in the layer");
  }
  if (!target_dir.ok()) {
    return ForEntry(Annotate(target_dir.status(), quoted));
  }
  const char* target_name = target_parts->back().c_str();
  struct stat target_st;
  if (fstatat(target_dir->get(), target_name, &target_st,
              AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) return EntryError(quoted + " is not in the layer");
    return ForEntry(ErrnoStatus(errno, "stat", quoted));
  }
  if (S_ISDIR(target_st.st_mode)) {
    return EntryError(quoted + " is a directory");
  }
  ASSIGN_OR_RETURN(int dir_fd, Parent(parts));
  const std::string& name = parts.back();
  struct stat st;
  if (fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
      st.st_dev == target_st.st_dev && st.st_ino == target_st.st_ino) {
    return absl::OkStatus();  // Already that very file.
  }
  // The link shares the target's inode, metadata included; the entry's own
  // metadata would change the target too, so (like containerd) it is unused.
  return CreateReplacing(dir_fd, name, "link", [&] {
    return linkat(target_dir->get(), target_name, dir_fd, name.c_str(), 0);
  });
}

absl::Status Extractor::ApplyDirectory(const std::vector<std::string>& parts,
                                       int dir_fd, struct archive_entry* entry,
                                       const Meta& meta) {
  const char* name = parts.back().c_str();
  if (mkdirat(dir_fd, name, 0700) != 0) {
    if (errno != EEXIST) return ForEntry(ErrnoStatus(errno, "mkdir", ""));
    struct stat st;
    if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
      return ForEntry(ErrnoStatus(errno, "stat", "existing entry"));
    }
    // A directory over a directory merges, as in Docker; anything else is
    // replaced.
    if (!S_ISDIR(st.st_mode)) {
      RETURN_IF_ERROR(RemoveExisting(dir_fd, parts.back()));
      if (mkdirat(dir_fd, name, 0700) != 0) {
        return ForEntry(ErrnoStatus(errno, "mkdir", ""));
      }
    }
  }
  UniqueFd dir(OpenDirNoFollow(dir_fd, name));
  if (!dir.valid()) return ForEntry(ErrnoStatus(errno, "open", "directory"));
  RETURN_IF_ERROR(
      SetMetaOnFd(entry, dir.get(), meta, /*mode_and_times=*/false));
  dirs_[JoinFirst(parts, parts.size())] = meta;
  return absl::OkStatus();
}

absl::Status Extractor::ApplyFile(struct archive* reader,
                                  struct archive_entry* entry, int dir_fd,
                                  const std::string& name, const Meta& meta) {
  const int64_t size =
      archive_entry_size_is_set(entry) ? archive_entry_size(entry) : 0;
  if (size < 0) return EntryError("negative size");
  if (max_unpacked_bytes_ > 0 && size > max_unpacked_bytes_ - unpacked_size_) {
    return EntryError(absl::StrCat("the layer's files exceed the limit of ",
                                   max_unpacked_bytes_, " bytes"));
  }
  unpacked_size_ += size;
  UniqueFd file;
  RETURN_IF_ERROR(CreateReplacing(dir_fd, name, "create", [&] {
    file.Reset(openat(dir_fd, name.c_str(),
                      O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                      0600));
    return file.valid() ? 0 : -1;
  }));
  int64_t end = 0;
  int64_t got = 0;
  while (true) {
    const void* data = nullptr;
    size_t length = 0;
    la_int64_t offset = 0;
    int r = archive_read_data_block(reader, &data, &length, &offset);
    if (r == ARCHIVE_EOF) break;
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
      const char* message = archive_error_string(reader);
      return EntryError(absl::StrCat(
          "reading its data (", got, " of ", size,
          " bytes): ", message != nullptr ? message : "unknown error"));
    }
    if (length == 0) continue;
    // Sparse maps come from the tar: keep every byte inside the size the
    // entry declared (and was counted against the limit with).
    if (offset < 0 || offset > size ||
        static_cast<uint64_t>(size - offset) < length) {
      return EntryError("data lies beyond the entry's size");
    }
    RETURN_IF_ERROR(
        ForEntry(PwriteAll(file.get(), data, length, offset, "file")));
    end = std::max<int64_t>(end, offset + static_cast<int64_t>(length));
    got += static_cast<int64_t>(length);
  }
  if (end < size && ftruncate(file.get(), size) != 0) {  // A trailing hole.
    return ForEntry(ErrnoStatus(errno, "truncate", ""));
  }
  return SetMetaOnFd(entry, file.get(), meta, /*mode_and_times=*/true);
}

absl::Status Extractor::ApplySymlink(struct archive_entry* entry, int dir_fd,
                                     const std::string& name,
                                     const Meta& meta) {
  const char* target = SymlinkOf(entry);
  if (target == nullptr || *target == '\0') {
    return EntryError("symlink without a target");
  }
  RETURN_IF_ERROR(CreateReplacing(dir_fd, name, "symlink", [&] {
    return symlinkat(target, dir_fd, name.c_str());
  }));
  return SetMetaAt(entry, dir_fd, name, meta, /*is_symlink=*/true);
}

absl::Status Extractor::ApplySpecial(struct archive_entry* entry, mode_t type,
                                     int dir_fd, const std::string& name,
                                     const Meta& meta) {
  const mode_t kind =
      type == AE_IFCHR ? S_IFCHR : (type == AE_IFBLK ? S_IFBLK : S_IFIFO);
  const dev_t dev = kind == S_IFIFO ? 0 : archive_entry_rdev(entry);
  RETURN_IF_ERROR(CreateReplacing(dir_fd, name, "mknod", [&] {
    return mknodat(dir_fd, name.c_str(), kind | 0600, dev);
  }));
  return SetMetaAt(entry, dir_fd, name, meta, /*is_symlink=*/false);
}

absl::Status Extractor::SetXattrs(struct archive_entry* entry, int fd,
                                  const std::string& path) const {
  if (archive_entry_xattr_reset(entry) == 0) return absl::OkStatus();
  const char* name = nullptr;
  const void* value = nullptr;
  size_t size = 0;
  while (archive_entry_xattr_next(entry, &name, &value, &size) == ARCHIVE_OK) {
    if (name == nullptr || absl::StartsWith(name, kOverlayXattrPrefix)) {
      continue;
    }
    int r = fd >= 0 ? fsetxattr(fd, name, value, size, 0)
                    : lsetxattr(path.c_str(), name, value, size, 0);
    // A filesystem without xattrs (or this namespace) is not the tar's
    // fault; Docker carries on too.
    if (r != 0 && errno != ENOTSUP) {
      return ForEntry(ErrnoStatus(errno, "setxattr", absl::CHexEscape(name)));
    }
  }
  return absl::OkStatus();
}

absl::Status Extractor::SetMetaOnFd(struct archive_entry* entry, int fd,
                                    const Meta& meta,
                                    bool mode_and_times) const {
  if (layer_mode_) {
    if (fchown(fd, meta.uid, meta.gid) != 0) {
      return ForEntry(ErrnoStatus(errno, "chown", ""));
    }
    RETURN_IF_ERROR(SetXattrs(entry, fd, ""));
  }
  if (!mode_and_times) return absl::OkStatus();
  // After chown, which clears setuid/setgid.
  if (fchmod(fd, meta.perm) != 0) {
    return ForEntry(ErrnoStatus(errno, "chmod", ""));
  }
  if (futimens(fd, meta.times) != 0) {
    return ForEntry(ErrnoStatus(errno, "set times", ""));
  }
  return absl::OkStatus();
}

absl::Status Extractor::SetMetaAt(struct archive_entry* entry, int dir_fd,
                                  const std::string& name, const Meta& meta,
                                  bool is_symlink) const {
  const char* c_name = name.c_str();
  if (fchownat(dir_fd, c_name, meta.uid, meta.gid, AT_SYMLINK_NOFOLLOW) != 0) {
    return ForEntry(ErrnoStatus(errno, "chown", ""));
  }
  RETURN_IF_ERROR(SetXattrs(entry, -1, FdPath(dir_fd, name)));
  // Symlinks have no mode of their own on Linux.
  if (!is_symlink &&
      fchmodat(dir_fd, c_name, meta.perm, AT_SYMLINK_NOFOLLOW) != 0) {
    return ForEntry(ErrnoStatus(errno, "chmod", ""));
  }
  if (utimensat(dir_fd, c_name, meta.times, AT_SYMLINK_NOFOLLOW) != 0) {
    return ForEntry(ErrnoStatus(errno, "set times", ""));
  }
  return absl::OkStatus();
}

absl::Status Extractor::Finish() {
  cached_parent_.Reset();
  // Reverse order visits "a/b" before "a": children's times are final
  // before their parent's are set.
  for (auto it = dirs_.rbegin(); it != dirs_.rend(); ++it) {
    std::vector<std::string> parts;
    if (!it->first.empty()) parts = absl::StrSplit(it->first, '/');
    absl::StatusOr<UniqueFd> dir = WalkDir(parts, parts.size(), false);
    // A later entry replaced it (by a non-directory, or removed its parent).
    if (absl::IsNotFound(dir.status()) ||
        absl::IsInvalidArgument(dir.status())) {
      continue;
    }
    if (!dir.ok()) return dir.status();
    const Meta& meta = it->second;
    if (fchmod(dir->get(), meta.perm) != 0) {
      return ErrnoStatus(errno, "chmod", it->first);
    }
    if (futimens(dir->get(), meta.times) != 0) {
      return ErrnoStatus(errno, "set times of", it->first);
    }
  }
  return absl::OkStatus();
}

}  // namespace layer
}  // namespace imaged
}  // namespace berth
