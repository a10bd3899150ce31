// `berth create` and `berth run`. Everything after IMAGE belongs to the
// container (`berth run busybox sh -c 'ls -l'`): CLI11's prefix_command
// stops reading berth's flags at the first positional argument.
//
// `run` without -d: create, attach to the container's stdio, start it
// once the attachment is in place (so no output is missed), stream until
// it exits or the user detaches, then exit with its code. --rm is the
// daemon's (auto-removal); the CLI then takes the code from a wait for the
// removal begun before the start, as Docker's does. While attached without
// a tty, signals the CLI receives go to the container (--sig-proxy).
//
// `--pull missing` (the default) pulls when containerd answers that the
// image is not there ("Unable to find image ... locally"), then creates
// again; `always` pulls first; `never` does not. The pull's lines go to
// stderr (ctl/image/image_pull.h), none with -q.
//
// Exit codes, as Docker's: the container's own; 125 when Berth failed
// (bad flag, unknown image, name in use, daemon error); 126 or 127 when the
// command could not be run (not executable / not found).
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <optional>
#include <thread>
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
#include "ctl/container/mount_specs.h"
#include "ctl/container/signal_proxy.h"
#include "ctl/container/stdio_session.h"
#include "ctl/container/terminal.h"
#include "ctl/image/image_pull.h"
#include "services/imaged/reference/reference.h"

namespace berth::ctl::container_cli {
namespace {

using container::v1::ContainerService;

struct RunState {
  ContainerFlags flags;
  std::string pull = "missing";
  bool quiet = false;
  bool sig_proxy = true;  // run only
  std::string detach_keys;  // run only
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
    command->add_option("--detach-keys", state->detach_keys,
                        "Override the key sequence for detaching a "
                        "container");
  }
  command->add_option("--pull", state->pull,
                      "Pull image before " +
                          std::string(run ? "running" : "creating") +
                          " (\"always\", \"missing\", \"never\")")
      ->capture_default_str();
  command->add_flag("-q,--quiet", state->quiet, "Suppress the pull output");
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
                      "Connect a container to a network: bridge (default), "
                      "none, host, container:NAME or a network's name");
  list("--network-alias", f.network_aliases,
       "Add network-scoped alias for the container");
  command->add_option("--ip", f.ip, "IPv4 address (e.g., 172.30.100.104)");
  list("--link", f.links, "Add link to another container");
  list("-p,--publish", f.publish, "Publish a container's port(s) to the host");
  command->add_flag("-P,--publish-all", f.publish_all,
                    "Publish all exposed ports to random ports");
  list("--expose", f.expose, "Expose a port or a range of ports");
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
  command->add_option("--health-cmd", f.health_cmd,
                      "Command to run to check health");
  command->add_option("--health-interval", f.health_interval,
                      "Time between running the check (ms|s|m|h) (default 0s)");
  command->add_option("--health-retries", f.health_retries,
                      "Consecutive failures needed to report unhealthy");
  command->add_option("--health-start-interval", f.health_start_interval,
                      "Time between running the check during the start "
                      "period (ms|s|m|h) (default 0s)");
  command->add_option("--health-start-period", f.health_start_period,
                      "Start period for the container to initialize before "
                      "starting health-retries countdown (ms|s|m|h) "
                      "(default 0s)");
  command->add_option("--health-timeout", f.health_timeout,
                      "Maximum time to allow one check to run (ms|s|m|h) "
                      "(default 0s)");
  command->add_flag("--no-healthcheck", f.no_healthcheck,
                    "Disable any container-specified HEALTHCHECK");
  list("-v,--volume", f.volumes,
       "Bind mount a volume: [SOURCE:]/PATH[:OPTIONS], SOURCE a host path "
       "or a volume name");
  command
      ->add_option("--mount", f.mounts,
                   "Attach a filesystem mount to the container (e.g. "
                   "type=volume,source=data,target=/data)")
      ->check(MountFlagProblem)
      ->allow_extra_args(false);
  list("--tmpfs", f.tmpfs, "Mount a tmpfs directory: /PATH[:OPTIONS]");
  list("--volumes-from", f.volumes_from,
       "Mount volumes from the specified container(s): CONTAINER[:ro|rw]");
  list("--device", f.devices,
       "Add a host device to the container: HOST[:CONTAINER][:rwm]");
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
  return CheckPrefixArgs(context, usage, state->flags.positional, 1);
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
  // What Docker's create prints bare, exiting 1: a bad reference, a failed
  // pull (worded as Docker's, image_pull.h).
  void Unprefixed(const absl::Status& status) const {
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
// id (or a prefix of one) is no reference but fine: nullopt, nothing to
// pull.
absl::StatusOr<std::optional<imaged::Reference>> ParseImage(
    const std::string& image) {
  absl::StatusOr<imaged::Reference> reference = imaged::ParseReference(image);
  if (reference.ok()) return std::optional<imaged::Reference>(*reference);
  if (!imaged::IdPrefix(image).empty()) {
    return std::optional<imaged::Reference>();
  }
  return reference.status();
}

// Pulls `reference` for run or create, as Docker's: progress on stderr
// (none with -q); false after reporting a failure.
bool PullForCreate(CommandContext& context, const imaged::Reference& reference,
                   bool quiet, const FailureReport& report) {
  PullSpec spec;
  spec.reference = reference;
  spec.out = stderr;
  spec.quiet = quiet;
  if (absl::Status pulled = PullImage(context, spec); !pulled.ok()) {
    report.Unprefixed(pulled);
    return false;
  }
  return true;
}

// Create: the new container's id, or "" with the error reported.
std::string Create(CommandContext& context, ContainerService::Stub& stub,
                   const RunState& state, PullPolicy pull,
                   const FailureReport& report) {
  const ContainerFlags& flags = state.flags;
  SpecInputs inputs{LookupProcessEnv, ReadWholeFile, CurrentDirectory()};
  absl::StatusOr<container::v1::CreateContainerRequest> request =
      BuildCreateRequest(flags, inputs);
  if (!request.ok()) {
    report.Refused(request.status());
    return "";
  }
  if (flags.tty) {
    // The terminal starts at the user's size, before its first output.
    if (auto size = TerminalSize(1); size.has_value()) {
      request->mutable_host_config()->set_console_height(size->first);
      request->mutable_host_config()->set_console_width(size->second);
    }
  }
  absl::StatusOr<std::optional<imaged::Reference>> image =
      ParseImage(request->config().image());
  if (!image.ok()) {
    report.Unprefixed(image.status());
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
  if (pull == PullPolicy::kAlways && image->has_value() &&
      !PullForCreate(context, **image, state.quiet, report)) {
    return "";
  }
  // containerd resolves the image through imaged; asking imaged first would
  // cost every run a round trip.
  container::v1::CreateContainerResponse response;
  auto call = Connections::CallContext(absl::Minutes(5));
  grpc::Status status = stub.CreateContainer(call.get(), *request, &response);
  const bool missing =
      status.error_code() == grpc::StatusCode::NOT_FOUND &&
      absl::StartsWith(status.error_message(), "No such image");
  if (missing && pull == PullPolicy::kMissing && image->has_value()) {
    if (!state.quiet) {
      std::fprintf(stderr, "Unable to find image '%s' locally\n",
                   (*image)->Familiar().c_str());
    }
    if (!PullForCreate(context, **image, state.quiet, report)) return "";
    call = Connections::CallContext(absl::Minutes(5));
    status = stub.CreateContainer(call.get(), *request, &response);
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

// Whether a start failed on a host port of -p/-P that another container
// or process has (netd's "Bind for IP:PORT failed: ..."): `run` removes
// the container it made for nothing then.
bool HostPortTaken(const absl::Status& error) {
  return absl::IsFailedPrecondition(error) &&
         absl::StrContains(error.message(), "Bind for ");
}

// Starts `id`; on failure prints the error and sets 125, 126 or 127, and
// tells whether `run` should remove the container (`--rm`, or a host port
// taken).
bool Start(CommandContext& context, ContainerService::Stub& stub,
           const std::string& id, const FailureReport& report,
           bool auto_remove, bool* remove) {
  container::v1::StartContainerRequest request;
  request.set_id(id);
  container::v1::StartContainerResponse response;
  auto call = Connections::CallContext(absl::Minutes(2));
  grpc::Status status = stub.StartContainer(call.get(), request, &response);
  if (status.ok()) return true;
  const absl::Status error = ContainerdError(context, status, id);
  *remove = auto_remove || HostPortTaken(error);
  // containerd records 126/127 in the state when the command cannot run.
  int recorded = -1;
  if (absl::StatusOr<container::v1::Container> found =
          FindContainer(context, stub, id);
      found.ok()) {
    recorded = found->state().exit_code();
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

// Removes a container whose start failed after `run` created it (`--rm`:
// the daemon removes only containers that ran; a taken host port: nothing
// half made stays behind).
void RemoveAfterFailedStart(ContainerService::Stub& stub, const std::string& id) {
  container::v1::RemoveContainerRequest request;
  request.set_id(id);
  request.set_force(true);
  container::v1::RemoveContainerResponse response;
  auto call = Connections::CallContext();
  grpc::Status status = stub.RemoveContainer(call.get(), request, &response);
  if (!status.ok() && status.error_code() != grpc::StatusCode::NOT_FOUND) {
    std::fprintf(stderr, "Error: removing container %s: %s\n", id.c_str(),
                 status.error_message().c_str());
  }
}

// A wait for the container's removal, begun before its start (`run --rm`):
// it has the exit code once the daemon removed the container.
class RemovalWait {
 public:
  RemovalWait(ContainerService::Stub& stub, const std::string& id) {
    thread_ = std::thread([this, &stub, id] {
      status_ = Wait(stub, &call_, id, container::v1::WAIT_CONDITION_REMOVED,
                     &response_);
    });
  }
  ~RemovalWait() { Cancel(); }
  // The exit once the container is gone.
  grpc::Status Result(container::v1::WaitContainerResponse* response) {
    if (thread_.joinable()) thread_.join();
    *response = response_;
    return status_;
  }
  void Cancel() {
    if (!thread_.joinable()) return;
    call_.TryCancel();
    thread_.join();
  }

 private:
  grpc::ClientContext call_;
  grpc::Status status_;
  container::v1::WaitContainerResponse response_;
  std::thread thread_;
};

void RunAttached(CommandContext& context,
                 const std::shared_ptr<ContainerService::Stub>& shared_stub,
                 const std::string& id, const RunState& state,
                 SignalProxy* proxy, const FailureReport& report) {
  ContainerService::Stub& stub = *shared_stub;
  const ContainerFlags& flags = state.flags;
  std::unique_ptr<RemovalWait> removal;
  if (flags.auto_remove) removal = std::make_unique<RemovalWait>(stub, id);
  bool started = false;
  bool remove = false;
  StdioOptions options;
  options.attach_stdin = flags.interactive;
  options.tty = flags.tty;
  options.detach_keys = DetachKeysOrConfigured(state.detach_keys);
  options.on_attached = [&] {
    started = Start(context, stub, id, report, flags.auto_remove, &remove);
    if (started && proxy != nullptr) ForwardSignals(*proxy, shared_stub, id);
    return started;
  };
  const StdioOutcome outcome = AttachToContainer(stub, id, options);
  if (!started) {
    if (removal != nullptr) removal->Cancel();
    if (remove) RemoveAfterFailedStart(stub, id);
    if (!outcome.status.ok()) {
      report.Failed(ContainerdError(context, outcome.status, id));
    }
    return;
  }
  if (outcome.detached) {
    // The container runs on (and --rm still removes it when it exits).
    if (removal != nullptr) removal->Cancel();
    return;
  }
  if (!outcome.status.ok()) {
    std::fprintf(stderr, "Error: %s\n",
                 std::string(ContainerdError(context, outcome.status, id).message())
                     .c_str());
  }
  container::v1::WaitContainerResponse exited;
  grpc::Status status;
  if (removal != nullptr) {
    status = removal->Result(&exited);
  } else {
    grpc::ClientContext call;
    status = Wait(stub, &call, id, container::v1::WAIT_CONDITION_NOT_RUNNING,
                  &exited);
  }
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
    const FailureReport report(context, usage.path, /*run=*/false);
    absl::StatusOr<PullPolicy> pull = ParsePullPolicy(state->pull);
    if (!pull.ok()) return report.Refused(pull.status());
    auto stub = ContainerStub(context);
    const std::string id = Create(context, *stub, *state, *pull, report);
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
    absl::StatusOr<PullPolicy> pull = ParsePullPolicy(state->pull);
    if (!pull.ok()) return report.Refused(pull.status());
    if (!state->flags.detach) {
      if (absl::Status s = CheckInputTerminal(state->flags.tty,
                                              state->flags.interactive,
                                              isatty(0));
          !s.ok()) {
        return context.Fail(s, kExitError);
      }
    }
    // Before the channel exists, so that its threads block the signals too.
    // With a tty the keys go to the container as they are (Docker's rule).
    std::unique_ptr<SignalProxy> proxy;
    if (!state->flags.detach && state->sig_proxy && !state->flags.tty) {
      proxy = std::make_unique<SignalProxy>();
    }
    std::shared_ptr<ContainerService::Stub> stub = ContainerStub(context);
    const std::string id = Create(context, *stub, *state, *pull, report);
    if (id.empty()) return;
    if (state->flags.detach) {
      bool remove = false;
      if (Start(context, *stub, id, report, state->flags.auto_remove, &remove)) {
        std::printf("%s\n", id.c_str());
        std::fflush(stdout);
      } else if (remove) {
        // As Docker's: --rm removes a container that never ran too.
        RemoveAfterFailedStart(*stub, id);
      }
      return;
    }
    RunAttached(context, stub, id, *state, proxy.get(), report);
  });
}

}  // namespace berth::ctl::container_cli
