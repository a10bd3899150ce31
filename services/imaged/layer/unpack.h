// Safe extraction of image layers and container archives.
//
// UnpackTar() is the only way Berth turns an untrusted tar into files. Its
// contract, in one place:
//
// * Containment. Nothing is ever created, changed or removed outside
//   `dest_dir`. Entry paths are cleaned the way Docker does (a leading "/" and
//   "." components are dropped, "a//b" is "a/b"); a ".." component anywhere
//   is refused. Every parent directory is opened component by component with
//   O_NOFOLLOW relative to a dest_dir fd, so an entry below a symlink ("link"
//   -> "/etc", then "link/passwd") is refused, as is a hardlink whose target
//   has "..", passes through a symlink or is not (yet) in the layer. Symlinks
//   themselves may point anywhere: they are created, never followed. An entry
//   replacing an existing one is unlinked and re-created, never written
//   through. Missing parent directories are created (0755, like Docker).
// * All or nothing. On any error everything written under `dest_dir` (and
//   the tee file) is removed and the error returned; `dest_dir` is left
//   empty.
// * Errors. INVALID_ARGUMENT for anything wrong with the input (not a tar,
//   truncated or corrupt compression, truncated tar, a refused entry, a size
//   limit exceeded), naming the entry as `layer entry "a/b": why` (or
//   `archive entry ...` in kArchive mode). FAILED_PRECONDITION if `dest_dir`
//   is not empty; NOT_FOUND if `source_path` or `dest_dir` is missing; the
//   errno's code for a failing syscall on our side (e.g. RESOURCE_EXHAUSTED
//   for ENOSPC).
// * Preserved (kLayer): numeric uid/gid, mode bits including setuid, setgid
//   and sticky (applied after chown), mtime and atime (directories' after
//   their contents), xattrs, hardlinks, symlinks, char/block devices and
//   fifos. A "./" root entry's metadata is applied to `dest_dir` itself, as
//   Docker does. Not preserved: ACLs (other than as raw system.* xattrs),
//   file flags, uname/gname, sockets (tar cannot hold them). Xattrs named
//   trusted.overlay.* in the tar are dropped: overlayfs would act on them
//   (redirects, metacopy) and whiteouts have their own tar form.
// * Limits: an entry path longer than 4096 bytes or deeper than 512
//   components is refused.
//
// Thread-compatible: concurrent calls must use different `dest_dir`s.
#ifndef BERTH_SERVICES_IMAGED_LAYER_UNPACK_H_
#define BERTH_SERVICES_IMAGED_LAYER_UNPACK_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace berth {
namespace imaged {
namespace layer {

enum class UnpackMode {
  // An image layer: OCI whiteouts become overlayfs whiteouts. ".wh.NAME"
  // becomes a character device 0/0 named NAME (owned like the entry),
  // "D/.wh..wh..opq" sets trusted.overlay.opaque=y on D (created if
  // missing), any other ".wh..wh.*" name (docker's ".wh..wh.plnk") is
  // skipped. Needs root for devices, ownership and trusted.* xattrs.
  kLayer,
  // A container archive (docker-archive / OCI layout tar): only regular files
  // and directories are allowed; anything else (symlink, hardlink, device,
  // fifo) is refused naming the entry. Files get the entry's permission bits
  // (& 0777) and mtime; ownership and xattrs are not applied; ".wh." names
  // are ordinary files.
  kArchive,
};

struct UnpackOptions {
  UnpackMode mode = UnpackMode::kLayer;
  // If non-empty, the uncompressed tar stream is also written to this path
  // (created 0600 or truncated, never through a symlink; fsynced), so a
  // compressed input can be stored as a plain tar whose sha256 equals
  // diff_id. Removed on error. Must not be inside `dest_dir`.
  std::string tee_path;
  // Refuse (INVALID_ARGUMENT) an input whose unpacked regular-file bytes
  // (the sizes the entries declare) exceed this; 0 = no limit.
  int64_t max_unpacked_bytes = 0;
  // Hash the stream into diff_id. Off for outer archives (save/load tars),
  // whose digest nobody uses.
  bool compute_digest = true;
};

struct UnpackResult {
  // "sha256:<hex>" of the uncompressed tar stream, all of it, including the
  // end-of-archive blocks and anything after them.
  std::string diff_id;  // "" without compute_digest
  int64_t tar_size = 0;       // bytes of the uncompressed tar stream
  int64_t unpacked_size = 0;  // sum of the regular file sizes written
  int64_t entries = 0;        // tar entries read (whiteouts included)
};

// How a layer file is compressed, told by its first bytes.
enum class Compression { kNone, kGzip, kBzip2, kXz, kZstd };

// The compression the file at `path` starts with (kNone: its bytes are the
// tar stream itself).
absl::StatusOr<Compression> CompressionOf(const std::string& path);

// True if the file at `path` starts like a compressed stream (gzip, bzip2,
// xz or zstd), i.e. its bytes are not the tar stream itself.
absl::StatusOr<bool> IsCompressedFile(const std::string& path);

// Unpacks the tar at `source_path` (plain, gzip, bzip2, xz or zstd, detected
// from the content; a pipe or /dev/stdin works too) into `dest_dir`, which
// must exist and be empty. An empty (0-byte) input is an empty layer.
absl::StatusOr<UnpackResult> UnpackTar(const std::string& source_path,
                                       const std::string& dest_dir,
                                       const UnpackOptions& options = {});

// Same, from memory (tests, fuzzing). Creates no files outside `dest_dir`
// other than options.tee_path.
absl::StatusOr<UnpackResult> UnpackTarFromMemory(
    absl::string_view data, const std::string& dest_dir,
    const UnpackOptions& options = {});

}  // namespace layer
}  // namespace imaged
}  // namespace berth

#endif  // BERTH_SERVICES_IMAGED_LAYER_UNPACK_H_
