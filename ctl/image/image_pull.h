// A pull through imaged as Docker's daemon shows it, for `berth pull` and
// for `run`/`create --pull`: "<tag>: Pulling from <path>" once imaged
// answers (printed by the CLI from the reference: imaged need not send it),
// imaged's per-layer Progress (bars on a terminal, a line per status
// elsewhere; ctl/cli/progress.h), "Digest: ..." per PullResult and the
// final "Status: ..." line. The credentials come from registry_auth.h.
#ifndef BERTH_CTL_IMAGE_IMAGE_PULL_H_
#define BERTH_CTL_IMAGE_IMAGE_PULL_H_

#include <cstdio>
#include <optional>

#include "absl/status/status.h"
#include "berth/types/v1/types.pb.h"
#include "ctl/cli/cli.h"
#include "grpcpp/grpcpp.h"
#include "services/imaged/reference/reference.h"

namespace berth::ctl {

struct PullSpec {
  // What to pull, parsed; with `all_tags` only its name counts.
  imaged::Reference reference;
  bool all_tags = false;
  std::optional<types::v1::Platform> platform;
  // Where the lines go (`pull`: stdout; run and create: stderr), and
  // whether to show nothing but errors (`-q`).
  FILE* out = stdout;
  bool quiet = false;
};

// Pulls as above. The error's message is what Docker prints for it, bare
// (see RegistryCallError).
absl::Status PullImage(CommandContext& context, const PullSpec& spec);

// The error of a failed pull, push, login or search, worded as Docker's CLI
// prints it (bare, exit 1): Berth's explanation of an unreachable imaged;
// "Error response from daemon: MSG" when imaged failed before streaming
// anything (Docker's daemon answers with an HTTP error then); MSG alone
// after something streamed (Docker's daemon puts it in the stream).
absl::Status RegistryCallError(CommandContext& context,
                               const grpc::Status& status, bool streamed);

}  // namespace berth::ctl

#endif  // BERTH_CTL_IMAGE_IMAGE_PULL_H_
