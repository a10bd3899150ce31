// ContainerSupervisor's health checks: a probe is an exec through the
// container's shim (shim.proto ExecRequest) without a client, read until its
// exit or the check's timeout; its result goes into the record while the
// run it was made for lasts (health/ holds the rules and the threads).
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/proto_util.h"
#include "services/containerd/container_supervisor.h"
#include "services/containerd/shim/framing.h"

namespace berth::containerd {

using container::v1::Container;

namespace {

// Stops reading a probe's output beyond what its log entry keeps.
constexpr size_t kMaxProbeOutput = 4096;
// How often a probe in progress looks whether its check ended.
constexpr absl::Duration kStopPoll = absl::Milliseconds(200);

// Reads the probe's stream until its exit, the deadline or `stopped`.
health::ProbeResult ReadProbe(shim::ShimStream& stream, absl::Time deadline,
                              const std::function<bool()>& stopped) {
  health::ProbeResult result;
  result.exit_code = -1;
  std::string buffer = std::move(stream.carry);
  while (true) {
    absl::StatusOr<std::optional<std::string>> frame =
        shim::TakeFrame(&buffer, "the shim");
    if (!frame.ok()) {
      result.output = std::string(frame.status().message());
      return result;
    }
    if (frame->has_value()) {
      ::berth::shim::v1::StreamOutput message;
      if (!message.ParseFromString(**frame)) {
        result.output = "the shim sent a probe frame that does not parse";
        return result;
      }
      if (message.has_exit()) {
        result.exit_code = message.exit().exit_code();
        return result;
      }
      if (result.output.size() < kMaxProbeOutput) {
        result.output += message.output().data();
      }
      continue;
    }
    const absl::Time now = absl::Now();
    if (now >= deadline || stopped()) return result;
    pollfd ready = {stream.fd, POLLIN, 0};
    const int wait = static_cast<int>(
        absl::ToInt64Milliseconds(std::min(deadline - now, kStopPoll)) + 1);
    if (poll(&ready, 1, wait) < 0 && errno != EINTR) return result;
    if (ready.revents == 0) continue;
    char chunk[16 * 1024];
    ssize_t n = read(stream.fd, chunk, sizeof(chunk));
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) {
      result.output = "the container's shim went away during the probe";
      return result;
    }
    buffer.append(chunk, static_cast<size_t>(n));
  }
}

}  // namespace

void ContainerSupervisor::WatchHealth(const Container& container) {
  std::optional<health::ProbeSettings> settings =
      health::SettingsOf(container.config().healthcheck());
  if (!settings.has_value()) return;
  health_->Begin(container.id(), *settings,
                 FromTimestamp(container.state().started_at()),
                 container.state().has_health() ? container.state().health()
                                                : health::StartingHealth());
}

health::ProbeResult ContainerSupervisor::RunHealthProbe(
    const std::string& id, const health::ProbeSettings& settings,
    const std::function<bool()>& stopped) {
  health::ProbeResult result;
  result.start = clock_.Now();
  result.exit_code = -1;
  absl::StatusOr<Container> container = Load(id);
  if (!container.ok()) {
    result.end = clock_.Now();
    result.output = std::string(container.status().message());
    return result;
  }
  if (container->state().status() == container::v1::CONTAINER_STATUS_PAUSED) {
    // A frozen container cannot answer; Docker skips its probes too.
    result.skipped = true;
    return result;
  }
  ::berth::shim::v1::ExecRequest request;
  request.set_exec_id(absl::StrCat("health-", id.substr(0, 12)));
  for (const std::string& arg : settings.argv) request.add_args(arg);
  *request.mutable_env() = container->config().env();
  request.set_user(container->config().user());
  request.set_cwd(container->config().working_dir());
  absl::StatusOr<shim::ShimStream> stream = shims_->Exec(PathsOf(id), request);
  if (!stream.ok()) {
    result.end = clock_.Now();
    result.output = std::string(stream.status().message());
    return result;
  }
  const absl::Time deadline = absl::Now() + settings.timeout;
  health::ProbeResult read = ReadProbe(*stream, deadline, stopped);
  const bool finished = read.exit_code != -1 || !read.output.empty();
  if (!finished || absl::Now() >= deadline) {
    // Out of time (or its check ended): the probe must not linger.
    if (stream->pid > 0) kill(stream->pid, SIGKILL);
    if (absl::Now() >= deadline) {
      read.exit_code = -1;
      read.output = absl::StrCat("Health check exceeded timeout (",
                                 absl::FormatDuration(settings.timeout), ")");
    }
  }
  close(stream->fd);
  read.start = result.start;
  read.end = clock_.Now();
  return read;
}

bool ContainerSupervisor::RecordHealth(const std::string& id,
                                       absl::Time started_at,
                                       const container::v1::Health& health) {
  absl::MutexLock lock(&mu_);
  absl::StatusOr<Container> container = Load(id);
  if (!container.ok() || !HasProcess(container->state().status()) ||
      FromTimestamp(container->state().started_at()) != started_at) {
    return false;  // that run is over
  }
  const container::v1::Health::Status before =
      container->state().health().status();
  *container->mutable_state()->mutable_health() = health;
  absl::Status saved = Save(*container);
  if (!saved.ok()) {
    log_.warn("container {}: recording its health: {}", id,
              std::string(saved.message()));
  } else if (before != health.status()) {
    Emit(*container, absl::StrCat("health_status: ", HealthWord(health.status())));
    log_.info("container {}: health is now {}", id,
              container::v1::Health::Status_Name(health.status()));
  }
  return true;
}

}  // namespace berth::containerd
