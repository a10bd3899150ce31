// The "local" driver's options (Docker's `--opt type=... device=... o=...`)
// and the mount they ask for, plus the seam through which volumed mounts.
#ifndef BERTH_SERVICES_VOLUMED_VOLUME_DRIVER_H_
#define BERTH_SERVICES_VOLUMED_VOLUME_DRIVER_H_

#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "google/protobuf/map.h"

namespace berth::volumed {

inline constexpr char kLocalDriver[] = "local";

// What a volume's options ask mount(2) for.
struct DriverMount {
  std::string type;    // filesystem type ("tmpfs", "ext4"; "none" for a bind)
  std::string source;  // the device, or the directory a bind mount shows
  unsigned long flags = 0;  // MS_* from the flag words of `o`
  std::string data;    // the rest of `o`, for the filesystem
  bool bind() const;
};

// "" means "local"; INVALID_ARGUMENT for any other driver.
absl::StatusOr<std::string> NormalizeDriver(const std::string& driver);

// Checks a local volume's options and returns the mount they ask for
// (nullopt: a plain directory). Keys are "type", "device" and "o" only;
// "device" and "o" need "type", and a type needs a device unless it is
// tmpfs. type=none must carry o=bind (or rbind) and an absolute device
// path. A tmpfs size= is Docker's RAMInBytes ("1m", "1.5g") or a percent.
// INVALID_ARGUMENT naming the key or value at fault.
absl::StatusOr<std::optional<DriverMount>> ParseDriverOptions(
    const google::protobuf::Map<std::string, std::string>& options);

// Mounts and unmounts driver filesystems on volumes' _data directories.
// The kernel's (NewKernelMounter) in the daemon; a fake in logic tests.
class Mounter {
 public:
  virtual ~Mounter() = default;
  // Mounts `mount` on the existing directory `target`.
  virtual absl::Status Mount(const DriverMount& mount,
                             const std::string& target) = 0;
  // Detaches whatever is mounted on `target`; OK when nothing is.
  virtual absl::Status Unmount(const std::string& target) = 0;
  // Whether a filesystem is mounted exactly on `target`.
  virtual absl::StatusOr<bool> IsMounted(const std::string& target) = 0;
};

std::unique_ptr<Mounter> NewKernelMounter();

}  // namespace berth::volumed

#endif  // BERTH_SERVICES_VOLUMED_VOLUME_DRIVER_H_
