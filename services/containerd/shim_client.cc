#include "services/containerd/shim_client.h"

#include <signal.h>

#include <cerrno>
#include <set>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/fs_util.h"
#include "common/status_macros.h"
#include "services/containerd/exit_monitor.h"

namespace berth::containerd {
namespace {

class SocketShimClient final : public ShimClient {
 public:
  explicit SocketShimClient(ShimClientOptions options)
      : options_(std::move(options)) {}
  ~SocketShimClient() override { Shutdown(); }

  absl::Status Init() {
    ASSIGN_OR_RETURN(
        std::unique_ptr<ExitMonitor> monitor,
        ExitMonitor::Create([this](const std::string& id,
                                   const absl::StatusOr<shim::ExitRecord>& exit) {
          if (on_exit_) on_exit_(id, exit);
        }));
    absl::MutexLock lock(&mu_);
    monitor_ = std::move(monitor);
    return absl::OkStatus();
  }

  void SetExitHandler(ExitCallback on_exit) override {
    on_exit_ = std::move(on_exit);
  }

  absl::StatusOr<shim::LaunchedShim> Launch(
      const ContainerPaths& paths) override {
    absl::StatusOr<shim::LaunchedShim> launched = shim::LaunchShim(
        options_.shim_path, paths.state_dir, options_.launch_timeout);
    if (launched.ok()) {
      // Its Ready message carried its protocol version: Watch need not ask.
      absl::MutexLock lock(&mu_);
      version_checked_.insert(paths.socket_path);
    }
    return launched;
  }

  absl::Status Signal(const ContainerPaths& paths, int signal) override {
    return shim::SignalShim(paths.socket_path, signal, options_.call_timeout);
  }

  absl::Status Watch(const std::string& id,
                     const ContainerPaths& paths) override {
    bool checked;
    {
      absl::MutexLock lock(&mu_);
      checked = version_checked_.erase(paths.socket_path) > 0;
    }
    if (!checked) {
      // A shim this process did not start (adoption after a restart): ask
      // which protocol it speaks before relying on its wait reply. Only
      // recovery pays this round trip, never a start.
      absl::StatusOr<::berth::shim::v1::StateResponse> state =
          shim::ShimState(paths.socket_path, options_.call_timeout);
      if (!state.ok()) return state.status();
    }
    absl::MutexLock lock(&mu_);
    if (monitor_ == nullptr) {
      return absl::FailedPreconditionError("containerd is shutting down");
    }
    return monitor_->Watch(id, paths.socket_path, options_.call_timeout);
  }

  absl::StatusOr<shim::ExitRecord> ReadExit(
      const ContainerPaths& paths) override {
    return shim::ReadExitRecord(
        absl::StrCat(paths.state_dir, "/", shim::kExitFile));
  }

  absl::StatusOr<shim::ShimStream> Attach(
      const ContainerPaths& paths,
      const ::berth::shim::v1::AttachRequest& wants) override {
    return shim::OpenAttach(paths.socket_path, wants, options_.call_timeout);
  }

  absl::StatusOr<shim::ShimStream> Exec(
      const ContainerPaths& paths,
      const ::berth::shim::v1::ExecRequest& request) override {
    // The start includes the process's setup: the launch's bound, not a
    // plain call's.
    return shim::OpenExec(paths.socket_path, request, options_.launch_timeout);
  }

  absl::Status KillShim(pid_t shim_pid) override {
    if (shim_pid <= 0) return absl::OkStatus();
    if (kill(shim_pid, SIGKILL) != 0 && errno != ESRCH) {
      return ErrnoStatus(errno, "kill", absl::StrCat("shim pid ", shim_pid));
    }
    return absl::OkStatus();
  }

  void Shutdown() override {
    std::unique_ptr<ExitMonitor> monitor;
    {
      absl::MutexLock lock(&mu_);
      monitor = std::move(monitor_);
    }
    monitor.reset();  // joins its thread: no callback after this
  }

 private:
  const ShimClientOptions options_;
  ExitCallback on_exit_;
  absl::Mutex mu_;
  std::unique_ptr<ExitMonitor> monitor_ ABSL_GUARDED_BY(mu_);
  // Sockets of shims this client launched and has not watched yet.
  std::set<std::string> version_checked_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

absl::StatusOr<std::unique_ptr<ShimClient>> NewSocketShimClient(
    ShimClientOptions options) {
  auto client = std::make_unique<SocketShimClient>(std::move(options));
  RETURN_IF_ERROR(client->Init());
  return client;
}

}  // namespace berth::containerd
