#include "services/containerd/testing/fake_shims.h"

#include <signal.h>
#include <sys/socket.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace berth::containerd::testing {

FakeShims::FakeShims(ShimWorld& world) : world_(world) {
  thread_ = std::thread([this] { Loop(); });
}

FakeShims::~FakeShims() { Shutdown(); }

std::string FakeShims::IdOf(const ContainerPaths& paths) {
  return paths.state_dir.substr(paths.state_dir.rfind('/') + 1);
}

bool FakeShims::Record(const std::string& call) {
  absl::MutexLock lock(&mu_);
  calls_.push_back(call);
  if (shut_down_) {
    absl::MutexLock world_lock(&world_.mu);
    world_.late_calls.push_back(call);
  }
  return !shut_down_;
}

void FakeShims::SetExitHandler(ExitCallback on_exit) {
  absl::MutexLock lock(&mu_);
  on_exit_ = std::move(on_exit);
}

absl::StatusOr<shim::LaunchedShim> FakeShims::Launch(
    const ContainerPaths& paths) {
  const std::string id = IdOf(paths);
  Record("Launch " + id);
  std::function<void()> hook;
  {
    absl::MutexLock lock(&mu_);
    ++launches_;
    if (launch_hook_ && launches_ > hook_after_) hook = launch_hook_;
  }
  if (hook) hook();
  absl::MutexLock lock(&mu_);
  if (next_launch_.has_value()) {
    absl::Status failure = *next_launch_;
    next_launch_.reset();
    return failure;
  }
  shim::LaunchedShim launched;
  {
    absl::MutexLock world_lock(&world_.mu);
    ShimWorld::Shim& shim = world_.shims[id];
    shim.shim_pid = world_.next_pid++;
    shim.init_pid = world_.next_pid++;
    shim.alive = true;
    shim.exit.reset();
    launched.shim_pid = shim.shim_pid;
    launched.init_pid = shim.init_pid;
  }
  if (exit_at_launch_.has_value()) ExitLocked(id, *exit_at_launch_);
  return launched;
}

absl::Status FakeShims::AnswerUnlessWedged() {
  std::optional<absl::Duration> wedged;
  {
    absl::MutexLock lock(&mu_);
    wedged = wedged_;
  }
  if (!wedged.has_value()) return absl::OkStatus();
  absl::SleepFor(*wedged);
  return absl::DeadlineExceededError("the shim did not answer in time");
}

absl::Status FakeShims::Signal(const ContainerPaths& paths, int signal) {
  const std::string id = IdOf(paths);
  Record(absl::StrCat("Signal ", id, " ", signal));
  RETURN_IF_ERROR(AnswerUnlessWedged());
  absl::MutexLock lock(&mu_);
  {
    absl::MutexLock world_lock(&world_.mu);
    auto it = world_.shims.find(id);
    if (it == world_.shims.end() || !it->second.alive) {
      return absl::UnavailableError("no shim answers");
    }
    if (it->second.exit.has_value()) {
      return absl::FailedPreconditionError("container is not running");
    }
  }
  if (signal == SIGKILL || signal == SIGTERM) ExitLocked(id, 128 + signal);
  return absl::OkStatus();
}

absl::Status FakeShims::Watch(const std::string& id, const ContainerPaths&) {
  if (!Record("Watch " + id)) {
    return absl::FailedPreconditionError("shut down");
  }
  RETURN_IF_ERROR(AnswerUnlessWedged());
  absl::MutexLock lock(&mu_);
  absl::MutexLock world_lock(&world_.mu);
  if (world_.foreign.count(id) != 0) {
    return absl::FailedPreconditionError(
        "the shim speaks protocol 2, this containerd speaks 1");
  }
  auto it = world_.shims.find(id);
  if (it == world_.shims.end() || !it->second.alive ||
      it->second.exit.has_value()) {
    return absl::UnavailableError("no shim answers");
  }
  watched_.insert(id);
  return absl::OkStatus();
}

absl::StatusOr<shim::ExitRecord> FakeShims::ReadExit(
    const ContainerPaths& paths) {
  absl::MutexLock world_lock(&world_.mu);
  auto it = world_.shims.find(IdOf(paths));
  if (it == world_.shims.end() || !it->second.exit.has_value()) {
    return absl::NotFoundError("no exit record");
  }
  return *it->second.exit;
}

namespace {

// A socketpair: its other end goes to the container's streams in `world`.
absl::StatusOr<shim::ShimStream> OpenStream(ShimWorld& world, const std::string& id)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(world.mu) {
  auto it = world.shims.find(id);
  if (it == world.shims.end() || !it->second.alive) {
    return absl::UnavailableError("no shim answers");
  }
  int pair[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
    return absl::InternalError("socketpair failed");
  }
  world.streams[id].push_back(pair[0]);
  shim::ShimStream stream;
  stream.fd = pair[1];
  return stream;
}

}  // namespace

absl::StatusOr<shim::ShimStream> FakeShims::Attach(
    const ContainerPaths& paths, const ::berth::shim::v1::AttachRequest&) {
  const std::string id = IdOf(paths);
  Record("Attach " + id);
  absl::MutexLock world_lock(&world_.mu);
  return OpenStream(world_, id);
}

absl::StatusOr<shim::ShimStream> FakeShims::Exec(
    const ContainerPaths& paths, const ::berth::shim::v1::ExecRequest& request) {
  const std::string id = IdOf(paths);
  Record("Exec " + id);
  absl::MutexLock world_lock(&world_.mu);
  auto it = world_.shims.find(id);
  if (it != world_.shims.end() && it->second.alive) {
    world_.execs[id].push_back(request);
    if (!world_.exec_failure.ok()) {
      return std::exchange(world_.exec_failure, absl::OkStatus());
    }
  }
  absl::StatusOr<shim::ShimStream> stream = OpenStream(world_, id);
  if (stream.ok()) stream->pid = world_.next_pid++;
  return stream;
}

absl::Status FakeShims::KillShim(pid_t shim_pid) {
  Record(absl::StrCat("KillShim ", shim_pid));
  absl::MutexLock lock(&mu_);
  std::string killed;
  {
    absl::MutexLock world_lock(&world_.mu);
    for (auto& [id, shim] : world_.shims) {
      if (shim.shim_pid == shim_pid && shim.alive) {
        shim.alive = false;
        killed = id;
      }
    }
  }
  if (!killed.empty()) {
    Deliver(killed, absl::UnavailableError("the shim went away"));
  }
  return absl::OkStatus();
}

void FakeShims::Shutdown() {
  {
    absl::MutexLock lock(&mu_);
    if (shut_down_) return;
    shut_down_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void FakeShims::Exit(const std::string& id, int code) {
  absl::MutexLock lock(&mu_);
  ExitLocked(id, code);
}

void FakeShims::ExitLocked(const std::string& id, int code) {
  shim::ExitRecord record;
  record.exit_code = code;
  {
    absl::MutexLock world_lock(&world_.mu);
    record.finished_at =
        world_.clock != nullptr ? world_.clock->Now() : absl::Now();
    ShimWorld::Shim& shim = world_.shims[id];
    shim.exit = record;
    shim.alive = false;
  }
  Deliver(id, record);
}

void FakeShims::Vanish(const std::string& id) {
  absl::MutexLock lock(&mu_);
  {
    absl::MutexLock world_lock(&world_.mu);
    world_.shims[id].alive = false;
  }
  Deliver(id, absl::UnavailableError("the shim went away"));
}

void FakeShims::Deliver(const std::string& id,
                        const absl::StatusOr<shim::ExitRecord>& exit) {
  if (watched_.erase(id) == 0) return;
  queue_.emplace_back(id, exit);
}

void FakeShims::FailNextLaunch(absl::Status status) {
  absl::MutexLock lock(&mu_);
  next_launch_ = std::move(status);
}

void FakeShims::ExitAtLaunch(int code) {
  absl::MutexLock lock(&mu_);
  exit_at_launch_ = code;
}

void FakeShims::Wedge(absl::Duration delay) {
  absl::MutexLock lock(&mu_);
  wedged_ = delay;
}

void FakeShims::OnLaunch(int after, std::function<void()> hook) {
  absl::MutexLock lock(&mu_);
  hook_after_ = after;
  launch_hook_ = std::move(hook);
}

std::vector<std::string> FakeShims::calls() const {
  absl::MutexLock lock(&mu_);
  return calls_;
}

int FakeShims::launches() const {
  absl::MutexLock lock(&mu_);
  return launches_;
}

void FakeShims::Loop() {
  while (true) {
    std::pair<std::string, absl::StatusOr<shim::ExitRecord>> next;
    ExitCallback callback;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]() {
        mu_.AssertHeld();
        return shut_down_ || !queue_.empty();
      };
      mu_.Await(absl::Condition(&ready));
      if (shut_down_) return;
      next = std::move(queue_.front());
      queue_.pop_front();
      callback = on_exit_;
    }
    if (callback) callback(next.first, next.second);
  }
}

}  // namespace berth::containerd::testing
