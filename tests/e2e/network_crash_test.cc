// End to end: the network survives a kill -9 in the middle of 20
// concurrent `run`s on a user network, of berthd and of a split netd.
// After the restart the records, the kernel and the firewall agree: every
// running container holds one address no other holds, every veth is one
// of theirs, every DNAT rule is one of their published ports, and they
// still reach each other by name.
#include <signal.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/e2e/network_fixture.h"

namespace berth::testing {
namespace {

constexpr int kRuns = 20;

class NetworkCrashE2eTest : public ContainerNetworkE2eTest {
 protected:
  // `kRuns` detached runs on `crash` at once, each publishing port 80 on a
  // free host port; `crash()` is called while they are under way.
  void RunConcurrentlyAndCrash(const std::function<void()>& crash) {
    std::vector<std::thread> runs;
    std::vector<int> codes(kRuns, -1);
    for (int i = 0; i < kRuns; ++i) {
      runs.emplace_back([this, i, &codes] {
        codes[i] = env_.Berth({"run", "-d", "--name", absl::StrCat("c", i),
                               "--network", "crash", "-p", "80", "busybox",
                               "sleep", "600"})
                       .exit_code;
      });
    }
    // In the thick of it: some containers run, others are being attached
    // (each start binds a namespace first).
    for (int i = 0; i < 1000 && Namespaces().size() < kRuns / 2; ++i) {
      absl::SleepFor(absl::Milliseconds(10));
    }
    crash();
    for (std::thread& run : runs) run.join();
    const int started = static_cast<int>(std::count(codes.begin(), codes.end(), 0));
    // Shown with the test's result: how many runs the crash cut short.
    RecordProperty("runs_started_before_the_crash", started);
    std::cerr << started << " of " << kRuns << " runs started before the crash\n";
  }

  std::set<std::string> Running() {
    RunResult listed = env_.Berth(
        {"ps", "-q", "--no-trunc", "--filter", "status=running"});
    std::vector<std::string> ids = Lines(listed.out);
    return {ids.begin(), ids.end()};
  }

  int DnatRules() {
    RunResult table =
        RunCommand(env_.InNetns({"/usr/sbin/nft", "list", "table", "ip", "berth"}));
    int rules = 0;
    for (const std::string& line : Lines(table.out)) {
      if (absl::StrContains(line, "dnat to")) ++rules;
    }
    return rules;
  }

  // Whether records, kernel and firewall agree; `why` says what does not.
  bool Consistent(std::string* why) {
    const std::set<std::string> running = Running();
    RunResult inspected =
        env_.Berth({"network", "inspect", "-f", "{{json .Containers}}", "crash"});
    nlohmann::json containers = nlohmann::json::parse(inspected.out, nullptr, false);
    if (!containers.is_object()) {
      *why = "network inspect: " + inspected.out + inspected.err;
      return false;
    }
    std::set<std::string> attached;
    std::set<std::string> addresses;
    for (const auto& [id, endpoint] : containers.items()) {
      attached.insert(id);
      if (!addresses.insert(endpoint["IPv4Address"].get<std::string>()).second) {
        *why = "address held twice: " + endpoint["IPv4Address"].get<std::string>();
        return false;
      }
    }
    if (attached != running) {
      *why = absl::StrCat(attached.size(), " attached, ", running.size(), " running");
      return false;
    }
    if (Veths() != static_cast<int>(running.size())) {
      *why = absl::StrCat(Veths(), " veths for ", running.size(), " running");
      return false;
    }
    if (DnatRules() != static_cast<int>(running.size())) {
      *why = absl::StrCat(DnatRules(), " DNAT rules for ", running.size(), " running");
      return false;
    }
    return true;
  }

  void ExpectConsistentAndTalking() {
    // Two more after the restart: new addresses never collide with old.
    for (const char* name : {"after1", "after2"}) {
      RunResult run = env_.Berth({"run", "-d", "--name", name, "--network",
                                  "crash", "-p", "80", "busybox", "sleep", "600"});
      ASSERT_EQ(run.exit_code, 0) << run.err;
    }
    std::string why;
    bool consistent = false;
    // containerd's sweep detaches what ended once netd answers.
    for (int i = 0; i < 100 && !(consistent = Consistent(&why)); ++i) {
      absl::SleepFor(absl::Milliseconds(200));
    }
    EXPECT_TRUE(consistent) << why;
    RunResult ping = ExecScript("after1", "ping -c1 -W2 after2");
    EXPECT_EQ(ping.exit_code, 0) << ping.out << ping.err;
    const std::set<std::string> running = Running();
    for (const std::string& id : running) {
      RunResult reached = ExecScript(id, "ping -c1 -W2 after2");
      EXPECT_EQ(reached.exit_code, 0) << id << ": " << reached.out << reached.err;
    }
  }

  void RemoveAll() {
    std::vector<std::string> rm = {"rm", "-f"};
    RunResult all = env_.Berth({"ps", "-a", "-q"});
    for (const std::string& id : Lines(all.out)) rm.push_back(id);
    if (rm.size() > 2) {
      EXPECT_EQ(env_.Berth(rm).exit_code, 0);
    }
    EXPECT_EQ(AwaitVeths(0), 0);
    EXPECT_EQ(DnatRules(), 0);
    EXPECT_EQ(env_.Berth({"network", "rm", "crash"}).exit_code, 0);
  }
};

TEST_F(NetworkCrashE2eTest, BerthdKilledDuringConcurrentRuns) {
  ASSERT_EQ(env_.Berth({"network", "create", "crash"}).exit_code, 0);
  RunConcurrentlyAndCrash([this] {
    berthd_->Signal(SIGKILL);
    berthd_->Wait(absl::Seconds(10));
  });
  StartBerthd();
  ExpectConsistentAndTalking();
  RemoveAll();
}

TEST_F(NetworkCrashE2eTest, SplitNetdKilledDuringConcurrentRuns) {
  // The same state served by the four daemons apart.
  std::map<std::string, std::unique_ptr<Daemon>> daemons = SplitDaemons();
  ASSERT_EQ(env_.Berth({"network", "create", "crash"}).exit_code, 0);
  RunConcurrentlyAndCrash([&] {
    daemons["netd"]->Signal(SIGKILL);
    daemons["netd"]->Wait(absl::Seconds(10));
  });
  daemons["netd"] = env_.StartDaemon(SplitDaemon("netd"));
  ASSERT_TRUE(env_.WaitHealthy(kAll));
  ExpectConsistentAndTalking();
  RemoveAll();
  for (auto& [service, daemon] : daemons) EXPECT_EQ(daemon->Stop(), 0) << service;
}

}  // namespace
}  // namespace berth::testing
