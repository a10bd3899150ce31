// `berth system df`: Docker's disk-usage summary and its verbose sections,
// computed from imaged's ListImages (with shared sizes), containerd's
// ListContainers (all, with sizes) and volumed's ListVolumes (with sizes). Pure functions; system_commands.cc
// calls the services and prints these.
#ifndef BERTH_CTL_SYSTEM_DISK_USAGE_H_
#define BERTH_CTL_SYSTEM_DISK_USAGE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "berth/container/v1/container.pb.h"
#include "berth/image/v1/image.pb.h"
#include "berth/volume/v1/volume.pb.h"
#include "nlohmann/json.hpp"

namespace berth::ctl {

// One TYPE row of the summary, in bytes and counts.
struct DiskUsageRow {
  std::string type;  // "Images", "Containers", "Local Volumes", "Build Cache"
  int64_t total = 0;
  int64_t active = 0;
  int64_t size = 0;
  int64_t reclaimable = 0;
  // Docker prints no "(NN%)" for the build cache.
  bool percent = true;
};

// Docker's four rows. Images: SIZE is every distinct layer once
// (layers_size), ACTIVE the images some container uses, RECLAIMABLE what
// is left when the unique size of each active image is kept. Containers:
// SIZE the writable layers, ACTIVE the running, paused and restarting
// ones, RECLAIMABLE the writable layers of the others. Local Volumes: SIZE
// the measured volumes, ACTIVE those some container holds, RECLAIMABLE the
// others' content. The build cache has no service yet: a zero row.
std::vector<DiskUsageRow> DiskUsageRows(
    const image::v1::ListImagesResponse& images,
    const container::v1::ListContainersResponse& containers,
    const volume::v1::ListVolumesResponse& volumes);

// A row as templates see it and `--format json` prints it: every field a
// string ("2", "4.26MB", "1.2MB (50%)"), keys sorted as Docker marshals.
nlohmann::ordered_json DiskUsageRowJson(const DiskUsageRow& row);

// The summary through `format` ("" or "table": Docker's TYPE TOTAL ACTIVE
// SIZE RECLAIMABLE table; "json"; "table TEMPLATE"; a template).
// INVALID_ARGUMENT for a template that does not parse or run.
absl::StatusOr<std::string> RenderDiskUsage(
    const std::vector<DiskUsageRow>& rows, const std::string& format);

// `df -v`: "Images space usage:", "Containers space usage:", "Local
// Volumes space usage:" (VOLUME NAME, LINKS, SIZE) and "Build cache usage:
// 0B" tables, as Docker lays them out (an image on one row, by its first
// tag).
absl::StatusOr<std::string> RenderDiskUsageVerbose(
    const image::v1::ListImagesResponse& images,
    const container::v1::ListContainersResponse& containers,
    const volume::v1::ListVolumesResponse& volumes, absl::Time now,
    absl::TimeZone zone);

// What a `df -v --format TEMPLATE` sees: Images, Containers, Volumes and
// BuildCache, each a list of the rows `images`/`ps`/`volume ls` templates
// see (full ids, no virtual sizes, volumes with their usage).
nlohmann::ordered_json DiskUsageVerboseDocument(
    const image::v1::ListImagesResponse& images,
    const container::v1::ListContainersResponse& containers,
    const volume::v1::ListVolumesResponse& volumes, absl::Time now,
    absl::TimeZone zone);

}  // namespace berth::ctl

#endif  // BERTH_CTL_SYSTEM_DISK_USAGE_H_
