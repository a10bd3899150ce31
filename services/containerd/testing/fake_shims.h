// A ShimClient for containerd's unit tests: shims that live in a ShimWorld
// (which outlives supervisors, so a test can "restart containerd" and see
// its shims adopted), exits a test triggers, shims that stop answering or
// speak another protocol, and a log of every call, including calls made
// after Shutdown (which containerd must never make).
#ifndef BERTH_SERVICES_CONTAINERD_TESTING_FAKE_SHIMS_H_
#define BERTH_SERVICES_CONTAINERD_TESTING_FAKE_SHIMS_H_

#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "services/containerd/scheduler.h"
#include "services/containerd/shim_client.h"

namespace berth::containerd::testing {

// The shims that exist, whoever talks to them.
struct ShimWorld {
  struct Shim {
    pid_t shim_pid = 0;
    pid_t init_pid = 0;
    bool alive = false;
    std::optional<shim::ExitRecord> exit;  // the exit record on disk
  };
  absl::Mutex mu;
  pid_t next_pid ABSL_GUARDED_BY(mu) = 1000;
  std::map<std::string, Shim> shims ABSL_GUARDED_BY(mu);  // by container id
  // Shims that answer in a protocol version containerd does not speak.
  std::set<std::string> foreign ABSL_GUARDED_BY(mu);
  // Stamps exit records (absl::Now() when null).
  Clock* clock = nullptr;
  // The shim's ends of attach streams, by container id (closed by the test).
  std::map<std::string, std::vector<int>> streams ABSL_GUARDED_BY(mu);
  // The exec requests shims received, by container id.
  std::map<std::string, std::vector<::berth::shim::v1::ExecRequest>> execs
      ABSL_GUARDED_BY(mu);
  // Made-up pids a test declared gone (SupervisorDeps::process_alive).
  std::set<pid_t> gone_pids ABSL_GUARDED_BY(mu);
  // The next exec request fails with this status (OK: none).
  absl::Status exec_failure ABSL_GUARDED_BY(mu);
  // Calls any client received after its Shutdown began.
  std::vector<std::string> late_calls ABSL_GUARDED_BY(mu);
};

class FakeShims final : public ShimClient {
 public:
  explicit FakeShims(ShimWorld& world);
  ~FakeShims() override;

  void SetExitHandler(ExitCallback on_exit) override;
  absl::StatusOr<shim::LaunchedShim> Launch(const ContainerPaths& paths) override;
  absl::Status Signal(const ContainerPaths& paths, int signal) override;
  absl::Status Watch(const std::string& id, const ContainerPaths& paths) override;
  absl::StatusOr<shim::ExitRecord> ReadExit(const ContainerPaths& paths) override;
  // A socketpair: the container's end is kept in `streams` for the test to
  // play the shim on.
  absl::StatusOr<shim::ShimStream> Attach(
      const ContainerPaths& paths,
      const ::berth::shim::v1::AttachRequest& wants) override;
  // Likewise, with the request kept in `execs` and a made-up pid.
  absl::StatusOr<shim::ShimStream> Exec(
      const ContainerPaths& paths,
      const ::berth::shim::v1::ExecRequest& request) override;
  absl::Status KillShim(pid_t shim_pid) override;
  void Shutdown() override;

  // The init of `id` exits with `code` (the shim writes its record and
  // reports it to the watcher, from the client's thread).
  void Exit(const std::string& id, int code);
  // The shim of `id` dies without an exit record.
  void Vanish(const std::string& id);

  // The next Launch fails with `status`.
  void FailNextLaunch(absl::Status status);
  // Every launched init exits with `code` at once (a crash loop).
  void ExitAtLaunch(int code);
  // Signal and Watch wait `delay`, then answer DEADLINE_EXCEEDED.
  void Wedge(absl::Duration delay);
  // Runs inside every Launch after the first `after` (to hold one open).
  void OnLaunch(int after, std::function<void()> hook);

  // "Launch ID", "Signal ID N", "Watch ID", "KillShim PID", in order.
  std::vector<std::string> calls() const;
  int launches() const;

 private:
  static std::string IdOf(const ContainerPaths& paths);
  // DEADLINE_EXCEEDED after the wedge's delay when wedged.
  absl::Status AnswerUnlessWedged();
  // Logs the call; false once shut down.
  bool Record(const std::string& call);
  void Deliver(const std::string& id,
               const absl::StatusOr<shim::ExitRecord>& exit)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ExitLocked(const std::string& id, int code)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Loop();

  ShimWorld& world_;
  mutable absl::Mutex mu_;
  ExitCallback on_exit_;
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::string> calls_ ABSL_GUARDED_BY(mu_);
  std::set<std::string> watched_ ABSL_GUARDED_BY(mu_);
  std::deque<std::pair<std::string, absl::StatusOr<shim::ExitRecord>>> queue_
      ABSL_GUARDED_BY(mu_);
  std::optional<absl::Status> next_launch_ ABSL_GUARDED_BY(mu_);
  std::optional<int> exit_at_launch_ ABSL_GUARDED_BY(mu_);
  std::optional<absl::Duration> wedged_ ABSL_GUARDED_BY(mu_);
  int launches_ ABSL_GUARDED_BY(mu_) = 0;
  int hook_after_ ABSL_GUARDED_BY(mu_) = 0;
  std::function<void()> launch_hook_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace berth::containerd::testing

#endif  // BERTH_SERVICES_CONTAINERD_TESTING_FAKE_SHIMS_H_
