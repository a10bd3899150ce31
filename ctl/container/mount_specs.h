// The storage flags of `berth create`/`berth run`, read as Docker 28's CLI
// reads them: `-v/--volume`, `--mount`, `--tmpfs` and `--device`. Pure
// functions; the working directory comes in as a value (relative bind
// sources are made absolute, as Docker does).
#ifndef BERTH_CTL_CONTAINER_MOUNT_SPECS_H_
#define BERTH_CTL_CONTAINER_MOUNT_SPECS_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "berth/container/v1/container_spec.pb.h"
#include "berth/types/v1/types.pb.h"

namespace berth::ctl {

// What one `-v` value asks for. Docker's CLI sorts them so: a value without
// a source ("/data") is an anonymous volume at that path (Config.Volumes);
// one with a source ("name:/data", "/host:/data:ro") is a bind string for
// the daemon to parse (HostConfig.Binds).
struct VolumeFlag {
  bool anonymous = false;
  // The container path for an anonymous volume, else the bind string with a
  // relative host path ("./data:/d") made absolute against `cwd`.
  std::string value;
};

// One `-v` value. INVALID_ARGUMENT with Docker's words (its volumespec
// parser): "invalid empty volume spec", "invalid spec: V: empty section
// between colons", "invalid spec: V: too many colons".
absl::StatusOr<VolumeFlag> ParseVolumeFlag(absl::string_view value,
                                           absl::string_view cwd);

// One `--mount` value: Docker's CSV fields type=volume|bind|tmpfs (default
// volume), source|src, target|destination|dst, readonly|ro[=BOOL],
// consistency (ignored, as on Linux), bind-propagation,
// bind-nonrecursive[=BOOL], bind-recursive=enabled|disabled,
// volume-nocopy[=BOOL], volume-label=K=V, volume-driver, volume-opt=K=V,
// volume-subpath, tmpfs-size (go-units RAMInBytes), tmpfs-mode (octal).
// Keys are case-insensitive. INVALID_ARGUMENT with pflag's frame and
// Docker's words, e.g. `invalid argument "x=y" for "--mount" flag:
// unexpected key 'x' in 'x=y'`; also "target is required", "type is
// required", "invalid field 'F' must be a key=value pair", "invalid value
// for tmpfs-size: X", "cannot mix 'bind-*' options with mount type
// 'volume'", and the daemon's checks Berth makes here: an unknown type, a
// bind without source, a tmpfs with one, a relative target, an unknown
// propagation.
absl::StatusOr<types::v1::Mount> ParseMountFlag(absl::string_view value,
                                                absl::string_view cwd);

// ParseMountFlag's problem without pflag's frame, "" for a good value: the
// flag's own check, so that a bad --mount is a usage error as in Docker
// (whose --mount parses while the flags are read).
std::string MountFlagProblem(const std::string& value);

// One `--tmpfs /path[:OPTIONS]`: a tmpfs mount whose OPTIONS (a comma list
// of mount(8) tmpfs options) give size= (go-units RAMInBytes) and mode=
// (octal) to tmpfs_options, the others kept in order in its options.
// INVALID_ARGUMENT in pflag's frame for a relative or empty path, a bad
// size or mode.
absl::StatusOr<types::v1::Mount> ParseTmpfsFlag(absl::string_view value);

// One `--device HOST[:CONTAINER][:PERMISSIONS]` by Docker's rules: a second
// part made only of r, w and m (each once) is the permissions, otherwise
// the container path; the container path defaults to the host path and the
// permissions to "rwm". INVALID_ARGUMENT with Docker's words: "bad format
// for path: V" (empty host path, more than three parts), "bad mode
// specified: M" (a third part that is no permission set), "P is not an
// absolute path".
absl::StatusOr<container::v1::DeviceMapping> ParseDeviceFlag(
    absl::string_view value);

}  // namespace berth::ctl

#endif  // BERTH_CTL_CONTAINER_MOUNT_SPECS_H_
