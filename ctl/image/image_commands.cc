// The image command group: `berth image ls|inspect|tag|rm|prune|history|
// import|save|load|pull|push` and Docker's top-level shortcuts (`images`,
// `tag`, `rmi`, `history`, `import`, `save`, `load`, `pull`, `push`). Each command calls imaged and
// prints its answer with image_format.h; the transfers live in
// image_transfer_commands.cc.
#include "ctl/image/image_commands.h"

#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "berth/container/v1/container.grpc.pb.h"
#include "ctl/cli/args.h"
#include "ctl/cli/cli.h"
#include "ctl/cli/command.h"
#include "ctl/cli/docker_template.h"
#include "ctl/cli/exit_codes.h"
#include "ctl/image/image_group.h"
#include "ctl/cli/client_config.h"
#include "ctl/image/image_format.h"

namespace berth::ctl {
namespace image_cli {

std::unique_ptr<image::v1::ImageService::Stub> ImageStub(
    CommandContext& context) {
  return image::v1::ImageService::NewStub(
      context.connections().Channel("imaged"));
}

absl::Status ImagedError(CommandContext& context, const grpc::Status& status,
                         absl::string_view image) {
  return context.connections().ExplainAbout("imaged", status, "image", image);
}

void FailBare(CommandContext& context, absl::string_view message) {
  std::fprintf(stderr, "%s\n", std::string(message).c_str());
  context.exit_code = kExitError;
}

namespace {

// ---- images / image ls --------------------------------------------------

struct ListFlags {
  bool all = false;
  bool quiet = false;
  bool digests = false;
  bool no_trunc = false;
  std::vector<std::string> filters;
  std::string format;
};

void RunList(CommandContext& context, const ListFlags& flags,
             const std::vector<std::string>& args) {
  absl::StatusOr<std::vector<FilterTerm>> terms = SplitFilters(flags.filters);
  if (!terms.ok()) return context.Fail(terms.status(), kExitUsage);
  absl::StatusOr<image::v1::ImageFilter> filter = BuildImageFilter(*terms);
  if (!filter.ok()) return context.Fail(filter.status());

  image::v1::ListImagesRequest request;
  request.set_all(flags.all);
  *request.mutable_filter() = *filter;
  // `berth images busybox` lists what the reference pattern matches.
  if (!args.empty()) request.mutable_filter()->add_references(args[0]);
  image::v1::ListImagesResponse response;
  auto call = Connections::CallContext();
  grpc::Status status =
      ImageStub(context)->ListImages(call.get(), request, &response);
  if (!status.ok()) return context.Fail(ImagedError(context, status));

  ImageListOptions options;
  options.format = flags.format;
  // As Docker's: without --format, the config file's imagesFormat, unless
  // only ids are asked for.
  if (options.format.empty() && !flags.quiet) {
    options.format = ClientConfigOrDefaults().images_format;
  }
  options.quiet = flags.quiet;
  options.digests = flags.digests;
  options.no_trunc = flags.no_trunc;
  absl::StatusOr<std::string> out =
      RenderImageList(response, options, absl::Now(), absl::LocalTimeZone());
  if (!out.ok()) return context.Fail(out.status());
  PrintOut(*out);
}

CLI::App* AddListCommand(CLI::App& parent, CommandContext& context,
                         const std::string& name, const std::string& path) {
  auto flags = std::make_shared<ListFlags>();
  CLI::App* command =
      AddCommand(parent, context, name,
                 {path, "[OPTIONS] [REPOSITORY[:TAG]]", "List images", {ArgKind::kImage}}, 0, 1,
                 [&context, flags](const std::vector<std::string>& args) {
                   RunList(context, *flags, args);
                 });
  command->add_flag("-a,--all", flags->all,
                    "Show all images (default hides intermediate images)");
  command->add_flag("-q,--quiet", flags->quiet, "Only show image IDs");
  command->add_flag("--digests", flags->digests, "Show digests");
  command->add_flag("--no-trunc", flags->no_trunc, "Don't truncate output");
  command
      ->add_option("-f,--filter", flags->filters,
                   "Filter output based on conditions provided: "
                   "dangling=true|false, reference=PATTERN, "
                   "label=KEY[=VALUE], before=IMAGE, since=IMAGE")
      ->check(FilterFormatProblem)
      ->allow_extra_args(false);
  command->add_option("--format", flags->format,
                      "Format output: table (default), json (one object "
                      "per line), 'table TEMPLATE' or a Go template such as "
                      "'{{.Repository}}:{{.Tag}}'");
  return command;
}

// ---- image inspect ------------------------------------------------------

void RunInspect(CommandContext& context, const std::string& format,
                const std::vector<std::string>& images) {
  std::string out;
  std::vector<absl::Status> errors;
  // A template that does not parse stops the command before any lookup.
  absl::Status parsed = RenderInspected(format, {}, &out, &errors);
  if (!parsed.ok()) return context.Fail(parsed, kExitTemplateParse);
  auto stub = ImageStub(context);
  std::vector<nlohmann::ordered_json> found;
  for (const std::string& image : images) {
    image::v1::InspectImageRequest request;
    request.set_image(image);
    image::v1::InspectImageResponse response;
    auto call = Connections::CallContext();
    grpc::Status status = stub->InspectImage(call.get(), request, &response);
    if (status.error_code() == grpc::StatusCode::UNAVAILABLE) {
      // imaged is not there: one explanation, not one per image.
      return context.Fail(ImagedError(context, status));
    }
    if (status.ok()) {
      found.push_back(ImageInspectJson(response.image()));
    } else {
      errors.push_back(ImagedError(context, status, image));
    }
  }
  // Docker prints what it found, then an error per image it did not (or
  // its template failed on).
  (void)RenderInspected(format, found, &out, &errors);
  PrintOut(out);
  for (const absl::Status& error : errors) context.Fail(error);
}

void AddInspectCommand(CLI::App& parent, CommandContext& context) {
  auto format = std::make_shared<std::string>();
  CLI::App* command =
      AddCommand(parent, context, "inspect",
                 {"berth image inspect", "[OPTIONS] IMAGE [IMAGE...]",
                  "Display detailed information on one or more images",
                  {ArgKind::kImage}},
                 1, kUnlimited,
                 [&context, format](const std::vector<std::string>& images) {
                   RunInspect(context, *format, images);
                 });
  command->add_option("-f,--format", *format,
                      "Format output: json (the default) or a Go template "
                      "such as '{{.Id}} {{.Config.Labels}}'");
}

// ---- tag ----------------------------------------------------------------

void RunTag(CommandContext& context, const std::vector<std::string>& args) {
  image::v1::TagImageRequest request;
  request.set_source(args[0]);
  request.set_target(args[1]);
  image::v1::TagImageResponse response;
  auto call = Connections::CallContext();
  grpc::Status status =
      ImageStub(context)->TagImage(call.get(), request, &response);
  if (!status.ok()) context.Fail(ImagedError(context, status, args[0]));
}

void AddTagCommand(CLI::App& parent, CommandContext& context,
                   const std::string& path) {
  AddCommand(parent, context, "tag",
             {path, "SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
              "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE",
              {ArgKind::kImage, ArgKind::kNone}},
             2, 2, [&context](const std::vector<std::string>& args) {
               RunTag(context, args);
             });
}

// ---- rmi / image rm ---------------------------------------------------------

struct RemoveFlags {
  bool force = false;
  bool no_prune = false;
};

// With -f, imaged needs to know which running containers use the image
// (it refuses to delete one, as Docker does); only containerd knows. Ids of
// the running containers using `reference`'s image.
absl::StatusOr<std::vector<std::string>> RunningUsers(
    CommandContext& context, image::v1::ImageService::Stub& images,
    const std::string& reference) {
  image::v1::InspectImageRequest inspect;
  inspect.set_image(reference);
  image::v1::InspectImageResponse inspected;
  auto call = Connections::CallContext();
  if (!images.InspectImage(call.get(), inspect, &inspected).ok()) {
    return std::vector<std::string>{};  // RemoveImage says what is wrong
  }
  auto containers = container::v1::ContainerService::NewStub(
      context.connections().Channel("containerd"));
  container::v1::ListContainersRequest list;  // active ones only
  container::v1::ListContainersResponse listed;
  call = Connections::CallContext();
  grpc::Status status = containers->ListContainers(call.get(), list, &listed);
  if (!status.ok()) return context.connections().Explain("containerd", status);
  std::vector<std::string> running;
  for (const container::v1::ContainerSummary& c : listed.containers()) {
    // Docker counts paused and restarting containers as running here.
    const bool active =
        c.status() == container::v1::CONTAINER_STATUS_RUNNING ||
        c.status() == container::v1::CONTAINER_STATUS_PAUSED ||
        c.status() == container::v1::CONTAINER_STATUS_RESTARTING;
    if (c.image_id() == inspected.image().id() && active) {
      running.push_back(c.id());
    }
  }
  return running;
}

void RunRemove(CommandContext& context, const RemoveFlags& flags,
               const std::vector<std::string>& images) {
  auto stub = ImageStub(context);
  std::vector<absl::Status> errors;
  bool only_missing = true;
  for (const std::string& image : images) {
    image::v1::RemoveImageRequest request;
    request.set_image(image);
    request.set_force(flags.force);
    if (flags.force) {
      absl::StatusOr<std::vector<std::string>> running =
          RunningUsers(context, *stub, image);
      if (!running.ok()) return context.Fail(running.status());
      for (const std::string& id : *running) request.add_running_users(id);
    }
    request.set_no_prune(flags.no_prune);
    image::v1::RemoveImageResponse response;
    auto call = Connections::CallContext();
    grpc::Status status = stub->RemoveImage(call.get(), request, &response);
    if (status.error_code() == grpc::StatusCode::UNAVAILABLE) {
      return context.Fail(ImagedError(context, status));
    }
    if (!status.ok()) {
      errors.push_back(ImagedError(context, status, image));
      only_missing =
          only_missing && errors.back().code() == absl::StatusCode::kNotFound;
      continue;
    }
    PrintOut(RenderRemoved(response));
  }
  for (const absl::Status& error : errors) context.Fail(error);
  // As Docker: with -f, images that do not exist are reported but are no
  // failure.
  if (flags.force && only_missing) context.exit_code = kExitOk;
}

CLI::App* AddRemoveCommand(CLI::App& parent, CommandContext& context,
                           const std::string& name, const std::string& path) {
  auto flags = std::make_shared<RemoveFlags>();
  CLI::App* command = AddCommand(
      parent, context, name,
      {path, "[OPTIONS] IMAGE [IMAGE...]", "Remove one or more images", {ArgKind::kImage}}, 1,
      kUnlimited, [&context, flags](const std::vector<std::string>& images) {
        RunRemove(context, *flags, images);
      });
  command->add_flag("-f,--force", flags->force, "Force removal of the image");
  command->add_flag("--no-prune", flags->no_prune,
                    "Do not delete untagged parents");
  return command;
}

// ---- image prune ------------------------------------------------------------

struct PruneFlags {
  bool all = false;
  bool force = false;
  std::vector<std::string> filters;
};

void RunPrune(CommandContext& context, const PruneFlags& flags) {
  std::optional<PruneFilters> filters = ParsePruneFilters(context, flags.filters);
  if (!filters.has_value()) return;

  if (!flags.force) {
    const std::string warning =
        flags.all ? "WARNING! This will remove all images without at least "
                    "one container associated to them.\nAre you sure you "
                    "want to continue?"
                  : "WARNING! This will remove all dangling images.\nAre "
                    "you sure you want to continue?";
    // A "no" cancels quietly and successfully, as in Docker.
    if (!Confirm(warning)) return;
  }
  image::v1::PruneImagesRequest request;
  request.set_all(flags.all);
  *request.mutable_filter() = filters->filter;
  image::v1::PruneImagesResponse response;
  auto call = Connections::CallContext();
  grpc::Status status =
      ImageStub(context)->PruneImages(call.get(), request, &response);
  if (!status.ok()) return context.Fail(ImagedError(context, status));
  PrintOut(RenderPruned(response));
}

void AddPruneCommand(CLI::App& parent, CommandContext& context) {
  auto flags = std::make_shared<PruneFlags>();
  CLI::App* command =
      AddCommand(parent, context, "prune",
                 {"berth image prune", "[OPTIONS]", "Remove unused images"}, 0,
                 0, [&context, flags](const std::vector<std::string>&) {
                   RunPrune(context, *flags);
                 });
  command->add_flag("-a,--all", flags->all,
                    "Remove all unused images, not just dangling ones");
  command->add_flag("-f,--force", flags->force,
                    "Do not prompt for confirmation");
  AddPruneFilterOption(command, flags->filters);
}

// ---- history
// ------------------------------------------------------------------

struct HistoryFlags {
  bool human = true;
  bool quiet = false;
  bool no_trunc = false;
  std::string format;
};

void RunHistory(CommandContext& context, const HistoryFlags& flags,
                const std::string& image) {
  image::v1::ImageHistoryRequest request;
  request.set_image(image);
  image::v1::ImageHistoryResponse response;
  auto call = Connections::CallContext();
  grpc::Status status =
      ImageStub(context)->ImageHistory(call.get(), request, &response);
  if (!status.ok()) return context.Fail(ImagedError(context, status, image));

  HistoryOptions options;
  options.format = flags.format;
  options.human = flags.human;
  options.quiet = flags.quiet;
  options.no_trunc = flags.no_trunc;
  absl::StatusOr<std::string> out =
      RenderHistory(response, options, absl::Now(), absl::LocalTimeZone());
  if (!out.ok()) return context.Fail(out.status());
  PrintOut(*out);
}

void AddHistoryCommand(CLI::App& parent, CommandContext& context,
                       const std::string& path) {
  auto flags = std::make_shared<HistoryFlags>();
  CLI::App* command =
      AddCommand(parent, context, "history",
                 {path, "[OPTIONS] IMAGE", "Show the history of an image", {ArgKind::kImage}}, 1,
                 1, [&context, flags](const std::vector<std::string>& args) {
                   RunHistory(context, *flags, args[0]);
                 });
  command->add_flag("-H,--human", flags->human,
                    "Print sizes and dates in human readable format "
                    "(default true; --human=false for raw values)");
  command->add_flag("-q,--quiet", flags->quiet, "Only show image IDs");
  command->add_flag("--no-trunc", flags->no_trunc, "Don't truncate output");
  command->add_option("--format", flags->format,
                      "Format output: table (default), json (one object "
                      "per line), 'table TEMPLATE' or a Go template such as "
                      "'{{.Repository}}:{{.Tag}}'");
}

}  // namespace
}  // namespace image_cli

std::vector<CommandSpec> ImageCommands() {
  using namespace image_cli;  // NOLINT: the group's own commands
  auto group = [](CLI::App& app, CommandContext& context) {
    AddCommandGroup(app, "image", "Manage images", [&context](CLI::App& image) {
      AddHistoryCommand(image, context, "berth image history");
      AddImportCommand(image, context, "import", "berth image import");
      AddInspectCommand(image, context);
      AddLoadCommand(image, context, "load", "berth image load");
      AddListCommand(image, context, "ls", "berth image ls")->alias("list");
      AddPruneCommand(image, context);
      AddPullCommand(image, context, "berth image pull");
      AddPushCommand(image, context, "berth image push");
      AddRemoveCommand(image, context, "rm", "berth image rm")->alias("remove");
      AddSaveCommand(image, context, "save", "berth image save");
      AddTagCommand(image, context, "berth image tag");
    });
  };
  // The rest are Docker's top-level shortcuts for the group's commands.
  return {
      {"image", "image", "Manage images", group},
      {"history", "image", "Show the history of an image",
       [](CLI::App& app, CommandContext& context) {
         AddHistoryCommand(app, context, "berth history");
       }},
      {"images", "image", "List images",
       [](CLI::App& app, CommandContext& context) {
         AddListCommand(app, context, "images", "berth images");
       }},
      {"import", "image",
       "Import the contents from a tarball to create a filesystem image",
       [](CLI::App& app, CommandContext& context) {
         AddImportCommand(app, context, "import", "berth import");
       }},
      {"load", "image", "Load an image from a tar archive or STDIN",
       [](CLI::App& app, CommandContext& context) {
         AddLoadCommand(app, context, "load", "berth load");
       }},
      {"pull", "image", "Download an image from a registry",
       [](CLI::App& app, CommandContext& context) {
         AddPullCommand(app, context, "berth pull");
       }},
      {"push", "image", "Upload an image to a registry",
       [](CLI::App& app, CommandContext& context) {
         AddPushCommand(app, context, "berth push");
       }},
      {"rmi", "image", "Remove one or more images",
       [](CLI::App& app, CommandContext& context) {
         AddRemoveCommand(app, context, "rmi", "berth rmi");
       }},
      {"save", "image",
       "Save one or more images to a tar archive (streamed to STDOUT by "
       "default)",
       [](CLI::App& app, CommandContext& context) {
         AddSaveCommand(app, context, "save", "berth save");
       }},
      {"tag", "image", "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE",
       [](CLI::App& app, CommandContext& context) {
         AddTagCommand(app, context, "berth tag");
       }},
  };
}

}  // namespace berth::ctl
