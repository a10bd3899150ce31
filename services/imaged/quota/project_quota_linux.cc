// The kernel's project quotas. quotactl_fd(2) names the filesystem by an
// open descriptor of any file on it, so no block device has to be found in
// /proc/self/mountinfo (nor exist in this mount namespace); it is in Linux
// since 5.14, and glibc has no wrapper, hence syscall().
#include <fcntl.h>
#include <linux/dqblk_xfs.h>
#include <linux/fs.h>
#include <linux/quota.h>
#include <sys/ioctl.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status_macros.h"
#include "services/imaged/quota/project_quota.h"

namespace berth::imaged {
namespace {

// statfs(2) f_type values (linux/magic.h).
constexpr long kExt4Magic = 0xEF53;  // also ext2 and ext3
constexpr long kXfsMagic = 0x58465342;

constexpr char kNeeds[] =
    "--storage-opt is supported only for overlay over xfs with the 'pquota' "
    "mount option, or over ext4 made with the 'quota' and 'project' "
    "features (mkfs.ext4 -O quota,project, or tune2fs on an unmounted one) "
    "and mounted with 'prjquota'";

std::string FilesystemName(long type) {
  switch (type) {
    case kExt4Magic: return "ext4";
    case kXfsMagic: return "xfs";
    case 0x01021994: return "tmpfs";
    case 0x794c7630: return "overlay";
    case 0x9123683E: return "btrfs";
    case 0x6969: return "nfs";
    case 0x65735546: return "fuse";
    case 0x2FC12FC1: return "zfs";
    default: return absl::StrFormat("a filesystem of type 0x%x", type);
  }
}

// A directory opened for the ioctls and quotactl_fd, closed on scope exit.
class OpenedDir {
 public:
  explicit OpenedDir(int fd) : fd_(fd) {}
  OpenedDir(OpenedDir&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  OpenedDir& operator=(OpenedDir&&) = delete;
  OpenedDir(const OpenedDir&) = delete;
  OpenedDir& operator=(const OpenedDir&) = delete;
  ~OpenedDir() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

absl::StatusOr<OpenedDir> OpenDir(const std::string& dir) {
  const int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "open", dir);
  return OpenedDir(fd);
}

int QuotactlFd(int fd, int command, uint32_t id, void* arg) {
  return static_cast<int>(syscall(SYS_quotactl_fd, fd,
                                  QCMD(command, PRJQUOTA), id, arg));
}

absl::Status SetBlockLimit(int fd, const std::string& dir, uint32_t id,
                           uint64_t kib) {
  // Soft and hard alike, as Docker does: no grace period, the write that
  // would pass the limit fails with EDQUOT.
  struct if_dqblk limits = {};
  limits.dqb_bhardlimit = kib;
  limits.dqb_bsoftlimit = kib;
  limits.dqb_valid = QIF_BLIMITS;
  if (QuotactlFd(fd, Q_SETQUOTA, id, &limits) != 0) {
    return ErrnoStatus(errno,
                       absl::StrCat("quotactl_fd(Q_SETQUOTA) of project ", id),
                       dir);
  }
  return absl::OkStatus();
}

class LinuxProjectQuota final : public ProjectQuota {
 public:
  absl::Status CheckSupported(const std::string& dir) override {
    ASSIGN_OR_RETURN(OpenedDir fd, OpenDir(dir));
    struct statfs fs = {};
    if (fstatfs(fd.get(), &fs) != 0) return ErrnoStatus(errno, "statfs", dir);
    const long type = static_cast<long>(fs.f_type);
    const std::string name = FilesystemName(type);
    if (type != kExt4Magic && type != kXfsMagic) {
      return absl::FailedPreconditionError(
          absl::StrCat(kNeeds, "; ", dir, " is on ", name));
    }
    // Whether project quotas are on at all (counted).
    struct if_dqinfo info = {};
    if (QuotactlFd(fd.get(), Q_GETINFO, 0, &info) != 0) {
      if (errno == ESRCH) {
        return absl::FailedPreconditionError(absl::StrCat(
            kNeeds, "; ", dir, " is on ", name, " without project quotas"));
      }
      if (errno == ENOSYS) {
        // No quotactl_fd (Linux < 5.14), or no quota support for this
        // filesystem in the kernel.
        return absl::FailedPreconditionError(absl::StrCat(
            kNeeds, "; ", dir, " is on ", name,
            " but this kernel has no quota support for it (ext4 needs "
            "CONFIG_QUOTA and CONFIG_QFMT_V2, xfs CONFIG_XFS_QUOTA)"));
      }
      return ErrnoStatus(errno, "quotactl_fd(Q_GETINFO)", dir);
    }
    // Whether limits are enforced (ext4 without prjquota, xfs with
    // pqnoenforce only count). A filesystem that cannot say is trusted.
    struct fs_quota_stat state = {};
    if (QuotactlFd(fd.get(), Q_XGETQSTAT, 0, &state) == 0 &&
        (state.qs_flags & FS_QUOTA_PDQ_ENFD) == 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          kNeeds, "; ", dir, " is on ", name,
          " where project quotas are counted but not enforced"));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<uint32_t> ProjectOf(const std::string& dir) override {
    ASSIGN_OR_RETURN(OpenedDir fd, OpenDir(dir));
    struct fsxattr attributes = {};
    if (ioctl(fd.get(), FS_IOC_FSGETXATTR, &attributes) != 0) {
      return ErrnoStatus(errno, "ioctl(FS_IOC_FSGETXATTR)", dir);
    }
    return attributes.fsx_projid;
  }

  absl::Status Set(const std::string& dir, uint32_t id,
                   uint64_t bytes) override {
    ASSIGN_OR_RETURN(OpenedDir fd, OpenDir(dir));
    struct fsxattr attributes = {};
    if (ioctl(fd.get(), FS_IOC_FSGETXATTR, &attributes) != 0) {
      return ErrnoStatus(errno, "ioctl(FS_IOC_FSGETXATTR)", dir);
    }
    attributes.fsx_projid = id;
    attributes.fsx_xflags |= FS_XFLAG_PROJINHERIT;
    if (ioctl(fd.get(), FS_IOC_FSSETXATTR, &attributes) != 0) {
      return ErrnoStatus(
          errno, absl::StrCat("ioctl(FS_IOC_FSSETXATTR) to project ", id), dir);
    }
    return SetBlockLimit(fd.get(), dir, id, (bytes + 1023) / 1024);
  }

  absl::Status Clear(const std::string& dir, uint32_t id) override {
    ASSIGN_OR_RETURN(OpenedDir fd, OpenDir(dir));
    return SetBlockLimit(fd.get(), dir, id, 0);
  }
};

}  // namespace

std::unique_ptr<ProjectQuota> NewLinuxProjectQuota() {
  return std::make_unique<LinuxProjectQuota>();
}

}  // namespace berth::imaged
