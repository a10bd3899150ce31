// `berth pull` and `berth push` (and their `berth image` forms): imaged
// talks to the registry; the CLI sends the reference with the credentials
// for its registry (registry_auth.h) and prints the stream as Docker's CLI
// prints its daemon's. Lines about the whole operation that Docker's daemon
// sends ("latest: Pulling from library/busybox", "Digest: ...",
// "Status: ...", "The push refers to repository [...]", "latest: digest:
// ... size: N") are printed here from the reference and the results, so
// imaged streams only per-layer Progress. Output goes to stdout, as
// Docker's. The calls have no deadline: a pull can take minutes.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ctl/cli/args.h"
#include "ctl/cli/progress.h"
#include "ctl/image/image_commands.h"
#include "ctl/image/image_pull.h"
#include "ctl/image/registry_auth.h"
#include "ctl/image/registry_format.h"

namespace berth::ctl {
namespace {

using image_cli::FailBare;

// imaged's Progress and the CLI's own lines about the whole operation on
// one output. On a terminal the own lines go through the renderer, so they
// end its group of bars as Docker's id-less messages do.
class RegistryDisplay {
 public:
  RegistryDisplay(FILE* out, bool quiet)
      : out_(out),
        quiet_(quiet),
        options_(ProgressRenderer::DetectOptions(out)),
        renderer_(out, options_) {}

  void Progress(const types::v1::Progress& progress) {
    if (!quiet_) renderer_.Update(progress);
  }
  void Line(const std::string& text) {
    if (quiet_) return;
    if (options_.terminal) {
      types::v1::Progress whole;
      whole.set_status(text);
      renderer_.Update(whole);
      return;
    }
    std::fprintf(out_, "%s\n", text.c_str());
    std::fflush(out_);
  }
  void Finish() { renderer_.Finish(); }

 private:
  FILE* out_;
  const bool quiet_;
  const ProgressRenderer::Options options_;
  ProgressRenderer renderer_;
};

// Reads what the user typed as Docker's pull and push do: a tag with
// --all-tags is refused; without it a bare name gets "latest", said unless
// quiet. The error is Docker's, printed bare.
absl::StatusOr<imaged::Reference> ParseRemote(const std::string& text,
                                              bool all_tags, bool quiet) {
  absl::StatusOr<imaged::Reference> reference = imaged::ParseReference(text);
  if (!reference.ok()) return reference.status();
  if (all_tags && !IsNameOnly(text)) {
    return absl::InvalidArgumentError("tag can't be used with --all-tags/-a");
  }
  if (!all_tags && IsNameOnly(text) && !quiet) {
    std::printf("Using default tag: %s\n", reference->tag.c_str());
    std::fflush(stdout);
  }
  return reference;
}

// The fully qualified name printed last (and sent to imaged): the
// repository alone with --all-tags.
std::string Qualified(const imaged::Reference& reference, bool all_tags) {
  return all_tags ? reference.Name() : reference.String();
}

// ---- pull -------------------------------------------------------------------

struct PullFlags {
  bool all_tags = false;
  bool quiet = false;
  std::string platform;
  bool disable_content_trust = true;
};

void RunPull(CommandContext& context, const PullFlags& flags,
             const std::string& remote) {
  absl::StatusOr<imaged::Reference> reference =
      ParseRemote(remote, flags.all_tags, flags.quiet);
  if (!reference.ok()) return FailBare(context, reference.status().message());
  PullSpec spec;
  spec.reference = *reference;
  spec.all_tags = flags.all_tags;
  spec.quiet = flags.quiet;
  if (!flags.platform.empty()) {
    absl::StatusOr<types::v1::Platform> platform =
        ParsePlatform(flags.platform);
    if (!platform.ok()) return FailBare(context, platform.status().message());
    spec.platform = *platform;
  }
  if (absl::Status pulled = PullImage(context, spec); !pulled.ok()) {
    return FailBare(context, pulled.message());
  }
  std::printf("%s\n", Qualified(*reference, flags.all_tags).c_str());
}

// ---- push -------------------------------------------------------------------

struct PushFlags {
  bool all_tags = false;
  bool quiet = false;
  bool disable_content_trust = true;
};

void RunPush(CommandContext& context, const PushFlags& flags,
             const std::string& remote) {
  absl::StatusOr<imaged::Reference> reference =
      ParseRemote(remote, flags.all_tags, flags.quiet);
  if (!reference.ok()) return FailBare(context, reference.status().message());
  image::v1::PushImageRequest request;
  request.set_reference(Qualified(*reference, flags.all_tags));
  request.set_all_tags(flags.all_tags);
  request.set_quiet(flags.quiet);
  *request.mutable_auth() = RegistryAuthFor(reference->domain);

  RegistryDisplay display(stdout, flags.quiet);
  // Docker's daemon says this before it looks for the image, so it
  // precedes even "An image does not exist locally"; not when imaged is
  // not there at all.
  bool announced = false;
  auto announce = [&] {
    if (!announced) display.Line(PushRefersToLine(*reference));
    announced = true;
  };
  grpc::ClientContext call;
  auto stream = image_cli::ImageStub(context)->PushImage(&call, request);
  image::v1::PushImageResponse response;
  while (stream->Read(&response)) {
    announce();
    if (response.has_progress()) display.Progress(response.progress());
    if (response.has_result()) display.Line(PushedLine(response.result()));
  }
  const grpc::Status status = stream->Finish();
  const absl::Status error =
      status.ok() ? absl::OkStatus()
                  : RegistryCallError(context, status, /*streamed=*/true);
  if (!status.ok() && error.message() == status.error_message()) announce();
  display.Finish();
  if (!error.ok()) return FailBare(context, error.message());
  if (flags.quiet) {
    std::printf("%s\n", Qualified(*reference, flags.all_tags).c_str());
  }
}

}  // namespace

absl::Status RegistryCallError(CommandContext& context,
                               const grpc::Status& status, bool streamed) {
  absl::Status explained = context.connections().Explain("imaged", status);
  // An unreachable or silent imaged: Berth's own explanation.
  if (explained.message() != status.error_message()) return explained;
  if (streamed) return explained;
  return absl::Status(
      explained.code(),
      absl::StrCat("Error response from daemon: ", status.error_message()));
}

absl::Status PullImage(CommandContext& context, const PullSpec& spec) {
  const imaged::Reference& reference = spec.reference;
  image::v1::PullImageRequest request;
  request.set_reference(Qualified(reference, spec.all_tags));
  request.set_all_tags(spec.all_tags);
  if (spec.platform.has_value()) *request.mutable_platform() = *spec.platform;
  *request.mutable_auth() = RegistryAuthFor(reference.domain);
  request.set_quiet(spec.quiet);

  RegistryDisplay display(spec.out, spec.quiet);
  // With --all-tags only imaged knows the tags, and says which it pulls.
  const bool says_pulling_from = !spec.all_tags;
  bool answered = false;
  bool downloaded = false;
  bool got_result = false;
  grpc::ClientContext call;
  auto stream = image_cli::ImageStub(context)->PullImage(&call, request);
  image::v1::PullImageResponse response;
  while (stream->Read(&response)) {
    if (!answered && says_pulling_from) {
      display.Line(PullingFromLine(reference));
    }
    answered = true;
    if (response.has_progress()) {
      // An imaged that says it too is not shown twice.
      if (says_pulling_from && response.progress().message().empty() &&
          absl::StartsWith(response.progress().status(), "Pulling from ")) {
        continue;
      }
      display.Progress(response.progress());
    }
    if (response.has_result()) {
      got_result = true;
      downloaded = downloaded || response.result().downloaded();
      display.Line(absl::StrCat("Digest: ", response.result().digest()));
    }
  }
  const grpc::Status status = stream->Finish();
  if (!status.ok()) {
    display.Finish();
    return RegistryCallError(context, status, answered);
  }
  if (!got_result) {
    display.Finish();
    return absl::InternalError("imaged ended the pull without a result");
  }
  display.Line(PullStatusLine(
      spec.all_tags ? reference.FamiliarName() : reference.Familiar(),
      downloaded));
  display.Finish();
  return absl::OkStatus();
}

namespace image_cli {

void AddPullCommand(CLI::App& parent, CommandContext& context,
                    const std::string& path) {
  auto flags = std::make_shared<PullFlags>();
  if (const char* platform = std::getenv("DOCKER_DEFAULT_PLATFORM")) {
    flags->platform = platform;
  }
  CLI::App* command =
      AddCommand(parent, context, "pull",
                 {path,
                  "[OPTIONS] NAME[:TAG|@DIGEST]",
                  "Download an image from a registry",
                  {ArgKind::kImage}},
                 1, 1, [&context, flags](const std::vector<std::string>& args) {
                   RunPull(context, *flags, args[0]);
                 });
  command->add_flag("-a,--all-tags", flags->all_tags,
                    "Download all tagged images in the repository");
  command->add_flag("-q,--quiet", flags->quiet, "Suppress verbose output");
  command->add_option("--platform", flags->platform,
                      "Set platform if server is multi-platform capable");
  command->add_flag("--disable-content-trust", flags->disable_content_trust,
                    "Skip image verification (always: Berth has no "
                    "content trust)");
}

void AddPushCommand(CLI::App& parent, CommandContext& context,
                    const std::string& path) {
  auto flags = std::make_shared<PushFlags>();
  CLI::App* command =
      AddCommand(parent, context, "push",
                 {path,
                  "[OPTIONS] NAME[:TAG]",
                  "Upload an image to a registry",
                  {ArgKind::kImage}},
                 1, 1, [&context, flags](const std::vector<std::string>& args) {
                   RunPush(context, *flags, args[0]);
                 });
  command->add_flag("-a,--all-tags", flags->all_tags,
                    "Push all tags of an image to the repository");
  command->add_flag("-q,--quiet", flags->quiet, "Suppress verbose output");
  command->add_flag("--disable-content-trust", flags->disable_content_trust,
                    "Skip image signing (always: Berth has no content "
                    "trust)");
}

}  // namespace image_cli
}  // namespace berth::ctl
