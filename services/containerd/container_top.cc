// `berth top`: the host's ps(1) with the user's options, kept to the
// processes of the container's cgroup (top/ps_table.h), as Docker's daemon
// does it. ps runs through the supervisor's CommandRunner with a deadline.
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status_macros.h"
#include "services/containerd/container_supervisor.h"
#include "services/containerd/top/ps_table.h"

namespace berth::containerd {
namespace {

constexpr absl::Duration kPsTimeout = absl::Seconds(20);

}  // namespace

absl::StatusOr<container::v1::TopContainerResponse> ContainerSupervisor::Top(
    const std::string& reference, const std::string& ps_args) {
  const std::string args =
      ps_args.empty() ? std::string(kDefaultPsArgs) : ps_args;
  RETURN_IF_ERROR(ValidatePsArgs(args));
  ASSIGN_OR_RETURN(container::v1::Container container,
                   records_->Find(reference));
  const std::string& id = container.id();
  const container::v1::ContainerStatus status = container.state().status();
  if (status == container::v1::CONTAINER_STATUS_RESTARTING) {
    return absl::FailedPreconditionError(absl::StrCat(
        "Container ", id, " is restarting, wait until the container is running"));
  }
  const absl::Status not_running = absl::FailedPreconditionError(
      absl::StrCat("container ", id, " is not running"));
  if (!HasProcess(status)) return not_running;
  ASSIGN_OR_RETURN(cgroups::CgroupDriver * driver, CgroupsOf(container));
  absl::StatusOr<std::vector<pid_t>> pids = driver->Pids(id);
  if (absl::IsNotFound(pids.status())) return not_running;  // it just ended
  RETURN_IF_ERROR(pids.status());
  // -q keeps ps from reading every process of the host, but some options
  // (forest listings) refuse it: then ps lists them all and the table is
  // filtered alone.
  absl::StatusOr<CommandResult> ps =
      commands_->Run(PsArgv(args, *pids, /*select_pids=*/true), kPsTimeout);
  if (!ps.ok() || ps->exit_code != 0) {
    ps = commands_->Run(PsArgv(args, *pids, /*select_pids=*/false), kPsTimeout);
  }
  if (!ps.ok()) return Annotate(ps.status(), "ps");
  if (ps->exit_code != 0) {
    // ps says why on its first line; options are what a user gets wrong.
    std::vector<absl::string_view> lines =
        absl::StrSplit(ps->err, '\n', absl::SkipEmpty());
    return absl::InvalidArgumentError(absl::StrCat(
        "ps: ", lines.empty() ? absl::StrCat("exit status ", ps->exit_code)
                              : std::string(lines.front())));
  }
  return ParsePsOutput(ps->out, *pids);
}

}  // namespace berth::containerd
