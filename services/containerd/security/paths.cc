#include "services/containerd/security/paths.h"

#include <errno.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "common/status_macros.h"
#include "services/containerd/runtime/remount.h"

namespace berth::containerd::security {

std::vector<std::string> DefaultMaskedPaths() {
  return {
      "/proc/asound",
      "/proc/acpi",
      "/proc/kcore",
      "/proc/keys",
      "/proc/latency_stats",
      "/proc/timer_list",
      "/proc/timer_stats",
      "/proc/sched_debug",
      "/proc/scsi",
      "/sys/firmware",
      "/sys/devices/virtual/powercap",
  };
}

std::vector<std::string> DefaultReadonlyPaths() {
  return {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
          "/proc/sysrq-trigger"};
}

absl::Status MaskPaths(const std::vector<std::string>& paths) {
  for (const std::string& path : paths) {
    struct stat st;
    if (stat(path.c_str(), &st) != 0) {
      if (errno == ENOENT) continue;
      return ErrnoStatus(errno, "masking: stat", path);
    }
    if (S_ISDIR(st.st_mode)) {
      if (mount("tmpfs", path.c_str(), "tmpfs", MS_RDONLY, nullptr) != 0) {
        return ErrnoStatus(errno, "masking: mount tmpfs on", path);
      }
      continue;
    }
    if (mount("/dev/null", path.c_str(), nullptr, MS_BIND, nullptr) != 0) {
      // Gone between stat and mount: nothing left to hide.
      if (errno == ENOENT) continue;
      return ErrnoStatus(errno, "masking: bind /dev/null on", path);
    }
  }
  return absl::OkStatus();
}

absl::Status MakeReadonly(const std::vector<std::string>& paths) {
  for (const std::string& path : paths) {
    if (mount(path.c_str(), path.c_str(), nullptr, MS_BIND | MS_REC, nullptr) !=
        0) {
      if (errno == ENOENT) continue;
      return ErrnoStatus(errno, "read-only path: bind mount", path);
    }
    RETURN_IF_ERROR(Annotate(runtime::RemountBind(path, /*read_only=*/true),
                             "read-only path"));
  }
  return absl::OkStatus();
}

}  // namespace berth::containerd::security
