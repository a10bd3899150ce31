// The real drivers on the host's cgroups (root only). Every test works under
// the parent "berth-test-<pid>", removed in TearDown whatever happened.
#include "services/containerd/cgroups/cgroups.h"

#include <linux/magic.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/fs_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/containerd/cgroups/cgroup_test_util.h"

namespace berth::containerd::cgroups {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

constexpr int64_t kMiB = 1024 * 1024;

bool DirExists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// Polls waitpid; returns the wait status, or -1 on timeout.
int WaitExit(pid_t pid, absl::Duration timeout) {
  absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    int status;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return status;
    if (r < 0) return -1;
    absl::SleepFor(absl::Milliseconds(10));
  }
  return -1;
}

// A child blocked on a pipe until Go(), so the test can move it into a cgroup
// before it does anything. `body` runs in the child; its result is the exit
// code.
class Child {
 public:
  template <typename Body>
  explicit Child(Body body) {
    if (pipe(fds_) != 0) abort();
    pid_ = fork();
    if (pid_ == 0) {
      close(fds_[1]);
      char byte;
      if (read(fds_[0], &byte, 1) != 1) _exit(100);
      _exit(body());
    }
    close(fds_[0]);
  }
  ~Child() {
    close(fds_[1]);
    if (pid_ > 0 && !reaped_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  pid_t pid() const { return pid_; }
  void Go() {
    if (write(fds_[1], "x", 1) != 1) ADD_FAILURE() << "pipe write failed";
  }
  // The wait status, or -1 if the child did not exit within `timeout`.
  int Wait(absl::Duration timeout = absl::Seconds(20)) {
    int status = WaitExit(pid_, timeout);
    if (status != -1) reaped_ = true;
    return status;
  }

 private:
  int fds_[2];
  pid_t pid_ = -1;
  bool reaped_ = false;
};

int SleepForever() {
  while (true) pause();
}

// Runs every test on the host's layout at /sys/fs/cgroup and, on a hybrid
// host, on the v2 driver over its cgroup2 mount at /sys/fs/cgroup/unified
// (no controllers there: tests needing one skip).
class CgroupsTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root";
    kMountRoot = GetParam();
    if (!DirExists(kMountRoot + "/")) GTEST_SKIP() << "no " << kMountRoot;
    parent_ = absl::StrCat("berth-test-", getpid());
    absl::StatusOr<std::unique_ptr<CgroupDriver>> driver =
        DetectCgroupDriver(parent_, kMountRoot);
    ASSERT_TRUE(driver.ok()) << driver.status();
    driver_ = std::move(*driver);
  }

  void TearDown() override {
    if (driver_ == nullptr) return;
    for (const std::string& id : ids_) {
      absl::Status status = driver_->Remove(id);
      EXPECT_TRUE(status.ok()) << status;
    }
    // Independent of the driver, in case Remove itself is what failed.
    for (const std::string& dir : ParentDirs()) ForceRemove(dir);
  }

  // Kills what is left in `dir` and its children, then removes them.
  static void ForceRemove(const std::string& dir) {
    absl::StatusOr<std::vector<std::string>> names = ListDir(dir);
    if (!names.ok()) return;
    for (const std::string& name : *names) {
      std::string child = absl::StrCat(dir, "/", name);
      if (DirExists(child)) ForceRemove(child);
    }
    absl::Time deadline = absl::Now() + absl::Seconds(5);
    while (rmdir(dir.c_str()) != 0) {
      if (errno == ENOENT) return;
      if (errno != EBUSY || absl::Now() > deadline) {
        ADD_FAILURE() << "rmdir " << dir << ": " << strerror(errno);
        return;
      }
      std::string procs = ReadTrimmed(dir + "/cgroup.procs");
      for (absl::string_view line : absl::StrSplit(procs, '\n')) {
        int pid;
        if (absl::SimpleAtoi(line, &pid) && pid > 1) kill(pid, SIGKILL);
      }
      if (access((dir + "/freezer.state").c_str(), F_OK) == 0) {
        FILE* state = fopen((dir + "/freezer.state").c_str(), "w");
        if (state != nullptr) {
          fputs("THAWED", state);
          fclose(state);
        }
      }
      absl::SleepFor(absl::Milliseconds(10));
    }
  }

  // Every directory named parent_ right under a hierarchy root.
  std::vector<std::string> ParentDirs() const {
    std::vector<std::string> dirs;
    if (driver_->Version() == "v2") {
      dirs.push_back(absl::StrCat(kMountRoot, "/", parent_));
      return dirs;
    }
    absl::StatusOr<std::vector<std::string>> names = ListDir(kMountRoot);
    if (!names.ok()) return dirs;
    for (const std::string& name : *names) {
      std::string dir = absl::StrCat(kMountRoot, "/", name, "/", parent_);
      if (DirExists(dir)) dirs.push_back(dir);
    }
    return dirs;
  }

  bool V1() const { return driver_->Version() == "v1"; }

  // False (the test should skip) on a v2 tree without `controller`.
  bool HasController(const std::string& controller) const {
    if (V1()) return true;
    std::string available = ReadTrimmed(kMountRoot + "/cgroup.controllers");
    for (absl::string_view name : absl::StrSplit(available, ' ')) {
      if (name == controller) return true;
    }
    return false;
  }

  // The cgroup directory of `id` for `controller` (ignored on v2).
  std::string Dir(const std::string& controller, const std::string& id) const {
    if (V1()) {
      return absl::StrCat(kMountRoot, "/", controller, "/", parent_, "/", id);
    }
    return absl::StrCat(kMountRoot, "/", parent_, "/", id);
  }

  std::string Read(const std::string& controller, const std::string& id,
                   const std::string& file) const {
    return ReadTrimmed(Dir(controller, id) + "/" + file);
  }

  absl::Status Create(const std::string& id, const Limits& limits = Limits()) {
    ids_.push_back(id);
    return driver_->Create(id, limits);
  }

  std::string kMountRoot;
  std::string parent_;
  std::unique_ptr<CgroupDriver> driver_;
  std::vector<std::string> ids_;
};

TEST_P(CgroupsTest, DetectsTheLayout) {
  struct statfs fs;
  ASSERT_EQ(statfs(kMountRoot.c_str(), &fs), 0);
  EXPECT_EQ(driver_->Version(), fs.f_type == CGROUP2_SUPER_MAGIC ? "v2" : "v1");
}

TEST_P(CgroupsTest, DetectRejectsBadInput) {
  EXPECT_EQ(DetectCgroupDriver("../escape").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DetectCgroupDriver("").status().code(),
            absl::StatusCode::kInvalidArgument);
  absl::StatusOr<std::unique_ptr<CgroupDriver>> none =
      DetectCgroupDriver("berth", "/proc/self");
  EXPECT_EQ(none.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(none.status().message()), HasSubstr("/proc/self"));
  EXPECT_EQ(DetectCgroupDriver("berth", "/nonexistent").status().code(),
            absl::StatusCode::kNotFound);
}

TEST_P(CgroupsTest, CreateWritesTheLimits) {
  if (!HasController("memory") || !HasController("cpu") ||
      !HasController("pids") || !HasController("cpuset"))
    GTEST_SKIP() << "controller missing";
  Limits limits;
  limits.memory_bytes = 32 * kMiB;
  limits.nano_cpus = 1500000000;
  limits.cpu_shares = 512;
  limits.pids_limit = 100;
  limits.cpuset_cpus = "0";
  ASSERT_TRUE(Create("limits", limits).ok());
  EXPECT_TRUE(*driver_->Exists("limits"));
  if (V1()) {
    EXPECT_EQ(Read("memory", "limits", "memory.limit_in_bytes"), "33554432");
    if (access(
            (Dir("memory", "limits") + "/memory.memsw.limit_in_bytes").c_str(),
            F_OK) == 0) {
      // Docker's default: swap as large as the memory, i.e. 2x in total.
      EXPECT_EQ(Read("memory", "limits", "memory.memsw.limit_in_bytes"),
                "67108864");
    }
    EXPECT_EQ(Read("cpu", "limits", "cpu.cfs_period_us"), "100000");
    EXPECT_EQ(Read("cpu", "limits", "cpu.cfs_quota_us"), "150000");
    EXPECT_EQ(Read("cpu", "limits", "cpu.shares"), "512");
    EXPECT_EQ(Read("pids", "limits", "pids.max"), "100");
    EXPECT_EQ(Read("cpuset", "limits", "cpuset.cpus"), "0");
    EXPECT_EQ(Read("cpuset", "limits", "cpuset.mems"),
              ReadTrimmed(absl::StrCat(kMountRoot, "/cpuset/cpuset.mems")));
    for (const char* controller : {"freezer", "cpuacct", "blkio", "devices"}) {
      EXPECT_TRUE(DirExists(Dir(controller, "limits"))) << controller;
    }
  } else {
    EXPECT_EQ(Read("", "limits", "memory.max"), "33554432");
    EXPECT_EQ(Read("", "limits", "cpu.max"), "150000 100000");
    EXPECT_EQ(Read("", "limits", "cpu.weight"),
              absl::StrCat(CpuSharesToWeight(512)));
    EXPECT_EQ(Read("", "limits", "pids.max"), "100");
    EXPECT_EQ(Read("", "limits", "cpuset.cpus"), "0");
  }
  EXPECT_EQ(Create("limits", limits).code(), absl::StatusCode::kAlreadyExists);
}

// --memory 8191p: twice the limit (Docker's default swap) overflowed into a
// negative swap limit, refused by the kernel. It means no swap limit.
TEST_P(CgroupsTest, HugeMemoryLimitHasNoOverflowingSwapLimit) {
  if (!HasController("memory")) GTEST_SKIP() << "controller missing";
  Limits limits;
  limits.memory_bytes = int64_t{8191} << 50;
  absl::Status created = Create("huge", limits);
  ASSERT_TRUE(created.ok()) << created;
  if (V1()) {
    const std::string memsw =
        Dir("memory", "huge") + "/memory.memsw.limit_in_bytes";
    if (access(memsw.c_str(), F_OK) == 0) {
      // The kernel's "unlimited", page-aligned: far above the memory limit.
      const std::string value =
          Read("memory", "huge", "memory.memsw.limit_in_bytes");
      EXPECT_GT(value.size(), 18u) << value;
    }
  } else {
    EXPECT_EQ(Read("", "huge", "memory.swap.max"), "max");
  }
}

TEST_P(CgroupsTest, DeviceAllowlistReplacesAllDevices) {
  if (!V1() || !HasController("devices")) GTEST_SKIP() << "v1 devices only";
  Limits limits;
  limits.restrict_devices = true;
  ASSERT_TRUE(Create("devs", limits).ok());
  const std::string list = Read("devices", "devs", "devices.list");
  EXPECT_EQ(list.find("a *:* rwm"), std::string::npos) << list;
  EXPECT_NE(list.find("c 1:3 rwm"), std::string::npos) << list;
  EXPECT_NE(list.find("b *:* m"), std::string::npos) << list;
  // Without the flag (--privileged) every device stays allowed.
  ASSERT_TRUE(Create("all").ok());
  EXPECT_EQ(Read("devices", "all", "devices.list"), "a *:* rwm");
}

// v1 through the devices controller, v2 through the eBPF program.
TEST_P(CgroupsTest, DeviceAllowlistIsEnforced) {
  if (V1() && !HasController("devices")) GTEST_SKIP() << "no devices controller";
  char dir_template[] = "/tmp/berth-devices-XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  const std::string dir = dir_template;
  const std::string null_node = dir + "/null", kmsg_node = dir + "/kmsg";
  ASSERT_EQ(mknod(null_node.c_str(), S_IFCHR | 0666, makedev(1, 3)), 0);
  ASSERT_EQ(mknod(kmsg_node.c_str(), S_IFCHR | 0600, makedev(1, 11)), 0);
  Limits limits;
  limits.restrict_devices = true;
  ASSERT_TRUE(Create("devices", limits).ok());
  Child child([&]() {
    int fd = open(null_node.c_str(), O_WRONLY);
    if (fd < 0) return 1;  // an allowed device was refused
    close(fd);
    fd = open(kmsg_node.c_str(), O_WRONLY);
    if (fd >= 0) return 2;  // a device outside the list was opened
    return errno == EPERM ? 0 : 3;
  });
  ASSERT_TRUE(driver_->AddProcess("devices", child.pid()).ok());
  child.Go();
  const int status = child.Wait();
  EXPECT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 0);
  unlink(null_node.c_str());
  unlink(kmsg_node.c_str());
  rmdir(dir.c_str());
}

TEST_P(CgroupsTest, CreateWithoutLimitsInheritsCpuset) {
  ASSERT_TRUE(Create("plain").ok());
  if (V1()) {
    EXPECT_EQ(Read("cpuset", "plain", "cpuset.cpus"),
              ReadTrimmed(absl::StrCat(kMountRoot, "/cpuset/cpuset.cpus")));
    EXPECT_EQ(Read("pids", "plain", "pids.max"), "max");
  }
  // A process can join (an empty cpuset would refuse it with ENOSPC).
  Child child(SleepForever);
  ASSERT_TRUE(driver_->AddProcess("plain", child.pid()).ok());
}

TEST_P(CgroupsTest, FailedCreateLeavesNothing) {
  if (!HasController("cpuset")) GTEST_SKIP() << "controller missing";
  Limits limits;
  limits.cpuset_cpus = "4095";  // no such CPU
  absl::Status status = Create("badcpu", limits);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr("cpuset.cpus"));
  EXPECT_FALSE(*driver_->Exists("badcpu"));

  Limits tiny;
  tiny.memory_bytes = 1024;
  EXPECT_EQ(Create("tiny", tiny).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(*driver_->Exists("tiny"));
  EXPECT_EQ(driver_->Create("a/b", Limits()).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(CgroupsTest, LimitWithoutItsControllerIsRefused) {
  if (HasController("memory")) GTEST_SKIP() << "the memory controller exists";
  Limits limits;
  limits.memory_bytes = 32 * kMiB;
  absl::Status status = Create("nomem", limits);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr("--memory"));
  EXPECT_FALSE(*driver_->Exists("nomem"));
}

TEST_P(CgroupsTest, UpdateChangesOnlyTheGivenLimits) {
  if (!HasController("memory") || !HasController("cpu") ||
      !HasController("pids"))
    GTEST_SKIP() << "controller missing";
  Limits limits;
  limits.memory_bytes = 32 * kMiB;
  limits.pids_limit = 10;
  ASSERT_TRUE(Create("upd", limits).ok());
  Limits update;
  update.memory_bytes = 128 * kMiB;  // above the old memory+swap total
  update.memory_swap_bytes = 256 * kMiB;
  update.nano_cpus = 500000000;
  ASSERT_TRUE(driver_->Update("upd", update).ok());
  if (V1()) {
    EXPECT_EQ(Read("memory", "upd", "memory.limit_in_bytes"),
              absl::StrCat(128 * kMiB));
    EXPECT_EQ(Read("cpu", "upd", "cpu.cfs_quota_us"), "50000");
    EXPECT_EQ(Read("pids", "upd", "pids.max"), "10");
  } else {
    EXPECT_EQ(Read("", "upd", "memory.max"), absl::StrCat(128 * kMiB));
    EXPECT_EQ(Read("", "upd", "cpu.max"), "50000 100000");
    EXPECT_EQ(Read("", "upd", "pids.max"), "10");
  }
  Limits unlimited;
  unlimited.memory_bytes = -1;
  unlimited.memory_swap_bytes = -1;
  unlimited.nano_cpus = -1;
  unlimited.pids_limit = -1;
  ASSERT_TRUE(driver_->Update("upd", unlimited).ok());
  absl::StatusOr<CgroupStats> stats = driver_->Stats("upd");
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(stats->memory_limit_bytes, 0);
  EXPECT_EQ(Read("pids", "upd", "pids.max"), "max");
  EXPECT_EQ(driver_->Update("missing", update).code(),
            absl::StatusCode::kNotFound);
}

TEST_P(CgroupsTest, AddProcessShowsInPids) {
  ASSERT_TRUE(Create("pids").ok());
  Child child(SleepForever);
  ASSERT_TRUE(driver_->AddProcess("pids", child.pid()).ok());
  absl::StatusOr<std::vector<pid_t>> pids = driver_->Pids("pids");
  ASSERT_TRUE(pids.ok()) << pids.status();
  EXPECT_THAT(*pids, Contains(child.pid()));
  EXPECT_EQ(pids->size(), 1u);
  if (V1()) {  // every hierarchy, not just one
    for (const char* controller : {"memory", "cpu", "freezer", "cpuset"}) {
      EXPECT_EQ(Read(controller, "pids", "cgroup.procs"),
                absl::StrCat(child.pid()))
          << controller;
    }
  }
  EXPECT_EQ(driver_->AddProcess("missing", child.pid()).code(),
            absl::StatusCode::kNotFound);
  EXPECT_FALSE(driver_->AddProcess("pids", 999999999).ok());
}

// A v1 container's processes must also leave the host's cgroup in the
// controller-less hierarchies, or a private cgroup namespace would be rooted
// at the host's cgroup there and its mounts would show the host's tree.
TEST_P(CgroupsTest, V1JoinsTheControllerLessHierarchies) {
  if (!V1()) GTEST_SKIP() << "v2 has one hierarchy";
  ASSERT_TRUE(Create("extra").ok());
  Child child(SleepForever);
  ASSERT_TRUE(driver_->AddProcess("extra", child.pid()).ok());
  int checked = 0;
  for (const char* dir : {"systemd", "unified"}) {
    const std::string root = absl::StrCat(kMountRoot, "/", dir);
    struct statfs fs;
    if (statfs(root.c_str(), &fs) != 0) continue;
    if (fs.f_type != CGROUP_SUPER_MAGIC && fs.f_type != CGROUP2_SUPER_MAGIC) {
      continue;
    }
    ++checked;
    EXPECT_EQ(ReadTrimmed(absl::StrCat(root, "/", parent_, "/extra/cgroup.procs")),
              absl::StrCat(child.pid()))
        << dir;
  }
  if (checked == 0) GTEST_SKIP() << "no systemd or unified hierarchy here";
  ASSERT_TRUE(driver_->Remove("extra").ok());
  for (const char* dir : {"systemd", "unified"}) {
    EXPECT_FALSE(DirExists(absl::StrCat(kMountRoot, "/", dir, "/", parent_, "/extra")))
        << dir;
  }
}

TEST_P(CgroupsTest, MemoryHogIsOomKilled) {
  if (!HasController("memory")) GTEST_SKIP() << "controller missing";
  Limits limits;
  limits.memory_bytes = 16 * kMiB;
  ASSERT_TRUE(Create("oom", limits).ok());
  EXPECT_FALSE(*driver_->OomKilled("oom"));
  Child child([] {
    const size_t size = 64 * kMiB;
    char* p = static_cast<char*>(malloc(size));
    if (p == nullptr) return 2;
    for (size_t i = 0; i < size; i += 4096) p[i] = 1;
    return 0;
  });
  ASSERT_TRUE(driver_->AddProcess("oom", child.pid()).ok());
  child.Go();
  int status = child.Wait();
  ASSERT_NE(status, -1) << "the memory hog did not finish";
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << "wait status " << status;
  absl::StatusOr<bool> killed = driver_->OomKilled("oom");
  ASSERT_TRUE(killed.ok()) << killed.status();
  EXPECT_TRUE(*killed);
}

TEST_P(CgroupsTest, PidsLimitStopsForks) {
  if (!HasController("pids")) GTEST_SKIP() << "controller missing";
  Limits limits;
  limits.pids_limit = 5;
  ASSERT_TRUE(Create("forks", limits).ok());
  // Exit code: forks that succeeded, +100 if a fork failed with EAGAIN.
  Child child([] {
    int forked = 0;
    for (int i = 0; i < 10; ++i) {
      pid_t pid = fork();
      if (pid == 0) SleepForever();
      if (pid < 0) return forked + (errno == EAGAIN ? 100 : 0);
      ++forked;
    }
    return forked;
  });
  ASSERT_TRUE(driver_->AddProcess("forks", child.pid()).ok());
  child.Go();
  int status = child.Wait();
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 104);  // itself + 4 children = 5
  // The orphaned grandchildren stay in the cgroup until Remove kills them.
  absl::StatusOr<std::vector<pid_t>> pids = driver_->Pids("forks");
  ASSERT_TRUE(pids.ok());
  EXPECT_EQ(pids->size(), 4u);
  ASSERT_TRUE(driver_->Remove("forks").ok());
  EXPECT_FALSE(*driver_->Exists("forks"));
}

TEST_P(CgroupsTest, FreezeStopsAndThawResumes) {
  ASSERT_TRUE(Create("freeze").ok());
  auto* counter = static_cast<std::atomic<int64_t>*>(
      mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
           -1, 0));
  ASSERT_NE(counter, MAP_FAILED);
  counter->store(0);
  Child child([counter] {
    while (true) counter->fetch_add(1);
    return 0;
  });
  ASSERT_TRUE(driver_->AddProcess("freeze", child.pid()).ok());
  child.Go();
  absl::SleepFor(absl::Milliseconds(50));
  ASSERT_GT(counter->load(), 0);

  ASSERT_TRUE(driver_->Freeze("freeze").ok());
  if (V1()) {
    EXPECT_EQ(Read("freezer", "freeze", "freezer.state"), "FROZEN");
  } else {
    EXPECT_THAT(Read("", "freeze", "cgroup.events"), HasSubstr("frozen 1"));
  }
  EXPECT_TRUE(driver_->Frozen("freeze").value_or(false));
  int64_t frozen_at = counter->load();
  absl::SleepFor(absl::Milliseconds(200));
  EXPECT_EQ(counter->load(), frozen_at) << "the child kept running";

  ASSERT_TRUE(driver_->Thaw("freeze").ok());
  EXPECT_FALSE(driver_->Frozen("freeze").value_or(true));
  absl::SleepFor(absl::Milliseconds(200));
  EXPECT_GT(counter->load(), frozen_at) << "the child did not resume";

  // Remove must also work on a frozen cgroup.
  ASSERT_TRUE(driver_->Freeze("freeze").ok());
  ASSERT_TRUE(driver_->Remove("freeze").ok());
  int status = child.Wait(absl::Seconds(5));
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;
  munmap(counter, 4096);
}

TEST_P(CgroupsTest, RemoveKillsAndDeletes) {
  ASSERT_TRUE(Create("rm").ok());
  Child a(SleepForever);
  Child b(SleepForever);
  ASSERT_TRUE(driver_->AddProcess("rm", a.pid()).ok());
  ASSERT_TRUE(driver_->AddProcess("rm", b.pid()).ok());
  std::vector<std::string> dirs = {Dir("memory", "rm"), Dir("pids", "rm"),
                                   Dir("freezer", "rm"), Dir("cpuset", "rm")};
  ASSERT_TRUE(driver_->Remove("rm").ok());
  for (Child* child : {&a, &b}) {
    int status = child->Wait(absl::Seconds(5));
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;
  }
  for (const std::string& dir : dirs) EXPECT_FALSE(DirExists(dir)) << dir;
  EXPECT_FALSE(*driver_->Exists("rm"));
  EXPECT_EQ(driver_->Pids("rm").status().code(), absl::StatusCode::kNotFound);
}

TEST_P(CgroupsTest, RemoveIsIdempotent) {
  EXPECT_TRUE(driver_->Remove("never-created").ok());
  ASSERT_TRUE(Create("twice").ok());
  EXPECT_TRUE(driver_->Remove("twice").ok());
  EXPECT_TRUE(driver_->Remove("twice").ok());
}

TEST_P(CgroupsTest, RemoveTakesNestedCgroups) {
  ASSERT_TRUE(Create("nested").ok());
  Child child(SleepForever);
  std::string inner = Dir("memory", "nested") + "/inner";
  ASSERT_EQ(mkdir(inner.c_str(), 0755), 0) << strerror(errno);
  FILE* procs = fopen((inner + "/cgroup.procs").c_str(), "w");
  ASSERT_NE(procs, nullptr);
  fprintf(procs, "%d", child.pid());
  ASSERT_EQ(fclose(procs), 0);
  ASSERT_TRUE(driver_->Remove("nested").ok());
  int status = child.Wait(absl::Seconds(5));
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;
  EXPECT_FALSE(DirExists(inner));
}

TEST_P(CgroupsTest, StatsOfALiveChild) {
  if (!HasController("memory")) GTEST_SKIP() << "controller missing";
  Limits limits;
  limits.memory_bytes = 64 * kMiB;
  ASSERT_TRUE(Create("stats", limits).ok());
  Child child([] {
    const size_t size = 8 * kMiB;
    char* p = static_cast<char*>(malloc(size));
    if (p != nullptr) memset(p, 1, size);
    SleepForever();
    return 0;
  });
  ASSERT_TRUE(driver_->AddProcess("stats", child.pid()).ok());
  child.Go();
  absl::StatusOr<CgroupStats> stats;
  // Wait until the child has touched its memory.
  for (int i = 0; i < 200; ++i) {
    stats = driver_->Stats("stats");
    ASSERT_TRUE(stats.ok()) << stats.status();
    if (stats->memory_usage_bytes >= 8 * kMiB) break;
    absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_GE(stats->memory_usage_bytes, 8 * kMiB);
  EXPECT_EQ(stats->memory_limit_bytes, 64 * kMiB);
  EXPECT_GT(stats->cpu_usage_ns, 0);
  EXPECT_EQ(stats->pids_current, 1);
  EXPECT_EQ(driver_->Stats("missing").status().code(),
            absl::StatusCode::kNotFound);
}

// Docker's rule: a private cgroup namespace by default on a pure v2 host
// only; v1, the hybrid layout and a host without cgroups get "host".
TEST(DefaultCgroupnsModeTest, PrivateOnlyOnAUnifiedMount) {
  EXPECT_EQ(DefaultCgroupnsMode("/nonexistent").value_or("error"), "host");
  EXPECT_EQ(DefaultCgroupnsMode("/proc").value_or("error"), "host");
  for (const char* root : {"/sys/fs/cgroup", "/sys/fs/cgroup/unified"}) {
    struct statfs fs;
    if (statfs(root, &fs) != 0) continue;
    EXPECT_EQ(DefaultCgroupnsMode(root).value_or("error"),
              fs.f_type == CGROUP2_SUPER_MAGIC ? "private" : "host")
        << root;
  }
  // A path through a file is neither layout: the error is reported.
  EXPECT_FALSE(DefaultCgroupnsMode("/proc/self/status/x").ok());
}

INSTANTIATE_TEST_SUITE_P(Hosts, CgroupsTest,
                         ::testing::Values("/sys/fs/cgroup",
                                           "/sys/fs/cgroup/unified"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.index == 0 ? std::string("host")
                                                  : std::string("unified");
                         });

}  // namespace
}  // namespace berth::containerd::cgroups
