// Private to //services/imaged/layer: writes tar entries under a directory
// with *at() calls relative to directory fds, never following a symlink.
// unpack.h states the contract; this is the part that touches the disk.
#ifndef BERTH_SERVICES_IMAGED_LAYER_EXTRACT_H_
#define BERTH_SERVICES_IMAGED_LAYER_EXTRACT_H_

#include <sys/stat.h>
#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/imaged/layer/fd_util.h"
#include "services/imaged/layer/unpack.h"

struct archive;
struct archive_entry;

namespace berth {
namespace imaged {
namespace layer {

// Splits a tar entry path into its components, dropping empty and "."
// components (so a leading "/" or "./" is dropped). An empty result is the
// root. INVALID_ARGUMENT (message without the entry name) for a ".."
// component, a path over 4096 bytes or deeper than 512 components.
absl::StatusOr<std::vector<std::string>> SplitEntryPath(absl::string_view path);

// Creates tar entries, one Apply() per entry in archive order, below the
// directory `root_fd` (borrowed; it must outlive the Extractor). Directory
// modes and times are applied by Finish(), after all their contents. On an
// error the caller removes what was written (RemoveContents).
class Extractor {
 public:
  Extractor(int root_fd, const UnpackOptions& options);
  Extractor(const Extractor&) = delete;
  Extractor& operator=(const Extractor&) = delete;

  // Creates `entry`, reading its data from `reader`.
  absl::Status Apply(struct archive* reader, struct archive_entry* entry);
  // Applies the deferred directory modes and times. Call once, last.
  absl::Status Finish();

  int64_t unpacked_size() const { return unpacked_size_; }
  int64_t entries() const { return entries_; }

 private:
  // What an entry says about ownership, permissions and times.
  struct Meta {
    uid_t uid = 0;
    gid_t gid = 0;
    mode_t perm = 0;
    struct timespec times[2];  // atime, mtime (UTIME_OMIT if not set)
  };

  absl::StatusOr<Meta> ReadMeta(struct archive_entry* entry) const;
  // `status` with "<kind> entry \"NAME\": " before its message.
  absl::Status ForEntry(const absl::Status& status) const;
  absl::Status EntryError(absl::string_view why) const;

  // Opens the directory made of the first `n` components of `parts`, one
  // component at a time with O_NOFOLLOW, creating missing ones if `create`.
  // NOT_FOUND if one is missing (and !create), INVALID_ARGUMENT if one is a
  // symlink or not a directory.
  absl::StatusOr<UniqueFd> WalkDir(const std::vector<std::string>& parts,
                                   size_t n, bool create) const;
  // The (created if missing) parent directory of `parts`; the fd stays
  // owned by a one-entry cache and is valid until the next call.
  absl::StatusOr<int> Parent(const std::vector<std::string>& parts);
  // Removes `name` in `dir_fd` (recursively if a directory).
  absl::Status RemoveExisting(int dir_fd, const std::string& name);
  // Runs `create` (0 on success, -1 with errno); if the name exists already,
  // removes it and runs `create` once more.
  template <typename Create>
  absl::Status CreateReplacing(int dir_fd, const std::string& name,
                               absl::string_view op, Create create);

  absl::Status ApplyRoot(struct archive_entry* entry);
  absl::Status ApplyWhiteout(const std::vector<std::string>& parts,
                             const Meta& meta);
  absl::Status ApplyHardlink(const std::vector<std::string>& parts,
                             absl::string_view target);
  absl::Status ApplyDirectory(const std::vector<std::string>& parts, int dir_fd,
                              struct archive_entry* entry, const Meta& meta);
  absl::Status ApplyFile(struct archive* reader, struct archive_entry* entry,
                         int dir_fd, const std::string& name, const Meta& meta);
  absl::Status ApplySymlink(struct archive_entry* entry, int dir_fd,
                            const std::string& name, const Meta& meta);
  absl::Status ApplySpecial(struct archive_entry* entry, mode_t type,
                            int dir_fd, const std::string& name,
                            const Meta& meta);
  // Sets the entry's xattrs (except trusted.overlay.*) on the open file
  // `fd`, or if fd < 0 on `path` without following it.
  absl::Status SetXattrs(struct archive_entry* entry, int fd,
                         const std::string& path) const;
  // Ownership and xattrs (kLayer only) and, if `mode_and_times`,
  // permissions and times of the open file or directory `fd`.
  absl::Status SetMetaOnFd(struct archive_entry* entry, int fd,
                           const Meta& meta, bool mode_and_times) const;
  // Ownership, xattrs, permissions and times of the non-regular node
  // `name` in `dir_fd` (symlinks: no permissions), never following it.
  absl::Status SetMetaAt(struct archive_entry* entry, int dir_fd,
                         const std::string& name, const Meta& meta,
                         bool is_symlink) const;

  const int root_fd_;
  const bool layer_mode_;
  const int64_t max_unpacked_bytes_;
  std::string name_;  // The current entry's path as the tar spells it.
  std::string cached_parent_key_;
  UniqueFd cached_parent_;
  // Directories created or merged by entries, by joined path ("" = root):
  // their permissions and times, applied deepest first by Finish().
  std::map<std::string, Meta> dirs_;
  int64_t unpacked_size_ = 0;
  int64_t entries_ = 0;
};

}  // namespace layer
}  // namespace imaged
}  // namespace berth

#endif  // BERTH_SERVICES_IMAGED_LAYER_EXTRACT_H_
