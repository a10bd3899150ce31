// `berth create` and `berth run`. Everything after IMAGE belongs to the
// container (`berth run busybox sh -c 'ls -l'`): CLI11's prefix_command
// stops reading berth's flags at the first positional argument.
//
// `run` without -d: create, start, stream the log (follow) until the
// container stops, then wait for its exit code and exit with it. With --rm
// the CLI then removes the container; with -d --rm the daemon does. While
// attached, signals the CLI receives go to the container (--sig-proxy).
//
// Exit codes, as Docker's: the container's own; 125 when Berth failed
// (bad flag, unknown image, name in use, daemon error); 126 or 127 when the
// command could not be run (not executable / not found).
#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "berth/image/v1/image.grpc.pb.h"
#include "common/grpc_tuning.h"
#include "ctl/cli/args.h"
#include "ctl/cli/command.h"
#include "ctl/cli/usage_errors.h"
#include "ctl/container/container_args.h"
#include "ctl/container/container_commands.h"
#include "ctl/container/container_format.h"
#include "ctl/container/container_spec.h"
#include "ctl/container/signal_proxy.h"
#include "services/imaged/reference/reference.h"

namespace berth::ctl::container_cli {
namespace {

using container::v1::ContainerService;

struct RunState {
  ContainerFlags flags;
  bool sig_proxy = true;  // run only
  std::string entrypoint;
  CLI::Option* entrypoint_option = nullptr;
  // Kept apart so that `--memory ""` is an error, as in Docker, not unset.
  std::string memory;
  CLI::Option* memory_option = nullptr;
};

void AddContainerFlags(CLI::App* command, RunState* state, bool run) {
  ContainerFlags& f = state->flags;
  // -h is --hostname, as in Docker; help is --help only.
  command->set_help_flag("--help", "Print usage");
  if (run) {
    command->add_flag("-d,--detach", f.detach,
                      "Run container in background and print container ID");
    command->add_flag("--sig-proxy", state->sig_proxy,
                      "Proxy received signals to the process (attached "
                      "runs; --sig-proxy=false turns it off)");
  }
  command->add_flag("--rm", f.auto_remove,
                    "Automatically remove the container when it exits");
  command->add_option("--name", f.name, "Assign a name to the container");
  command->add_flag("-i,--interactive", f.interactive,
                    "Keep STDIN open even if not attached");
  command->add_flag("-t,--tty", f.tty, "Allocate a pseudo-TTY");
  auto list = [command](const std::string& names, std::vector<std::string>& v,
                        const std::string& help) {
    command->add_option(names, v, help)->allow_extra_args(false);
  };
  list("-e,--env", f.env, "Set environment variables (KEY=VALUE, or KEY to "
                          "pass the CLI's own)");
  list("--env-file", f.env_files, "Read in a file of environment variables");
  list("-l,--label", f.labels, "Set meta data on a container");
  list("--label-file", f.label_files, "Read in a line delimited file of labels");
  command->add_option("-w,--workdir", f.workdir,
                      "Working directory inside the container");
  command->add_option("-u,--user", f.user,
                      "Username or UID (format: <name|uid>[:<group|gid>])");
  state->entrypoint_option = command->add_option(
      "--entrypoint", state->entrypoint,
      "Overwrite the default ENTRYPOINT of the image (\"\" clears it)");
  command->add_option("-h,--hostname", f.hostname, "Container host name");
  command->add_option("--restart", f.restart,
                      "Restart policy to apply when a container exits: no, "
                      "always, on-failure[:max-retries], unless-stopped");
  command->add_option("--network", f.network,
                      "Connect a container to a network: none (default) or "
                      "host");
  command->add_flag("--read-only", f.read_only,
                    "Mount the container's root filesystem as read only");
  list("--cap-add", f.cap_add, "Add Linux capabilities");
  list("--cap-drop", f.cap_drop, "Drop Linux capabilities");
  list("--security-opt", f.security_opts,
       "Security options: seccomp=unconfined|FILE, no-new-privileges, "
       "apparmor=PROFILE, label=..., systempaths=unconfined");
  command->add_flag("--privileged", f.privileged,
                    "Give extended privileges to this container");
  command->add_option("--userns", f.userns,
                      "User namespace: host (default, none) or private (ids "
                      "mapped to the daemon's range or --uidmap/--gidmap)");
  command->add_option("--cgroupns", f.cgroupns,
                      "Cgroup namespace: private (the default on cgroup v2) "
                      "or host (the default on cgroup v1)");
  list("--uidmap", f.uid_maps,
       "UID map of a private user namespace: CONTAINER_ID:HOST_ID:SIZE");
  list("--gidmap", f.gid_maps,
       "GID map of a private user namespace (default: as --uidmap)");
  command->add_flag("--init", f.init,
                    "Run an init inside the container that forwards signals "
                    "and reaps processes");
  command->add_option("--stop-timeout", f.stop_timeout,
                      "Timeout (in seconds) to stop a container");
  command->add_option("--stop-signal", f.stop_signal,
                      "Signal to stop the container");
  state->memory_option = command->add_option("-m,--memory", state->memory,
                                             "Memory limit (e.g. 512m, 1g)");
  command->add_option("--memory-swap", f.memory_swap,
                      "Swap limit equal to memory plus swap: -1 to enable "
                      "unlimited swap");
  command->add_option("--cpus", f.cpus, "Number of CPUs (e.g. 1.5)");
  command->add_option("-c,--cpu-shares", f.cpu_shares,
                      "CPU shares (relative weight)");
  command->add_option("--pids-limit", f.pids_limit,
                      "Tune container pids limit (set -1 for unlimited)");
  list("--ulimit", f.ulimits, "Ulimit options (name=soft[:hard])");
  command->add_option("--log-driver", f.log_driver,
                      "Logging driver for the container: json-file, none");
  list("--log-opt", f.log_opts, "Log driver options (e.g. max-size=10m)");
  list("--storage-opt", f.storage_opts,
       "Storage driver options for the container: size=SIZE caps its "
       "writable layer (needs xfs with pquota or ext4 with prjquota)");
  // IMAGE and everything after it land in remaining().
  command->prefix_command();
}

// Reads what followed the flags; false (and the error printed) when the
// invocation is malformed.
bool TakePositional(CommandContext& context, CLI::App* command,
                    RunState* state, const CommandUsage& usage) {
  state->flags.positional = command->remaining();
  if (state->entrypoint_option->count() > 0) {
    state->flags.entrypoint = state->entrypoint;
  }
  if (state->memory_option->count() > 0) state->flags.memory = state->memory;
  const std::vector<std::string>& positional = state->flags.positional;
  if (!positional.empty() && absl::StartsWith(positional[0], "-") &&
      positional[0] != "-") {
    std::fputs(FlagError(UnknownFlagProblem(positional[0]), UsageLine(usage),
                         usage.path)
                   .c_str(),
               stderr);
    context.exit_code = kExitUsage;
    return false;
  }
  const std::string error =
      ArgCountError(usage, positional.size(), 1, kUnlimited);
  if (!error.empty()) {
    std::fprintf(stderr, "%s\n", error.c_str());
    context.exit_code = kExitError;  // Docker's code for a wrong count
    return false;
  }
  return true;
}

// How run and create report failing, as Docker's do (docker/cli's run.go
// and create.go): run frames every failure as "berth: MSG" and a pointer to
// its help and exits 125 (126/127 when the command cannot run); create does
// so only for what it refuses before asking the daemon (125), and reports
// the daemon's answers as "Error: MSG" with exit 1.
class FailureReport {
 public:
  FailureReport(CommandContext& context, std::string path, bool run)
      : context_(context), path_(std::move(path)), run_(run) {}

  // Refused before the daemon was asked: bad flags, a request too big.
  void Refused(const absl::Status& status) const { Framed(status, kExitUsage); }
  // An answer of the daemon's; `run_code` is what run exits with.
  void Failed(const absl::Status& status, int run_code = kExitUsage) const {
    if (run_) return Framed(status, run_code);
    context_.Fail(status, kExitError);
  }
  // Docker's create prints a bad reference bare, and exits 1.
  void BadReference(const absl::Status& status) const {
    if (run_) return Framed(status, kExitUsage);
    std::fprintf(stderr, "%s\n", std::string(status.message()).c_str());
    context_.exit_code = kExitError;
  }

 private:
  void Framed(const absl::Status& status, int code) const {
    std::fputs(CommandFailure(path_, status.message()).c_str(), stderr);
    context_.exit_code = code;
  }

  CommandContext& context_;
  const std::string path_;
  const bool run_;
};

// Docker parses the image reference before anything else: "BusyBox" is
// "invalid reference format: repository name must be lowercase". An image
// id (or a prefix of one) is no reference but fine.
absl::Status CheckImageReference(const std::string& image) {
  if (!imaged::IdPrefix(image).empty()) return absl::OkStatus();
  return imaged::ParseReference(image).status();
}

// Docker looks for the image before it creates: an unknown one is "Unable
// to find image" (and a pull, which Berth does not do yet).
// Docker's answer to an image that is not there (pull arrives later).
void ReportMissingImage(const FailureReport& report, const std::string& image) {
  const std::string reference = ImageWithDefaultTag(image);
  std::fprintf(stderr, "Unable to find image '%s' locally\n",
               reference.c_str());
  report.Failed(absl::NotFoundError(
      absl::StrCat("No such image: ", reference,
                   " (pulling is not available yet: load or import the "
                   "image first with `berth load` or `berth import`)")));
}

// Create: the new container's id, or "" with the error reported.
std::string Create(CommandContext& context, ContainerService::Stub& stub,
                   const ContainerFlags& flags, const FailureReport& report) {
  SpecInputs inputs{LookupProcessEnv, ReadWholeFile};
  absl::StatusOr<container::v1::CreateContainerRequest> request =
      BuildCreateRequest(flags, inputs);
  if (!request.ok()) {
    report.Refused(request.status());
    return "";
  }
  if (absl::Status valid = CheckImageReference(request->config().image());
      !valid.ok()) {
    report.BadReference(valid);
    return "";
  }
  if (const size_t size = request->ByteSizeLong(); size > kMaxRequestBytes) {
    report.Refused(absl::InvalidArgumentError(
        absl::StrCat("the container's configuration takes ", size,
                     " bytes, more than the ", kMaxRequestBytes,
                     " a request may carry: pass fewer or shorter --env, "
                     "--env-file, --label or command arguments")));
    return "";
  }
  // containerd resolves the image through imaged; asking imaged first would
  // cost every run a round trip.
  container::v1::CreateContainerResponse response;
  auto call = Connections::CallContext(absl::Minutes(5));
  grpc::Status status = stub.CreateContainer(call.get(), *request, &response);
  if (status.error_code() == grpc::StatusCode::NOT_FOUND &&
      absl::StartsWith(status.error_message(), "No such image")) {
    ReportMissingImage(report, request->config().image());
    return "";
  }
  if (!status.ok()) {
    report.Failed(ContainerdError(context, status));
    return "";
  }
  for (const std::string& warning : response.warnings()) {
    std::fprintf(stderr, "WARNING: %s\n", warning.c_str());
  }
  return response.id();
}

// Starts `id`; on failure prints the error and sets 125, 126 or 127.
bool Start(CommandContext& context, ContainerService::Stub& stub,
           const std::string& id, const FailureReport& report) {
  container::v1::StartContainerRequest request;
  request.set_id(id);
  container::v1::StartContainerResponse response;
  auto call = Connections::CallContext(absl::Minutes(2));
  grpc::Status status = stub.StartContainer(call.get(), request, &response);
  if (status.ok()) return true;
  const absl::Status error = ContainerdError(context, status, id);
  // containerd records 126/127 in the state when the command cannot run.
  int recorded = -1;
  container::v1::InspectContainerRequest inspect;
  inspect.set_id(id);
  container::v1::InspectContainerResponse inspected;
  auto inspect_call = Connections::CallContext();
  if (stub.InspectContainer(inspect_call.get(), inspect, &inspected).ok()) {
    recorded = inspected.container().state().exit_code();
  }
  report.Failed(error, StartFailureExitCode(error, recorded));
  return false;
}

// Waits for `id` with `condition`, without deadline.
grpc::Status Wait(ContainerService::Stub& stub, grpc::ClientContext* call,
                  const std::string& id, container::v1::WaitCondition condition,
                  container::v1::WaitContainerResponse* response) {
  container::v1::WaitContainerRequest request;
  request.set_id(id);
  request.set_condition(condition);
  return stub.WaitContainer(call, request, response);
}

// Removes the container after an attached run with --rm. The CLI removes it
// itself (instead of the daemon's auto_remove) so the whole log is read
// before the container and its log are gone.
void RemoveAfterRun(ContainerService::Stub& stub, const std::string& id) {
  container::v1::RemoveContainerRequest request;
  request.set_id(id);
  request.set_force(true);
  container::v1::RemoveContainerResponse response;
  grpc::ClientContext call;
  grpc::Status status = stub.RemoveContainer(&call, request, &response);
  if (!status.ok() && status.error_code() != grpc::StatusCode::NOT_FOUND) {
    std::fprintf(stderr, "Error: removing container %s: %s\n", id.c_str(),
                 status.error_message().c_str());
  }
}

// Sends `signal` to the container; a container that is already gone needs
// no signal, so failures are not reported.
void KillQuietly(ContainerService::Stub& stub, const std::string& id,
                 int signal) {
  container::v1::KillContainerRequest request;
  request.set_id(id);
  request.set_signal(std::to_string(signal));
  container::v1::KillContainerResponse response;
  auto call = Connections::CallContext();
  stub.KillContainer(call.get(), request, &response);
}

void RunAttached(CommandContext& context,
                 const std::shared_ptr<ContainerService::Stub>& shared_stub,
                 const std::string& id, bool remove_after, SignalProxy* proxy,
                 const FailureReport& report) {
  ContainerService::Stub& stub = *shared_stub;
  if (!Start(context, stub, id, report)) {
    if (remove_after) RemoveAfterRun(stub, id);
    return;
  }
  if (proxy != nullptr) {
    // The proxy's thread may outlive this call: it keeps the stub alive.
    proxy->Forward([shared_stub, id](int signal) {
      KillQuietly(*shared_stub, id, signal);
    });
  }
  container::v1::ContainerLogsRequest logs;
  logs.set_id(id);
  logs.set_follow(true);
  absl::Status streamed = StreamLogs(context, logs, /*timestamps=*/false);
  if (!streamed.ok()) {
    std::fprintf(stderr, "Error: %s\n",
                 std::string(streamed.message()).c_str());
  }
  container::v1::WaitContainerResponse exited;
  grpc::ClientContext call;
  grpc::Status status =
      Wait(stub, &call, id, container::v1::WAIT_CONDITION_NOT_RUNNING, &exited);
  if (remove_after) RemoveAfterRun(stub, id);
  if (!status.ok()) {
    return context.Fail(ContainerdError(context, status, id), kExitUsage);
  }
  context.exit_code = exited.exit_code();
}

}  // namespace

void AddCreateCommand(CLI::App& parent, CommandContext& context,
                      const std::string& path) {
  auto state = std::make_shared<RunState>();
  const CommandUsage usage{path,
                           "[OPTIONS] IMAGE [COMMAND] [ARG...]",
                           "Create a new container",
                           {ArgKind::kImage, ArgKind::kNone}};
  CLI::App* command = parent.add_subcommand("create", usage.summary);
  SetUsage(command, usage);
  AddContainerFlags(command, state.get(), /*run=*/false);
  command->callback([&context, state, command, usage] {
    if (!TakePositional(context, command, state.get(), usage)) return;
    auto stub = ContainerStub(context);
    const FailureReport report(context, usage.path, /*run=*/false);
    const std::string id = Create(context, *stub, state->flags, report);
    if (!id.empty()) std::printf("%s\n", id.c_str());
  });
}

void AddRunCommand(CLI::App& parent, CommandContext& context,
                   const std::string& path) {
  auto state = std::make_shared<RunState>();
  const CommandUsage usage{path,
                           "[OPTIONS] IMAGE [COMMAND] [ARG...]",
                           "Create and run a new container from an image",
                           {ArgKind::kImage, ArgKind::kNone}};
  CLI::App* command = parent.add_subcommand("run", usage.summary);
  SetUsage(command, usage);
  AddContainerFlags(command, state.get(), /*run=*/true);
  command->callback([&context, state, command, usage] {
    if (!TakePositional(context, command, state.get(), usage)) return;
    const FailureReport report(context, usage.path, /*run=*/true);
    if (absl::Status s = CheckRunSupported(state->flags); !s.ok()) {
      return report.Refused(s);
    }
    // Attached with --rm, the CLI removes the container once it has read
    // all of its output; detached, the daemon does (auto_remove).
    const bool remove_after = state->flags.auto_remove && !state->flags.detach;
    if (remove_after) state->flags.auto_remove = false;
    // Before the channel exists, so that its threads block the signals too.
    std::unique_ptr<SignalProxy> proxy;
    if (!state->flags.detach && state->sig_proxy) {
      proxy = std::make_unique<SignalProxy>();
    }
    std::shared_ptr<ContainerService::Stub> stub = ContainerStub(context);
    const std::string id = Create(context, *stub, state->flags, report);
    if (id.empty()) return;
    if (state->flags.detach) {
      if (Start(context, *stub, id, report)) {
        std::printf("%s\n", id.c_str());
        std::fflush(stdout);
      }
      return;
    }
    RunAttached(context, stub, id, remove_after, proxy.get(), report);
  });
}

}  // namespace berth::ctl::container_cli
