// What the volume commands send, from what the user typed, read as Docker
// 28's CLI and daemon read it: `volume create`'s flags into a
// CreateVolumeRequest, `volume ls --filter` terms into a VolumeFilter and
// `volume prune`'s --all and --filter into a PruneVolumesRequest. Pure
// functions: volume_commands.cc calls volumed with these.
#ifndef BERTH_CTL_VOLUME_VOLUME_REQUEST_H_
#define BERTH_CTL_VOLUME_VOLUME_REQUEST_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "berth/volume/v1/volume.pb.h"
#include "ctl/cli/args.h"

namespace berth::ctl {

// `berth volume create`'s flags, as given.
struct VolumeCreateFlags {
  // --name (hidden in Docker) and the positional VOLUME; at most one.
  std::string name_flag;
  std::vector<std::string> positional;
  std::string driver = "local";
  // -o/--opt and --label: "KEY=VALUE", or "KEY" for an empty value; a key
  // given twice keeps its last value.
  std::vector<std::string> options;
  std::vector<std::string> labels;
};

// The request `volume create` sends. INVALID_ARGUMENT "conflicting options:
// cannot specify a volume-name through both --name and as a positional
// arg" (Docker's words) when both name it. No name: volumed generates one.
absl::StatusOr<volume::v1::CreateVolumeRequest> BuildCreateVolumeRequest(
    const VolumeCreateFlags& flags);

// The `volume ls --filter` terms Docker's daemon accepts: dangling=
// true|false|1|0, name= (substring), label=KEY[=VALUE] (and label!=),
// driver=. label=com.docker.volume.anonymous (Docker's mark of anonymous
// volumes, with no value or "") asks for anonymous volumes, label!= for
// named ones. INVALID_ARGUMENT "invalid filter 'x'" for any other name and
// "invalid filter 'dangling=x'" for a bad value, as Docker's daemon.
absl::StatusOr<volume::v1::VolumeFilter> BuildVolumeFilter(
    const std::vector<FilterTerm>& terms);

// `volume prune [-a] [--filter ...]`: label=, label!=, until= (Docker's
// daemon refuses until= for volumes; volumed takes it, so Berth does) and
// all=true|false|1|0, which is --all. INVALID_ARGUMENT for any other term,
// a bad value, or --all together with an all= term ("conflicting options:
// cannot specify both --all and --filter all=1", Docker's words).
absl::StatusOr<volume::v1::PruneVolumesRequest> BuildPruneVolumesRequest(
    bool all, const std::vector<FilterTerm>& terms, absl::Time now,
    absl::TimeZone zone);

}  // namespace berth::ctl

#endif  // BERTH_CTL_VOLUME_VOLUME_REQUEST_H_
