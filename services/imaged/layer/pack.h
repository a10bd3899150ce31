// Packing an overlayfs upper directory as an OCI layer tar.
#ifndef BERTH_SERVICES_IMAGED_LAYER_PACK_H_
#define BERTH_SERVICES_IMAGED_LAYER_PACK_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace berth {
namespace imaged {
namespace layer {

struct PackResult {
  std::string diff_id;   // "sha256:<hex>" of the bytes written
  int64_t tar_size = 0;  // bytes written
};

// Writes the contents of `dir` (an overlayfs upper directory) as an
// uncompressed OCI layer tar to `output_path` (created 0644 or truncated,
// never through a symlink; fsynced; removed on error).
//
// The tar is PAX (ustar headers, with extended headers only where ustar
// cannot hold a value: long names, xattrs, big ids), which `docker load`
// and Go's archive/tar read. Entry names are relative without a leading "/"
// (directories end with "/"), in depth-first order with each directory's
// entries sorted byte-wise by their tar name; `dir` itself is not an entry.
// Overlay whiteouts (char devices 0/0) become empty regular files
// "D/.wh.NAME" (mode 0, owned like the whiteout), a directory with
// trusted.overlay.opaque=y gets a "D/.wh..wh..opq" entry (the directory's
// permissions and owner, as Docker writes it). Preserved: numeric
// ownership, modes, mtimes in whole seconds (as Docker writes them; no
// atime/ctime, so the same tree packs to the same bytes), xattrs except
// trusted.overlay.*, hardlinks (by inode: the first name in tar order carries
// the data; whiteouts, which overlayfs may hardlink to each other, are never
// treated as links), symlinks, devices and fifos. Sockets are skipped (tar
// cannot hold them), as Docker does.
//
// Errors: NOT_FOUND if `dir` is missing; the errno's code for a failing
// syscall, with the path.
absl::StatusOr<PackResult> PackDirectory(const std::string& dir,
                                         const std::string& output_path);

}  // namespace layer
}  // namespace imaged
}  // namespace berth

#endif  // BERTH_SERVICES_IMAGED_LAYER_PACK_H_
