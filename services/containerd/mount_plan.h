// A container's mounts, decided at create the way Docker's daemon decides
// them: `-v` strings parsed by Docker's Linux rules, `--mount`/`--tmpfs`
// checked, `--volumes-from` copied from the other containers, and the
// image's VOLUMEs given anonymous volumes where nothing else is mounted.
// Pure: the host is asked nothing here (bind sources are checked by the
// caller, volumes acquired from volumed by the caller).
#ifndef BERTH_SERVICES_CONTAINERD_MOUNT_PLAN_H_
#define BERTH_SERVICES_CONTAINERD_MOUNT_PLAN_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "berth/container/v1/container.pb.h"
#include "berth/shim/v1/spec.pb.h"
#include "berth/types/v1/types.pb.h"

namespace berth::containerd {

// One `-v` string: "/ctr" (anonymous volume), "SRC:/ctr[:MODE]" with SRC a
// host path (bind, created when missing) or a volume name; MODE a comma
// list of rw|ro, z|Z, nocopy (volumes), a propagation (binds) and Docker's
// accepted consistency words. The MountPoint carries `mode` (Docker's
// inspect Mode: the options given, "z" for a volume given none), `rw`,
// `propagation` and `spec`. INVALID_ARGUMENT in Docker's words otherwise.
absl::StatusOr<container::v1::MountPoint> ParseVolumeSpec(absl::string_view raw);

// A `--mount`/`--tmpfs` mount checked (absolute target other than "/",
// a source only where its type has one, options only of its type) and
// turned into the MountPoint it will be.
absl::StatusOr<container::v1::MountPoint> PlanStructuredMount(
    const types::v1::Mount& mount);

// `--volumes-from` "CTR[:ro|rw]": the container reference and the access
// override ("" keeps each mount's own).
struct VolumesFrom {
  std::string container;
  std::string access;
};
absl::StatusOr<VolumesFrom> ParseVolumesFrom(absl::string_view raw);

// The mounts of a container that `--volumes-from` copies (volumes and
// binds, not tmpfs), with `access` applied.
std::vector<container::v1::MountPoint> InheritedMounts(
    const container::v1::Container& from, const std::string& access);

// Every mount of a new container, in Docker's order of precedence: the
// inherited ones, replaced by `-v` and `--mount` on the same target (two of
// those on one target are "Duplicate mount point: /x"), then an anonymous
// volume for each image VOLUME (`image_volumes`) no mount covers. A
// `--tmpfs` target counts as given (its mount is made at each start from
// the host config, see TmpfsMountPoints).
absl::StatusOr<std::vector<container::v1::MountPoint>> PlanMounts(
    const container::v1::HostConfig& host,
    const std::vector<std::string>& image_volumes,
    const std::vector<container::v1::MountPoint>& inherited);

// A tmpfs mount's data ("size=1048576,mode=1777,uid=1000") and flag words
// ("noexec", "nosuid", "nodev" unless exec, suid or dev ask otherwise, as
// Docker's defaults). INVALID_ARGUMENT naming an option that is neither.
struct TmpfsSettings {
  std::string data;
  std::vector<std::string> flags;
};
absl::StatusOr<TmpfsSettings> TmpfsSettingsOf(const types::v1::Mount& mount);

// The container's own mounts appended to its shim spec, in mount order,
// after the /etc files (a user mount on one of them replaces it), and the
// tree's propagation they need.
absl::Status AddShimMounts(const container::v1::Container& container,
                           ::berth::shim::v1::Spec* spec);

// Docker's local volume names: [a-zA-Z0-9][a-zA-Z0-9_.-]*.
bool IsVolumeName(absl::string_view name);

// The mounts in the order a start makes them: parents before the mounts
// inside them (by the number of path components, stable otherwise).
std::vector<container::v1::MountPoint> InMountOrder(
    std::vector<container::v1::MountPoint> mounts);

// The container's `--tmpfs` mounts (HostConfig.tmpfs, by target), as the
// mount points a start makes; not in the record's mounts (Docker's Mounts
// does not list them either).
absl::StatusOr<std::vector<container::v1::MountPoint>> TmpfsMountPoints(
    const container::v1::HostConfig& host);

}  // namespace berth::containerd

#endif  // BERTH_SERVICES_CONTAINERD_MOUNT_PLAN_H_
