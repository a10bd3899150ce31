// `berth commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]`: a new image from a
// container's changes (containerd's CommitContainer); prints its id as
// Docker's does.
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "ctl/container/container_commands.h"

namespace berth::ctl::container_cli {
namespace {

struct CommitFlags {
  std::string author;
  std::vector<std::string> changes;
  std::string message;
  bool pause = true;
};

}  // namespace

void AddCommitCommand(CLI::App& parent, CommandContext& context,
                      const std::string& path) {
  auto flags = std::make_shared<CommitFlags>();
  CLI::App* command = AddCommand(
      parent, context, "commit",
      {path, "[OPTIONS] CONTAINER [REPOSITORY[:TAG]]",
       "Create a new image from a container's changes",
       {ArgKind::kContainer, ArgKind::kImage}},
      1, 2, [&context, flags](const std::vector<std::string>& args) {
        container::v1::CommitContainerRequest request;
        request.set_id(args[0]);
        if (args.size() > 1) request.set_reference(args[1]);
        request.set_author(flags->author);
        request.set_comment(flags->message);
        for (const std::string& change : flags->changes) request.add_changes(change);
        request.set_no_pause(!flags->pause);
        container::v1::CommitContainerResponse response;
        auto call = Connections::CallContext(absl::Minutes(15));
        grpc::Status status =
            ContainerStub(context)->CommitContainer(call.get(), request, &response);
        if (!status.ok()) return context.Fail(ContainerdError(context, status, args[0]));
        PrintOut(response.image_id() + "\n");
      });
  command->add_option("-a,--author", flags->author,
                      "Author (e.g., \"John Hannibal Smith <hannibal@a-team.com>\")");
  command->add_option("-c,--change", flags->changes,
                      "Apply Dockerfile instruction to the created image")
      ->allow_extra_args(false);
  command->add_option("-m,--message", flags->message, "Commit message");
  command->add_flag("-p,--pause", flags->pause,
                    "Pause container during commit (default true)");
}

}  // namespace berth::ctl::container_cli
