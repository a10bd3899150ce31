#include "ctl/system/disk_usage.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "ctl/cli/docker_template.h"
#include "ctl/cli/format.h"
#include "ctl/container/container_format.h"
#include "ctl/image/image_format.h"
#include "ctl/volume/volume_format.h"

namespace berth::ctl {
namespace {

using container::v1::ContainerStatus;
using nlohmann::ordered_json;

constexpr char kSummaryFormat[] =
    "table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t"
    "{{.Reclaimable}}";
constexpr char kImagesFormat[] =
    "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}\t"
    "{{.SharedSize}}\t{{.UniqueSize}}\t{{.Containers}}";
constexpr char kContainersFormat[] =
    "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.LocalVolumes}}\t{{.Size}}\t"
    "{{.RunningFor}}\t{{.Status}}\t{{.Names}}";

// Docker's isActive: running, paused or restarting.
bool IsActive(const container::v1::ContainerSummary& container) {
  return container.status() == ContainerStatus::CONTAINER_STATUS_RUNNING ||
         container.status() == ContainerStatus::CONTAINER_STATUS_PAUSED ||
         container.status() == ContainerStatus::CONTAINER_STATUS_RESTARTING;
}

std::string Reclaimable(const DiskUsageRow& row) {
  std::string out = HumanSize(static_cast<double>(row.reclaimable));
  if (row.percent && row.size > 0) {
    absl::StrAppend(&out, " (", row.reclaimable * 100 / row.size, "%)");
  }
  return out;
}

// A section with no rows yet (the build cache): its header alone.
absl::StatusOr<std::string> EmptySection(const std::string& format,
                                         ordered_json header) {
  return RenderListTemplate(ListTemplate{format, std::move(header), ""}, {});
}

// Docker shows an image once, by its first tag.
image::v1::ListImagesResponse FirstTagsOnly(
    const image::v1::ListImagesResponse& images) {
  image::v1::ListImagesResponse first_tags = images;
  for (image::v1::ImageSummary& image : *first_tags.mutable_images()) {
    if (image.repo_tags_size() > 1) {
      image.mutable_repo_tags()->DeleteSubrange(1,
                                                image.repo_tags_size() - 1);
    }
  }
  return first_tags;
}

// Docker leaves the virtual size out here.
container::v1::ListContainersResponse WritableOnly(
    const container::v1::ListContainersResponse& containers) {
  container::v1::ListContainersResponse writable = containers;
  for (container::v1::ContainerSummary& container :
       *writable.mutable_containers()) {
    container.set_size_root_fs(0);
  }
  return writable;
}

}  // namespace

std::vector<DiskUsageRow> DiskUsageRows(
    const image::v1::ListImagesResponse& images,
    const container::v1::ListContainersResponse& containers,
    const volume::v1::ListVolumesResponse& volumes) {
  DiskUsageRow image_row{"Images"};
  image_row.total = images.images_size();
  image_row.size = images.layers_size();
  int64_t used = 0;
  for (const image::v1::ImageSummary& image : images.images()) {
    if (image.snapshots() == 0) continue;
    ++image_row.active;
    if (image.size() >= 0 && image.shared_size() >= 0) {
      used += image.size() - image.shared_size();
    }
  }
  image_row.reclaimable = image_row.size - used;

  DiskUsageRow container_row{"Containers"};
  container_row.total = containers.containers_size();
  for (const container::v1::ContainerSummary& container :
       containers.containers()) {
    const int64_t size = std::max<int64_t>(container.size_rw(), 0);
    container_row.size += size;
    if (IsActive(container)) {
      ++container_row.active;
    } else {
      container_row.reclaimable += size;
    }
  }
  DiskUsageRow volume_row{"Local Volumes"};
  volume_row.total = volumes.volumes_size();
  for (const volume::v1::Volume& volume : volumes.volumes()) {
    const bool used = volume.usage().ref_count() > 0;
    if (used) ++volume_row.active;
    // -1: not measured; Docker leaves such a volume out of the sizes.
    if (volume.usage().size() < 0) continue;
    volume_row.size += volume.usage().size();
    if (!used) volume_row.reclaimable += volume.usage().size();
  }
  DiskUsageRow build_cache{"Build Cache"};
  build_cache.percent = false;
  return {image_row, container_row, volume_row, build_cache};
}

ordered_json DiskUsageRowJson(const DiskUsageRow& row) {
  return ordered_json{{"Active", absl::StrCat(row.active)},
                      {"Reclaimable", Reclaimable(row)},
                      {"Size", HumanSize(static_cast<double>(row.size))},
                      {"TotalCount", absl::StrCat(row.total)},
                      {"Type", row.type}};
}

absl::StatusOr<std::string> RenderDiskUsage(
    const std::vector<DiskUsageRow>& rows, const std::string& format) {
  std::vector<TemplateRow> template_rows;
  for (const DiskUsageRow& row : rows) {
    template_rows.push_back({DiskUsageRowJson(row), {}});
  }
  const ordered_json header = {{"Active", "ACTIVE"},
                               {"Reclaimable", "RECLAIMABLE"},
                               {"Size", "SIZE"},
                               {"TotalCount", "TOTAL"},
                               {"Type", "TYPE"}};
  return RenderListTemplate(
      ListTemplate{format.empty() || format == "table" ? kSummaryFormat
                                                       : format,
                   header, "*formatter.diskUsageImagesContext"},
      template_rows);
}

absl::StatusOr<std::string> RenderDiskUsageVerbose(
    const image::v1::ListImagesResponse& images,
    const container::v1::ListContainersResponse& containers,
    const volume::v1::ListVolumesResponse& volumes, absl::Time now,
    absl::TimeZone zone) {
  ImageListOptions image_options;
  image_options.format = kImagesFormat;
  absl::StatusOr<std::string> image_table =
      RenderImageList(FirstTagsOnly(images), image_options, now, zone);
  if (!image_table.ok()) return image_table.status();

  ContainerListOptions container_options;
  container_options.format = kContainersFormat;
  absl::StatusOr<std::string> container_table = RenderContainerList(
      WritableOnly(containers), container_options, now, zone);
  if (!container_table.ok()) return container_table.status();

  std::vector<TemplateRow> volume_rows;
  for (const volume::v1::Volume& volume : volumes.volumes()) {
    volume_rows.push_back(VolumeRow(volume, /*with_usage=*/true));
  }
  absl::StatusOr<std::string> volume_table = RenderListTemplate(
      ListTemplate{"table {{.Name}}\t{{.Links}}\t{{.Size}}",
                   {{"Links", "LINKS"}, {"Name", "VOLUME NAME"},
                    {"Size", "SIZE"}},
                   "*formatter.volumeContext"},
      volume_rows);
  if (!volume_table.ok()) return volume_table.status();
  absl::StatusOr<std::string> cache_table = EmptySection(
      "table {{.ID}}\t{{.CacheType}}\t{{.Size}}\t{{.CreatedSince}}\t"
      "{{.LastUsedSince}}\t{{.UsageCount}}\t{{.Shared}}",
      {{"CacheType", "CACHE TYPE"},
       {"CreatedSince", "CREATED"},
       {"ID", "CACHE ID"},
       {"LastUsedSince", "LAST USED"},
       {"Shared", "SHARED"},
       {"Size", "SIZE"},
       {"UsageCount", "USAGE"}});
  if (!cache_table.ok()) return cache_table.status();

  return absl::StrCat("Images space usage:\n\n", *image_table,
                      "\nContainers space usage:\n\n", *container_table,
                      "\nLocal Volumes space usage:\n\n", *volume_table,
                      "\nBuild cache usage: ", HumanSize(0), "\n\n",
                      *cache_table);
}

ordered_json DiskUsageVerboseDocument(
    const image::v1::ListImagesResponse& images,
    const container::v1::ListContainersResponse& containers,
    const volume::v1::ListVolumesResponse& volumes, absl::Time now,
    absl::TimeZone zone) {
  // Outside a table Docker prints full ids.
  ordered_json image_rows = ordered_json::array();
  const image::v1::ListImagesResponse first_tags = FirstTagsOnly(images);
  for (const image::v1::ImageSummary& image : first_tags.images()) {
    for (const ImageRow& row : ImageRows(image, /*digests=*/false)) {
      image_rows.push_back(ImageRowJson(row, /*no_trunc=*/true, now, zone));
    }
  }
  ordered_json container_rows = ordered_json::array();
  const container::v1::ListContainersResponse writable =
      WritableOnly(containers);
  for (const container::v1::ContainerSummary& container :
       writable.containers()) {
    container_rows.push_back(
        ContainerRowJson(container, /*no_trunc=*/true, now, zone));
  }
  ordered_json volume_rows = ordered_json::array();
  for (const volume::v1::Volume& volume : volumes.volumes()) {
    volume_rows.push_back(VolumeRow(volume, /*with_usage=*/true).fields);
  }
  return ordered_json{{"Images", image_rows},
                      {"Containers", container_rows},
                      {"Volumes", volume_rows},
                      {"BuildCache", ordered_json::array()}};
}

}  // namespace berth::ctl
