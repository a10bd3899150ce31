// End to end: a kill -9 of berthd, or of a split volumed, while containers
// with volumes are being created leaves no volume held for a container that
// does not exist and no mount of a volume nobody holds.
#include <signal.h>

#include <fstream>
#include <map>
#include <ostream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/e2e/container_fixture.h"
#include "tests/support/process.h"

namespace berth::testing {
namespace {

constexpr int kCreates = 16;

class VolumeCrashE2eTest : public ContainerE2eTest {
 protected:
  void SetUp() override {
    ContainerE2eTest::SetUp();
    // A volume with a filesystem of its own: mounted while held.
    RunResult made = env_.Berth({"volume", "create", "--opt", "type=tmpfs",
                                 "--opt", "device=tmpfs", "--opt", "o=size=1m",
                                 "shared-tmpfs"});
    ASSERT_EQ(made.exit_code, 0) << made.err;
  }

  // `kCreates` creates at once, each with a named volume of its own, an
  // anonymous one and the shared tmpfs volume; `crash()` runs meanwhile.
  void CreateConcurrentlyAndCrash(const std::function<void()>& crash) {
    std::vector<std::thread> creates;
    for (int i = 0; i < kCreates; ++i) {
      creates.emplace_back([this, i] {
        env_.Berth({"create", "--name", absl::StrCat("c", i), "-v",
                    absl::StrCat("v", i, ":/named"), "-v", "/anon", "-v",
                    "shared-tmpfs:/shared", "busybox", "sleep", "600"});
      });
    }
    for (int i = 0; i < 1000 && Containers().size() < kCreates / 2; ++i) {
      absl::SleepFor(absl::Milliseconds(10));
    }
    crash();
    for (std::thread& create : creates) create.join();
  }

  std::set<std::string> Containers() {
    RunResult listed = env_.Berth({"ps", "-a", "-q", "--no-trunc"});
    std::vector<std::string> ids = Lines(listed.out);
    return {ids.begin(), ids.end()};
  }

  // Volume name -> the containers volumed says hold it, from the records of
  // the containers that exist and volumed's own view (dangling or not).
  bool Consistent(std::string* why) {
    std::set<std::string> held_by_containers;
    for (const std::string& id : Containers()) {
      nlohmann::json mounts = Inspect(id)["Mounts"];
      for (const nlohmann::json& mount : mounts) {
        if (mount["Type"] == "volume") {
          held_by_containers.insert(mount["Name"].get<std::string>());
        }
      }
    }
    RunResult used = env_.Berth({"volume", "ls", "-q", "--filter", "dangling=false"});
    std::vector<std::string> lines = Lines(used.out);
    const std::set<std::string> in_use(lines.begin(), lines.end());
    if (in_use != held_by_containers) {
      *why = absl::StrCat(in_use.size(), " volumes in use, ",
                          held_by_containers.size(), " held by containers");
      return false;
    }
    const bool tmpfs_held = in_use.count("shared-tmpfs") > 0;
    const int tmpfs_mounts = TmpfsVolumeMounts();
    if (tmpfs_mounts != (tmpfs_held ? 1 : 0)) {
      *why = absl::StrCat(tmpfs_mounts, " mounts of the tmpfs volume, held: ",
                          tmpfs_held);
      return false;
    }
    return true;
  }

  int TmpfsVolumeMounts() {
    std::ifstream in("/proc/self/mountinfo");
    std::string line;
    int found = 0;
    while (std::getline(in, line)) {
      if (absl::StrContains(line, env_.root() + "/volumed/volumes/shared-tmpfs")) {
        ++found;
      }
    }
    return found;
  }

  void ExpectConsistentThenCleanUp() {
    std::string why;
    bool consistent = false;
    // containerd's sweep lets go of what lost containers held once volumed
    // answers.
    for (int i = 0; i < 100 && !(consistent = Consistent(&why)); ++i) {
      absl::SleepFor(absl::Milliseconds(200));
    }
    EXPECT_TRUE(consistent) << why;
    // The survivors still work with their volumes.
    for (const std::string& id : Containers()) {
      RunResult started = env_.Berth({"start", id});
      EXPECT_EQ(started.exit_code, 0) << started.err;
      RunResult wrote = env_.Berth({"exec", id, "sh", "-c",
                                    "echo x > /named/f && echo y > /shared/" + id});
      EXPECT_EQ(wrote.exit_code, 0) << wrote.err;
    }
    std::vector<std::string> rm = {"rm", "-f", "-v"};
    for (const std::string& id : Containers()) rm.push_back(id);
    if (rm.size() > 3) {
      RunResult removed = env_.Berth(rm);
      EXPECT_EQ(removed.exit_code, 0) << removed.err;
    }
    RunResult pruned = env_.Berth({"volume", "prune", "-a", "-f"});
    EXPECT_EQ(pruned.exit_code, 0) << pruned.err;
    RunResult left = env_.Berth({"volume", "ls", "-q"});
    EXPECT_EQ(left.out, "");
    EXPECT_EQ(TmpfsVolumeMounts(), 0);
  }
};

TEST_F(VolumeCrashE2eTest, BerthdKilledDuringConcurrentCreates) {
  CreateConcurrentlyAndCrash([this] {
    berthd_->Signal(SIGKILL);
    berthd_->Wait(absl::Seconds(10));
  });
  StartBerthd();
  ExpectConsistentThenCleanUp();
}

TEST_F(VolumeCrashE2eTest, SplitVolumedKilledDuringConcurrentCreates) {
  std::map<std::string, std::unique_ptr<Daemon>> daemons = SplitDaemons();
  CreateConcurrentlyAndCrash([&] {
    daemons["volumed"]->Signal(SIGKILL);
    daemons["volumed"]->Wait(absl::Seconds(10));
  });
  daemons["volumed"] = env_.StartDaemon(SplitDaemon("volumed"));
  ASSERT_TRUE(env_.WaitHealthy(kAll));
  ExpectConsistentThenCleanUp();
  for (auto& [service, daemon] : daemons) EXPECT_EQ(daemon->Stop(), 0) << service;
}

// rm with volumed down removes the container; its volumes are let go once
// volumed is back (a removal interrupted at berthd's start, while volumed
// is not yet up, is the same case).
TEST_F(VolumeCrashE2eTest, RemovalGoesOnWhileVolumedIsDown) {
  std::map<std::string, std::unique_ptr<Daemon>> daemons = SplitDaemons();
  RunResult created = env_.Berth(
      {"create", "--name", "held", "-v", "shared-tmpfs:/shared", "-v", "/anon",
       "busybox", "true"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  ASSERT_EQ(TmpfsVolumeMounts(), 1);
  ASSERT_EQ(daemons["volumed"]->Stop(), 0);
  RunResult removed = env_.Berth({"rm", "-v", "held"});
  EXPECT_EQ(removed.exit_code, 0) << removed.err;
  EXPECT_TRUE(Containers().empty());
  daemons["volumed"] = env_.StartDaemon(SplitDaemon("volumed"));
  ASSERT_TRUE(env_.WaitHealthy(kAll));
  // Released, and the anonymous volume removed (rm -v), once volumed is back.
  std::string left;
  for (int i = 0; i < 100; ++i) {
    left = env_.Berth({"volume", "ls", "-q"}).out;
    if (left == "shared-tmpfs\n" && TmpfsVolumeMounts() == 0) break;
    absl::SleepFor(absl::Milliseconds(200));
  }
  EXPECT_EQ(left, "shared-tmpfs\n");
  EXPECT_EQ(TmpfsVolumeMounts(), 0);
  ExpectConsistentThenCleanUp();
  for (auto& [service, daemon] : daemons) EXPECT_EQ(daemon->Stop(), 0) << service;
}

// Exactly between the steps: the daemon that holds the volumes is held at a
// failpoint inside a create and killed there.
struct HeldStep {
  std::string failpoint;
  std::string killed;  // "berthd" (all in one) or "volumed" (split)
};

void PrintTo(const HeldStep& step, std::ostream* os) {
  *os << step.failpoint << " in " << step.killed;
}

class VolumeCreateInterruptedTest
    : public VolumeCrashE2eTest,
      public ::testing::WithParamInterface<HeldStep> {};

TEST_P(VolumeCreateInterruptedTest, KilledDaemonLeavesNoVolumeHeldOrMounted) {
  const HeldStep& step = GetParam();
  const std::map<std::string, std::string> held = {
      {"BERTH_FAILPOINTS", step.failpoint}};
  std::map<std::string, std::unique_ptr<Daemon>> daemons;
  if (step.killed == "berthd") {
    ASSERT_EQ(berthd_->Stop(), 0);
    daemons["berthd"] = env_.StartDaemon(kBerthd, {}, held);
    ASSERT_TRUE(env_.WaitHealthy(kAll));
  } else {
    daemons = SplitDaemons({{step.killed, held}});
  }
  RunResult create;
  std::thread creating([&] {
    // The tmpfs volume first: it is the one a held volumed has mounted.
    create = env_.Berth({"create", "--name", "held", "-v", "shared-tmpfs:/shared",
                         "-v", "named:/named", "-v", "/anon", "busybox", "sleep",
                         "600"});
  });
  bool reached = false;
  for (int i = 0; i < 200 && !reached; ++i) {
    reached = ReadFile(env_.log_path()).find("failpoint " + step.failpoint) !=
              std::string::npos;
    if (!reached) absl::SleepFor(absl::Milliseconds(50));
  }
  ASSERT_TRUE(reached) << "the create never reached " << step.failpoint;
  daemons[step.killed]->Signal(SIGKILL);
  daemons[step.killed]->Wait(absl::Seconds(10));
  creating.join();
  EXPECT_NE(create.exit_code, 0) << "a create held at " << step.failpoint
                                 << " reported success";
  daemons[step.killed] = env_.StartDaemon(
      step.killed == "berthd" ? std::string(kBerthd) : SplitDaemon(step.killed));
  ASSERT_TRUE(env_.WaitHealthy(kAll));
  EXPECT_TRUE(Containers().empty());
  ExpectConsistentThenCleanUp();
  for (auto& [name, daemon] : daemons) EXPECT_EQ(daemon->Stop(), 0) << name;
}

INSTANTIATE_TEST_SUITE_P(
    EachStep, VolumeCreateInterruptedTest,
    ::testing::Values(
        // containerd acquired every volume, the record is not written.
        HeldStep{"create-volumes-acquired", "berthd"},
        // volumed mounted the tmpfs volume but holds it for nobody yet.
        HeldStep{"volume-mounted", "volumed"},
        // volumed holds the volumes for a container containerd never made.
        HeldStep{"volume-acquired", "volumed"}),
    [](const ::testing::TestParamInfo<HeldStep>& info) {
      std::string name = info.param.failpoint + "_" + info.param.killed;
      for (char& c : name) {
        if (c == '-') c = '_';
      }
      return name;
    });

}  // namespace
}  // namespace berth::testing
