// The fixture of containerd's supervisor tests: a ContainerSupervisor
// over fake shims, images, cgroups and time, with a real store, that a test
// can open again over the same store and "worlds" (as containerd restarts
// while shims and imaged run on).
#ifndef BERTH_SERVICES_CONTAINERD_TESTING_SUPERVISOR_FIXTURE_H_
#define BERTH_SERVICES_CONTAINERD_TESTING_SUPERVISOR_FIXTURE_H_

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "common/fs_util.h"
#include "gtest/gtest.h"
#include "services/containerd/cgroups/fake_cgroup_driver.h"
#include "services/containerd/container_supervisor.h"
#include "services/containerd/testing/fake_images.h"
#include "services/containerd/testing/fake_networks.h"
#include "services/containerd/testing/fake_shims.h"
#include "services/containerd/testing/fake_time.h"
#include "spdlog/sinks/null_sink.h"

namespace berth::containerd {

// Forwards to a driver the test keeps (the supervisor owns what the factory
// returns).
class SharedCgroups final : public cgroups::CgroupDriver {
 public:
  explicit SharedCgroups(cgroups::FakeCgroupDriver& fake) : fake_(fake) {}
  std::string Version() const override { return fake_.Version(); }
  absl::Status Create(const std::string& id, const cgroups::Limits& l) override {
    return fake_.Create(id, l);
  }
  absl::Status AddProcess(const std::string& id, pid_t pid) override {
    return fake_.AddProcess(id, pid);
  }
  absl::Status Update(const std::string& id, const cgroups::Limits& l) override {
    return fake_.Update(id, l);
  }
  absl::StatusOr<bool> OomKilled(const std::string& id) override {
    return fake_.OomKilled(id);
  }
  absl::StatusOr<cgroups::CgroupStats> Stats(const std::string& id) override {
    return fake_.Stats(id);
  }
  absl::StatusOr<std::vector<pid_t>> Pids(const std::string& id) override {
    return fake_.Pids(id);
  }
  absl::Status Freeze(const std::string& id) override { return fake_.Freeze(id); }
  absl::Status Thaw(const std::string& id) override { return fake_.Thaw(id); }
  absl::StatusOr<bool> Frozen(const std::string& id) override {
    return fake_.Frozen(id);
  }
  std::vector<std::string> DiscardUnsupported(cgroups::Limits* l) override {
    return fake_.DiscardUnsupported(l);
  }
  absl::Status Remove(const std::string& id) override { return fake_.Remove(id); }
  absl::StatusOr<bool> Exists(const std::string& id) override {
    return fake_.Exists(id);
  }

 private:
  cgroups::FakeCgroupDriver& fake_;
};

class SupervisorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::string> dir = MakeTempDir("/tmp", "supervisor-test-");
    ASSERT_TRUE(dir.ok()) << dir.status();
    dir_ = *dir;
    auto store = Store::Open(dir_ + "/db", ContainerdSchema());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    absl::MutexLock lock(&world_.mu);
    world_.clock = &clock_;
  }
  void TearDown() override {
    CloseShimStreams();
    supervisor_.reset();
    store_.reset();
    EXPECT_TRUE(RemoveTree(dir_).ok());
  }

  // The shim's end of the first attach or exec stream of `id`, once there
  // is one (-1 after 5 s).
  int ShimStreamEnd(const std::string& id) {
    for (int i = 0; i < 2500; ++i) {
      {
        absl::MutexLock lock(&world_.mu);
        auto it = world_.streams.find(id);
        if (it != world_.streams.end() && !it->second.empty()) {
          return it->second.front();
        }
      }
      absl::SleepFor(absl::Milliseconds(2));
    }
    return -1;
  }
  void CloseShimStreams() {
    absl::MutexLock lock(&world_.mu);
    for (auto& [id, fds] : world_.streams) {
      for (int fd : fds) close(fd);
    }
    world_.streams.clear();
  }

  // Opens a supervisor (again) over the same store and shim world.
  void Open(std::unique_ptr<Scheduler> scheduler = nullptr) {
    supervisor_.reset();
    SupervisorDeps deps;
    auto images = std::make_unique<testing::FakeImages>(image_world_);
    images_ = images.get();
    deps.images = std::move(images);
    deps.netd = std::make_unique<testing::FakeNetd>(network_world_);
    deps.netns = std::make_unique<testing::FakeNetns>(network_world_);
    auto shims = std::make_unique<testing::FakeShims>(world_);
    shims_ = shims.get();
    deps.shims = std::move(shims);
    deps.cgroups = [this](const std::string& parent)
        -> absl::StatusOr<std::unique_ptr<cgroups::CgroupDriver>> {
      return std::make_unique<SharedCgroups>(cgroups_[parent]);
    };
    if (scheduler == nullptr) {
      auto manual = std::make_unique<testing::ManualScheduler>();
      scheduler_ = manual.get();
      deps.scheduler = std::move(manual);
    } else {
      scheduler_ = nullptr;
      deps.scheduler = std::move(scheduler);
    }
    deps.clock = &clock_;
    // The fake shims' pids are made up: they live until told otherwise.
    deps.process_alive = [this](pid_t pid) {
      absl::MutexLock lock(&world_.mu);
      return world_.gone_pids.count(pid) == 0;
    };
    deps.commands = std::move(commands_);  // the real runner when unset
    deps.host_stats = std::move(host_stats_);  // /proc when unset
    if (!rootfs_dir_.empty()) {
      // Every container's root filesystem is this directory.
      deps.open_rootfs = [this](const container::v1::Container&,
                                files::RootfsView, bool)
          -> absl::StatusOr<tree_archive::Fd> {
        const int fd = open(rootfs_dir_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) return absl::NotFoundError(rootfs_dir_);
        return tree_archive::Fd(fd);
      };
    }
    SupervisorOptions options;
    options.containers_dir = dir_ + "/containers";
    options.shims_dir = dir_ + "/shims";
    options.shim_path = "/nonexistent/berth-shim";
    options.stats_interval = stats_interval_;
    options.stats_window = stats_window_;
    auto supervisor = ContainerSupervisor::Open(*store_, log_, std::move(deps),
                                                options);
    ASSERT_TRUE(supervisor.ok()) << supervisor.status();
    supervisor_ = *std::move(supervisor);
    // Recovery first posts its sweep of unrecorded snapshots: run it, so a
    // test sees only the tasks it caused.
    if (scheduler_ != nullptr) scheduler_->RunOldest();
  }

  std::string Create(container::v1::RestartPolicy::Name policy = container::v1::RestartPolicy::NAME_NO,
                     int retries = 0, const std::string& cgroup_parent = "") {
    container::v1::CreateContainerRequest request;
    request.mutable_config()->set_image("busybox");
    request.mutable_host_config()->mutable_restart_policy()->set_name(policy);
    request.mutable_host_config()->mutable_restart_policy()
        ->set_maximum_retry_count(retries);
    request.mutable_host_config()->set_cgroup_parent(cgroup_parent);
    auto created = supervisor_->Create(request);
    EXPECT_TRUE(created.ok()) << created.status();
    return created.ok() ? created->id() : "";
  }

  container::v1::Container Inspect(const std::string& id) {
    auto container = supervisor_->Inspect(id);
    EXPECT_TRUE(container.ok()) << container.status();
    return container.value_or(container::v1::Container());
  }
  // A commit request for container `id` as `reference`, imaged knowing the
  // container's image (a commit reads its size).
  container::v1::CommitContainerRequest CommitOf(const std::string& id,
                                                 const std::string& reference) {
    {
      absl::MutexLock lock(&image_world_.mu);
      image_world_.image_sizes[Inspect(id).image_id()] = 1;
    }
    container::v1::CommitContainerRequest request;
    request.set_id(id);
    request.set_reference(reference);
    return request;
  }
  container::v1::ContainerStatus StatusOf(const std::string& id) {
    return Inspect(id).state().status();
  }
  // Waits (briefly) until the exit reported by the fake shim is recorded,
  // and for a restart, until it is scheduled too (the task is posted just
  // after the record is written).
  void AwaitStatus(const std::string& id, container::v1::ContainerStatus want) {
    for (int i = 0; i < 500 && StatusOf(id) != want; ++i) {
      absl::SleepFor(absl::Milliseconds(2));
    }
    ASSERT_EQ(StatusOf(id), want);
    if (want == container::v1::CONTAINER_STATUS_RESTARTING &&
        scheduler_ != nullptr) {
      for (int i = 0; i < 500 && scheduler_->PendingCount() == 0; ++i) {
        absl::SleepFor(absl::Milliseconds(2));
      }
    }
  }
  // The container's record as stored (not the copy in memory).
  container::v1::Container Stored(const std::string& id) {
    auto records = ContainerRecords::Load(*store_);
    EXPECT_TRUE(records.ok()) << records.status();
    auto container = (*records)->Get(id);
    EXPECT_TRUE(container.ok()) << container.status();
    return container.value_or(container::v1::Container());
  }

  // A stop that waits out a long timeout in its own thread (SIGUSR1 does
  // not end a fake container); returned once the shim got the signal.
  struct LongStop {
    absl::Notification done;
    absl::Status status;
    std::thread thread;
  };
  std::unique_ptr<LongStop> StartLongStop(const std::string& id) {
    auto stop = std::make_unique<LongStop>();
    LongStop* raw = stop.get();
    stop->thread = std::thread([this, raw, id] {
      raw->status = supervisor_->Stop(id, 100000, "SIGUSR1");
      raw->done.Notify();
    });
    for (int i = 0; i < 500; ++i) {
      const std::vector<std::string> calls = shims_->calls();
      if (std::find(calls.begin(), calls.end(), "Signal " + id + " 10") !=
          calls.end()) {
        break;
      }
      absl::SleepFor(absl::Milliseconds(2));
    }
    return stop;
  }

  // A live shim with a running init for `id`, as Launch leaves one.
  void ShimWorldShim(const std::string& id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(world_.mu) {
    testing::ShimWorld::Shim& shim = world_.shims[id];
    shim.shim_pid = world_.next_pid++;
    shim.init_pid = world_.next_pid++;
    shim.alive = true;
    shim.exit.reset();
  }

  std::string dir_;
  // When set before Open: the root filesystem cp and export see.
  std::string rootfs_dir_;
  std::unique_ptr<Store> store_;
  spdlog::logger log_{"test", std::make_shared<spdlog::sinks::null_sink_mt>()};
  testing::ShimWorld world_;
  testing::ImageWorld image_world_;
  testing::NetworkWorld network_world_;
  std::map<std::string, cgroups::FakeCgroupDriver> cgroups_;
  testing::FakeClock clock_;
  testing::FakeImages* images_ = nullptr;
  testing::FakeShims* shims_ = nullptr;
  testing::ManualScheduler* scheduler_ = nullptr;
  std::unique_ptr<ContainerSupervisor> supervisor_;
  // Given to the next Open as its CommandRunner (ps for `top`).
  std::unique_ptr<CommandRunner> commands_;
  // For the next Open: the host's side of `stats` and its interval.
  std::unique_ptr<stats::HostStats> host_stats_;
  absl::Duration stats_interval_ = absl::Seconds(1);
  absl::Duration stats_window_ = absl::Milliseconds(10);
};

}  // namespace berth::containerd

#endif  // BERTH_SERVICES_CONTAINERD_TESTING_SUPERVISOR_FIXTURE_H_
