#include "services/containerd/shim/shim_setup.h"

#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/status_macros.h"
#include "common/unix_socket.h"
#include "services/containerd/cgroups/device_filter.h"
#include "services/containerd/shim/framing.h"
#include "services/containerd/shim/protocol.h"

namespace berth::containerd::shim {

// Tells containerd how the start went; an error if nobody heard it (the
// pipe's reader, containerd, is gone).
absl::Status ReportStart(const std::string& frame) {
  absl::Status sent =
      WriteAll(kReadyFd, frame, absl::Now() + absl::Seconds(5), "the ready pipe");
  close(kReadyFd);
  return sent;
}

absl::StatusOr<int> ListenOn(const std::string& path) {
  ASSIGN_OR_RETURN(const sockaddr_un address, UnixSocketAddress(path));
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return ErrnoStatus(errno, "socket", path);
  // A socket someone still listens on belongs to a live shim (of an
  // earlier start of this container): replacing it would cut containerd off
  // from that shim while its container runs on. Only a dead one is removed.
  // (EAGAIN: a full backlog, so a listener exists, stopped or busy.)
  if (connect(fd, reinterpret_cast<const sockaddr*>(&address),
              sizeof(address)) ==
          0 ||
      errno == EAGAIN || errno == EINPROGRESS) {
    close(fd);
    return absl::AlreadyExistsError(absl::StrCat(
        "a live shim already serves ", path,
        "; the container's previous shim is still running"));
  }
  close(fd);
  if (unlink(path.c_str()) != 0 && errno != ENOENT) {
    return ErrnoStatus(errno, "unlink", path);
  }
  return ListenUnix(path, 16, SOCK_NONBLOCK, 0600);
}

absl::StatusOr<cgroups::Limits> LimitsOf(const ShimSpec& spec) {
  cgroups::Limits limits;
  for (const ::berth::shim::v1::Device& device : spec.devices()) {
    ASSIGN_OR_RETURN(std::string rule,
                     cgroups::DeviceRuleFor(device.path_on_host(), device.permissions()));
    limits.device_rules.push_back(std::move(rule));
  }
  limits.memory_bytes = spec.memory();
  limits.memory_swap_bytes = spec.memory_swap();
  limits.nano_cpus = spec.nano_cpus();
  limits.cpu_shares = spec.cpu_shares();
  limits.pids_limit = spec.pids_limit();
  limits.cpuset_cpus = spec.cpuset_cpus();
  limits.cpu_period_us = spec.cpu_period_us();
  limits.cpu_quota_us = spec.cpu_quota_us();
  limits.cpuset_mems = spec.cpuset_mems();
  limits.memory_reservation_bytes = spec.memory_reservation();
  limits.blkio_weight = spec.blkio_weight();
  limits.restrict_devices = !spec.confinement().privileged();
  return limits;
}

absl::StatusOr<std::vector<runtime::Rlimit>> RlimitsOf(const ShimSpec& spec) {
  std::vector<runtime::Rlimit> rlimits;
  for (const ::berth::shim::v1::Rlimit& rlimit : spec.rlimits()) {
    ASSIGN_OR_RETURN(int resource, runtime::RlimitFromName(rlimit.name()));
    rlimits.push_back({resource, rlimit.soft(), rlimit.hard()});
  }
  return rlimits;
}

}  // namespace berth::containerd::shim

namespace berth::containerd::shim {

absl::StatusOr<runtime::Propagation> PropagationOf(
    ::berth::shim::v1::Propagation propagation) {
  using runtime::Propagation;
  switch (propagation) {
    case ::berth::shim::v1::PROPAGATION_PRIVATE: return Propagation::kPrivate;
    case ::berth::shim::v1::PROPAGATION_RPRIVATE: return Propagation::kRPrivate;
    case ::berth::shim::v1::PROPAGATION_SHARED: return Propagation::kShared;
    case ::berth::shim::v1::PROPAGATION_RSHARED: return Propagation::kRShared;
    case ::berth::shim::v1::PROPAGATION_SLAVE: return Propagation::kSlave;
    case ::berth::shim::v1::PROPAGATION_RSLAVE: return Propagation::kRSlave;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("the shim spec has an unknown propagation ", propagation));
  }
}

absl::StatusOr<std::vector<runtime::ContainerMount>> MountsOf(
    const ShimSpec& spec) {
  static const std::map<std::string, unsigned long> kFlagWords = {
      {"noexec", MS_NOEXEC},   {"nosuid", MS_NOSUID},
      {"nodev", MS_NODEV},     {"noatime", MS_NOATIME},
      {"nodiratime", MS_NODIRATIME}, {"relatime", MS_RELATIME},
      {"strictatime", MS_STRICTATIME}, {"sync", MS_SYNCHRONOUS},
      {"dirsync", MS_DIRSYNC}, {"ro", MS_RDONLY},
  };
  std::vector<runtime::ContainerMount> mounts;
  for (const ::berth::shim::v1::Mount& from : spec.mounts()) {
    runtime::ContainerMount mount;
    mount.source = from.source();
    mount.source_subpath = from.source_subpath();
    mount.destination = from.destination();
    mount.read_only = from.read_only();
    mount.recursive = !from.non_recursive();
    mount.tmpfs = from.tmpfs();
    mount.tmpfs_data = from.tmpfs_data();
    if (from.propagation() != ::berth::shim::v1::PROPAGATION_UNSPECIFIED) {
      ASSIGN_OR_RETURN(mount.propagation, PropagationOf(from.propagation()));
    }
    for (const std::string& word : from.tmpfs_flags()) {
      auto flag = kFlagWords.find(word);
      if (flag == kFlagWords.end()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "tmpfs on ", from.destination(), ": unknown mount flag \"", word, "\""));
      }
      mount.tmpfs_flags |= flag->second;
    }
    mounts.push_back(std::move(mount));
  }
  return mounts;
}

}  // namespace berth::containerd::shim
