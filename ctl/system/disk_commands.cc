// `system df` asks imaged for its images with shared sizes, containerd for
// every container with its writable-layer size and volumed for its volumes
// with their sizes, and prints Docker's summary (or its verbose sections).
// `system prune` asks containerd to prune stopped containers, volumed its
// anonymous volumes (with --volumes) and then imaged to prune images, as
// Docker's CLI runs its pruners one after the other.
#include "ctl/system/disk_commands.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "berth/container/v1/container.grpc.pb.h"
#include "berth/image/v1/image.grpc.pb.h"
#include "berth/volume/v1/volume.grpc.pb.h"
#include "ctl/cli/args.h"
#include "ctl/cli/command.h"
#include "ctl/cli/docker_template.h"
#include "ctl/cli/exit_codes.h"
#include "ctl/system/disk_usage.h"
#include "ctl/system/prune_format.h"

namespace berth::ctl {
namespace {

struct DfFlags {
  bool verbose = false;
  std::string format;
};

void RunDf(CommandContext& context, const DfFlags& flags) {
  image::v1::ListImagesRequest image_request;
  image_request.set_shared_size(true);
  image::v1::ListImagesResponse images;
  auto image_call = Connections::CallContext();
  grpc::Status status =
      image::v1::ImageService::NewStub(context.connections().Channel("imaged"))
          ->ListImages(image_call.get(), image_request, &images);
  if (!status.ok()) {
    return context.Fail(context.connections().Explain("imaged", status));
  }
  container::v1::ListContainersRequest container_request;
  container_request.set_all(true);
  container_request.set_size(true);
  container::v1::ListContainersResponse containers;
  auto container_call = Connections::CallContext(absl::Minutes(10));
  status = container::v1::ContainerService::NewStub(
               context.connections().Channel("containerd"))
               ->ListContainers(container_call.get(), container_request,
                                &containers);
  if (!status.ok()) {
    return context.Fail(context.connections().Explain("containerd", status));
  }
  volume::v1::ListVolumesRequest volume_request;
  volume_request.set_size(true);
  volume::v1::ListVolumesResponse volumes;
  // Measuring walks every volume's tree.
  auto volume_call = Connections::CallContext(absl::Minutes(10));
  status = volume::v1::VolumeService::NewStub(
               context.connections().Channel("volumed"))
               ->ListVolumes(volume_call.get(), volume_request, &volumes);
  // A volumed that cannot list volumes yet (one built before its volume
  // store) has none to count.
  if (!status.ok() && status.error_code() != grpc::StatusCode::UNIMPLEMENTED) {
    return context.Fail(context.connections().Explain("volumed", status));
  }

  const bool table = flags.format.empty() || flags.format == "table";
  absl::StatusOr<std::string> out;
  if (!flags.verbose) {
    out = RenderDiskUsage(DiskUsageRows(images, containers, volumes), flags.format);
  } else if (table) {
    out = RenderDiskUsageVerbose(images, containers, volumes, absl::Now(),
                                 absl::LocalTimeZone());
  } else {
    std::string partial;
    bool parse_error = false;
    out = RenderDocumentTemplate(
        flags.format == "json" ? "{{json .}}" : flags.format, "",
        DiskUsageVerboseDocument(images, containers, volumes, absl::Now(),
                                 absl::LocalTimeZone()),
        /*tabwriter=*/false, &partial, &parse_error);
    if (!out.ok()) PrintOut(partial);
  }
  if (!out.ok()) return context.Fail(out.status());
  PrintOut(*out);
}

struct PruneFlags {
  bool all = false;
  bool volumes = false;
  bool force = false;
  std::vector<std::string> filters;
};

void RunPrune(CommandContext& context, const PruneFlags& flags) {
  std::optional<PruneFilters> filters = ParsePruneFilters(context, flags.filters);
  if (!filters.has_value()) return;
  // A "no" (or no answer on stdin) cancels quietly, as in Docker.
  if (!flags.force &&
      !Confirm(SystemPruneWarning(flags.all, flags.volumes, filters->terms))) {
    return;
  }

  container::v1::PruneContainersRequest container_request;
  *container_request.mutable_filter() = filters->filter;
  container::v1::PruneContainersResponse containers;
  auto container_call = Connections::CallContext(absl::Minutes(10));
  grpc::Status status = container::v1::ContainerService::NewStub(
                            context.connections().Channel("containerd"))
                            ->PruneContainers(container_call.get(),
                                              container_request, &containers);
  if (!status.ok()) {
    return context.Fail(context.connections().Explain("containerd", status));
  }
  // Volumes after containers, so the anonymous volumes they held go too;
  // always anonymous only, as Docker's (even with --all).
  volume::v1::PruneVolumesResponse volumes;
  if (flags.volumes) {
    volume::v1::PruneVolumesRequest volume_request;
    *volume_request.mutable_filter() = filters->filter;
    auto volume_call = Connections::CallContext(absl::Minutes(10));
    status = volume::v1::VolumeService::NewStub(
                 context.connections().Channel("volumed"))
                 ->PruneVolumes(volume_call.get(), volume_request, &volumes);
    if (!status.ok()) {
      PrintOut(RenderSystemPruned(containers, {}, {}));
      return context.Fail(context.connections().Explain("volumed", status));
    }
  }
  // Images after containers, so the images of the containers just removed
  // go too.
  image::v1::PruneImagesRequest image_request;
  image_request.set_all(flags.all);
  *image_request.mutable_filter() = filters->filter;
  image::v1::PruneImagesResponse images;
  auto image_call = Connections::CallContext(absl::Minutes(10));
  status =
      image::v1::ImageService::NewStub(context.connections().Channel("imaged"))
          ->PruneImages(image_call.get(), image_request, &images);
  if (!status.ok()) {
    // What went already is reported before the failure.
    PrintOut(RenderSystemPruned(containers, volumes, {}));
    return context.Fail(context.connections().Explain("imaged", status));
  }
  PrintOut(RenderSystemPruned(containers, volumes, images));
}

}  // namespace

void AddDfCommand(CLI::App& parent, CommandContext& context) {
  auto flags = std::make_shared<DfFlags>();
  CLI::App* command = AddCommand(
      parent, context, "df",
      {"berth system df", "[OPTIONS]", "Show Berth disk usage"}, 0, 0,
      [&context, flags](const std::vector<std::string>&) {
        RunDf(context, *flags);
      });
  command->add_option("--format", flags->format,
                      "Format output: table (default), json, 'table "
                      "TEMPLATE' or a Go template such as '{{.Type}}'");
  command->add_flag("-v,--verbose", flags->verbose,
                    "Show detailed information on space usage");
}

void AddSystemPruneCommand(CLI::App& parent, CommandContext& context) {
  auto flags = std::make_shared<PruneFlags>();
  CLI::App* command = AddCommand(
      parent, context, "prune",
      {"berth system prune", "[OPTIONS]", "Remove unused data"}, 0, 0,
      [&context, flags](const std::vector<std::string>&) {
        RunPrune(context, *flags);
      });
  command->add_flag("-a,--all", flags->all,
                    "Remove all unused images not just dangling ones");
  AddPruneFilterOption(command, flags->filters);
  command->add_flag("--volumes", flags->volumes, "Prune anonymous volumes");
  command->add_flag("-f,--force", flags->force,
                    "Do not prompt for confirmation");
}

}  // namespace berth::ctl
