// ContainerSupervisor::Exec and InspectExec: `berth exec`, a process the
// container's shim starts in it (shim.proto ExecRequest) with a stream
// bridged to the client as attach's is (attach/stream_bridge.h).
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "services/containerd/attach/detach_keys.h"
#include "services/containerd/container_supervisor.h"

namespace berth::containerd {

using container::v1::Container;

namespace {

// Docker's exec start fails with 126 whatever stopped the command.
constexpr int kExecStartFailed = 126;

// Docker's refusals, by the container's state.
absl::Status NotExecutable(const Container& container) {
  switch (container.state().status()) {
    case container::v1::CONTAINER_STATUS_RUNNING:
      return absl::OkStatus();
    case container::v1::CONTAINER_STATUS_PAUSED:
      return absl::FailedPreconditionError(absl::StrCat(
          "Container ", container.id(),
          " is paused, unpause the container before exec"));
    case container::v1::CONTAINER_STATUS_RESTARTING:
      return absl::FailedPreconditionError(absl::StrCat(
          "Container ", container.id(),
          " is restarting, wait until the container is running"));
    default:
      return absl::FailedPreconditionError(
          absl::StrCat("Container ", container.id(), " is not running"));
  }
}

// The container's environment with the exec's variables replacing those of
// the same name and the rest appended (Docker's ReplaceOrAppendEnvValues).
std::vector<std::string> MergeEnv(const Container& container,
                                  const container::v1::ExecConfig& config) {
  std::vector<std::string> env(container.config().env().begin(),
                               container.config().env().end());
  std::map<std::string, size_t> at;
  for (size_t i = 0; i < env.size(); ++i) {
    at[env[i].substr(0, env[i].find('='))] = i;
  }
  for (const std::string& entry : config.env()) {
    const std::string name = entry.substr(0, entry.find('='));
    auto it = at.find(name);
    if (it != at.end()) {
      env[it->second] = entry;
    } else {
      at[name] = env.size();
      env.push_back(entry);
    }
  }
  return env;
}

}  // namespace

absl::Status ContainerSupervisor::Exec(
    const container::v1::ExecStart& start, const ClientStream& client,
    const std::function<bool(const container::v1::ExecCreated&)>& created) {
  const container::v1::ExecConfig& config = start.config();
  // "No such container" first, as Docker's CLI looks the container up
  // before anything else.
  ASSIGN_OR_RETURN(Container container, records_->Find(start.id()));
  if (config.cmd().empty() || config.cmd(0).empty()) {
    return absl::InvalidArgumentError("No exec command specified");
  }
  if (!config.working_dir().empty() && config.working_dir()[0] != '/') {
    // As run's (and runc's) rule: relative to what?
    return absl::InvalidArgumentError(absl::StrCat(
        "the working directory '", config.working_dir(),
        "' is invalid, it needs to be an absolute path"));
  }
  ASSIGN_OR_RETURN(const std::string detach_keys,
                   ParseDetachKeys(config.detach_keys()));
  const std::string id = container.id();
  RETURN_IF_ERROR(NotExecutable(container));

  ::berth::shim::v1::ExecRequest request;
  const std::string exec_id = execs_.Add(id, config);
  request.set_exec_id(exec_id);
  Emit(container, ExecAction("exec_create", config), {{"execID", exec_id}});
  *request.mutable_args() = config.cmd();
  for (const std::string& entry : MergeEnv(container, config)) {
    request.add_env(entry);
  }
  request.set_user(config.user().empty() ? container.config().user()
                                         : config.user());
  request.set_cwd(config.working_dir().empty()
                      ? container.config().working_dir()
                      : config.working_dir());
  request.set_tty(config.tty());
  request.set_stdin(config.attach_stdin());
  request.set_console_height(config.console_height());
  request.set_console_width(config.console_width());
  request.set_privileged(config.privileged());

  absl::StatusOr<shim::ShimStream> stream = shims_->Exec(PathsOf(id), request);
  if (absl::IsUnavailable(stream.status())) {
    // The shim is gone: the container exited meanwhile.
    execs_.Forget(id);
    return absl::FailedPreconditionError(
        absl::StrCat("Container ", id, " is not running"));
  }
  if (!stream.ok()) {
    if (absl::IsInvalidArgument(stream.status()) ||
        absl::IsDeadlineExceeded(stream.status())) {
      return stream.status();
    }
    // The command could not be started: Docker's exit code, and why.
    log_.info("container {}: exec {} did not start: {}", id, exec_id,
              std::string(stream.status().message()));
    execs_.Exited(exec_id, kExecStartFailed, clock_.Now());
    EmitExec(id, "exec_die", exec_id, {{"exitCode", std::to_string(kExecStartFailed)}});
    container::v1::AttachContainerResponse exit;
    exit.mutable_exit()->set_exit_code(kExecStartFailed);
    exit.mutable_exit()->set_error(std::string(stream.status().message()));
    client.write(exit);
    return absl::OkStatus();
  }
  execs_.Started(exec_id, stream->pid, clock_.Now());
  Emit(container, ExecAction("exec_start", config), {{"execID", exec_id}});
  log_.debug("container {}: exec {} runs as pid {}", id, exec_id, stream->pid);
  container::v1::ExecCreated announced;
  announced.set_exec_id(exec_id);
  announced.set_pid(stream->pid);
  if (!created(announced) || config.detach()) {
    // The process runs on without a client; its exit is still recorded.
    detached_execs_->Watch(exec_id, *std::move(stream));
    return absl::OkStatus();
  }
  // The exit passes through the bridge to the client; the registry keeps it.
  ClientStream watched = client;
  watched.write = [this, &client, &exec_id, &id](
                      const container::v1::AttachContainerResponse& response) {
    if (response.has_exit()) {
      execs_.Exited(exec_id, response.exit().exit_code(), clock_.Now());
      EmitExec(id, "exec_die", exec_id,
               {{"exitCode", std::to_string(response.exit().exit_code())}});
    }
    return client.write(response);
  };
  const BridgeEnd end =
      BridgeStreams(stream->fd, std::move(stream->carry), detach_keys, watched);
  if (end == BridgeEnd::kShimGone) {
    // The shim went away under the process: the container was killed, and
    // its processes with it.
    container::v1::AttachContainerResponse exit;
    exit.mutable_exit()->set_exit_code(137);
    watched.write(exit);
  }
  // The client typed the detach keys: Docker's exec_detach.
  if (end == BridgeEnd::kDetached) EmitExec(id, "exec_detach", exec_id, {});
  return absl::OkStatus();
}

absl::StatusOr<container::v1::ExecInfo> ContainerSupervisor::InspectExec(
    const std::string& exec_id) {
  return execs_.Find(exec_id);
}

}  // namespace berth::containerd
