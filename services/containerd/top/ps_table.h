// `berth top` as Docker's daemon does it (daemon/top_unix.go): ps(1) runs on
// the host with the user's options (Docker's default "-ef"), selecting the
// container's pids with -q where the options allow it, and its table is
// kept to the rows of those pids. Pure text handling, unit tested.
#ifndef BERTH_SERVICES_CONTAINERD_TOP_PS_TABLE_H_
#define BERTH_SERVICES_CONTAINERD_TOP_PS_TABLE_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "berth/container/v1/container.pb.h"

namespace berth::containerd {

// The options when the user gives none.
inline constexpr absl::string_view kDefaultPsArgs = "-ef";

// Docker refuses an output column renamed to a PID header under any key but
// "pid" ("-o user=PID" would make the table's PID column lie):
// INVALID_ARGUMENT `specifying "user=PID" is not allowed`.
absl::Status ValidatePsArgs(absl::string_view ps_args);

// ps's command line: "ps", `ps_args` split at every space (as Docker splits
// them), and with `select_pids` "-q" and the pids joined by commas.
std::vector<std::string> PsArgv(absl::string_view ps_args,
                                const std::vector<pid_t>& pids,
                                bool select_pids);

// The table of ps's `output` kept to the rows of `pids`: the titles are the
// header's words; a row has one value per title, the words past the last
// title joined by spaces into the last (the command and its arguments). A
// thread line (PID "-", from the "m" option) follows the process it
// belongs to. INTERNAL when the header has no PID column ("Couldn't find
// PID field in ps output") or a PID is not a number.
absl::StatusOr<container::v1::TopContainerResponse> ParsePsOutput(
    absl::string_view output, const std::vector<pid_t>& pids);

}  // namespace berth::containerd

#endif  // BERTH_SERVICES_CONTAINERD_TOP_PS_TABLE_H_
