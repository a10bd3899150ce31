// Internals shared by the files of the image command group
// (image_commands.cc: images, inspect, tag, rmi, prune, history;
// image_transfer_commands.cc: import, save, load; pull_push_commands.cc:
// pull, push; registry_commands.cc: login, logout, search). The group's
// tables, ImageCommands and RegistryCommands, are declared in
// image_group.h.
#ifndef BERTH_CTL_IMAGE_IMAGE_COMMANDS_H_
#define BERTH_CTL_IMAGE_IMAGE_COMMANDS_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "berth/image/v1/image.grpc.pb.h"
#include "ctl/cli/args.h"
#include "ctl/cli/cli.h"
#include "ctl/cli/command.h"

namespace berth::ctl::image_cli {

// The image service, dialed through the invocation's connections.
std::unique_ptr<image::v1::ImageService::Stub> ImageStub(
    CommandContext& context);

// The error the user sees for a failed imaged call: an unreachable imaged is
// explained (its socket and how to start it), and NOT_FOUND says Docker's
// "No such image: IMAGE" when imaged's message does not already.
absl::Status ImagedError(CommandContext& context, const grpc::Status& status,
                         absl::string_view image = "");

// Prints `message` alone on stderr and exits 1: how Docker's CLI prints
// the errors of its registry commands (its daemon's, and its own checks).
void FailBare(CommandContext& context, absl::string_view message);

// `import`, `save` and `load` (image_transfer_commands.cc), added to
// `parent` as `name`; `path` is how usage errors name the command
// ("berth import", "berth image import").
void AddImportCommand(CLI::App& parent, CommandContext& context,
                      const std::string& name, const std::string& path);
void AddSaveCommand(CLI::App& parent, CommandContext& context,
                    const std::string& name, const std::string& path);
void AddLoadCommand(CLI::App& parent, CommandContext& context,
                    const std::string& name, const std::string& path);

// `pull` and `push` (pull_push_commands.cc); `path` as above.
void AddPullCommand(CLI::App& parent, CommandContext& context,
                    const std::string& path);
void AddPushCommand(CLI::App& parent, CommandContext& context,
                    const std::string& path);

// `login`, `logout` and `search` (registry_commands.cc), top-level only, as
// in Docker.
void AddLoginCommand(CLI::App& parent, CommandContext& context);
void AddLogoutCommand(CLI::App& parent, CommandContext& context);
void AddSearchCommand(CLI::App& parent, CommandContext& context);

}  // namespace berth::ctl::image_cli

#endif  // BERTH_CTL_IMAGE_IMAGE_COMMANDS_H_
