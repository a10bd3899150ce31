#include "tests/fault/fault_harness.h"

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "tests/support/busybox.h"

namespace berth::testing {
namespace {

const std::vector<std::string> kServices = {"imaged", "containerd", "netd",
                                            "volumed"};

// The binary that hosts `daemon` ("berthd" or a service's name).
std::string BinaryOf(const std::string& daemon) {
  if (daemon == "berthd") return kBerthd;
  return absl::StrCat("services/", daemon, "/berth-", daemon);
}

// A container that ends on SIGTERM (soon) and one that ignores it (as PID 1
// without a handler does), so stops go both ways.
const std::vector<std::string> kTermEnds = {
    "busybox", "sh", "-c", "trap 'exit 0' TERM; while :; do sleep 0.2; done"};
const std::vector<std::string> kTermIgnored = {"busybox", "sleep", "600"};

class FaultRun {
 public:
  FaultRun(BerthEnv& env, const FaultPlan& plan) : env_(env), plan_(plan) {
    for (const auto& [daemon, count] : plan.kills) {
      for (int i = 0; i < count; ++i) targets_.push_back(daemon);
    }
    daemons_ = plan.mode == "split" ? kServices
                                    : std::vector<std::string>{"berthd"};
  }

  FaultReport Run() {
    const absl::Time start = absl::Now();
    for (const std::string& daemon : daemons_) Start(daemon);
    if (!env_.WaitHealthy(kServices, absl::Seconds(60))) {
      Problem(&report_.inconsistencies, "the daemons did not become healthy");
      return report_;
    }
    RunResult imported = env_.Berth({"import", "--change", "CMD [\"sh\"]",
                                     MakeBusyboxTar(env_.dir()), "busybox"});
    if (imported.exit_code != 0) {
      Problem(&report_.inconsistencies, "import failed: " + imported.err);
      return report_;
    }
    std::vector<std::thread> loops;
    for (int i = 0; i < plan_.loops; ++i) loops.emplace_back([this, i] { Loop(i); });
    std::thread killer([this] { Kill(); });
    for (std::thread& loop : loops) loop.join();
    loops_done_ = true;
    killer.join();
    Finish();
    report_.elapsed = absl::Now() - start;
    return report_;
  }

 private:
  void Start(const std::string& daemon) {
    running_[daemon] = env_.StartDaemon(BinaryOf(daemon));
  }

  void Problem(std::vector<std::string>* list, const std::string& what) {
    absl::MutexLock lock(&mu_);
    list->push_back(what);
  }

  // Blocks while a kill is in progress, so ops are made against a Berth
  // that was up when they began; returns how many kills had begun.
  int WaitWhileDown() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](int* down) { return *down == 0; }, &down_));
    return kills_begun_;
  }

  // The container's status as Berth sees it now ("absent" if it has none).
  std::string Observe(const std::string& name) {
    for (int attempt = 0; attempt < 100; ++attempt) {
      WaitWhileDown();
      RunResult seen = env_.Berth({"inspect", "-f", "{{.State.Status}}", name});
      if (seen.exit_code == 0) {
        return std::string(absl::StripAsciiWhitespace(seen.out));
      }
      if (seen.err.find("No such container") != std::string::npos) {
        return "absent";
      }
      absl::SleepFor(absl::Milliseconds(100));
    }
    return "unknown";
  }

  // One loop: its own container through random lifecycle calls.
  void Loop(int index) {
    std::mt19937 random(plan_.seed * 1009 + index);
    auto chance = [&](int percent) {
      return std::uniform_int_distribution<int>(0, 99)(random) < percent;
    };
    const std::string name = absl::StrCat("fault-", index);
    std::string state = "absent";
    for (int op = 0; op < plan_.ops_per_loop; ++op) {
      std::vector<std::string> args;
      std::string expect;
      if (state == "absent") {
        args = {chance(50) ? "create" : "run", "--name", name};
        if (args[0] == "run") args.insert(args.begin() + 1, "-d");
        // Volumes too: a named one of the loop's own and an anonymous one,
        // so a kill can fall between their acquire and the record.
        if (chance(50)) {
          args.insert(args.end(), {"-v", name + "-data:/data", "-v", "/anon"});
        }
        const auto& command = chance(50) ? kTermEnds : kTermIgnored;
        args.insert(args.end(), command.begin(), command.end());
        expect = args[0] == "run" ? "running" : "created";
      } else if (state == "created" || state == "exited") {
        if (chance(60)) {
          args = {"start", name};
          expect = "running";
        } else {
          args = {"rm", name};
          if (chance(50)) args.insert(args.begin() + 1, "-v");
          expect = "absent";
        }
      } else if (state == "running") {
        const int pick = std::uniform_int_distribution<int>(0, 99)(random);
        if (pick < 45) {
          args = {"stop", "-t", chance(50) ? "0" : "1", name};
          expect = "exited";
        } else if (pick < 60) {
          args = {"kill", name};
          expect = "";  // the exit follows the signal
        } else if (pick < 80) {
          args = {"restart", "-t", "0", name};
          expect = "running";
        } else {
          args = {"rm", "-f", name};
          expect = "absent";
        }
      } else {
        args = {"rm", "-f", name};
        expect = "absent";
      }
      const int kills_before = WaitWhileDown();
      RunResult result = env_.Berth(args);
      ++ops_done_;
      {
        absl::MutexLock lock(&mu_);
        const bool killed_meanwhile = kills_begun_ != kills_before;
        ++report_.ops;
        if (result.exit_code == 0) {
          ++report_.succeeded;
        } else if (result.exit_code == -1) {
          report_.inconsistencies.push_back(
              absl::StrCat("berth ", absl::StrJoin(args, " "),
                           " did not return within 60 s"));
        } else if (killed_meanwhile || down_ > 0) {
          ++report_.interrupted;
        } else {
          ++report_.refused;
          if (refusals_.size() < 5) {
            refusals_.push_back(absl::StrCat(absl::StrJoin(args, " "), ": ",
                                             result.err));
          }
        }
      }
      state = result.exit_code == 0 && !expect.empty() ? expect : Observe(name);
    }
  }

  // Kills the planned daemons at moments spread over the run.
  void Kill() {
    std::mt19937 random(plan_.seed * 7919);
    std::shuffle(targets_.begin(), targets_.end(), random);
    const int total = plan_.loops * plan_.ops_per_loop;
    const int slots = static_cast<int>(targets_.size()) + 1;
    for (size_t k = 0; k < targets_.size(); ++k) {
      const int spread = std::max(1, total / (3 * slots));
      const int at = static_cast<int>(k + 1) * total / slots +
                     std::uniform_int_distribution<int>(-spread, spread)(random);
      while (ops_done_.load() < at && !loops_done_.load()) {
        absl::SleepFor(absl::Milliseconds(5));
      }
      if (loops_done_.load()) break;
      // Somewhere inside the calls in flight.
      absl::SleepFor(absl::Milliseconds(
          std::uniform_int_distribution<int>(0, 80)(random)));
      KillAndRestart(targets_[k], random);
    }
  }

  void KillAndRestart(const std::string& daemon, std::mt19937& random) {
    {
      absl::MutexLock lock(&mu_);
      ++down_;
      ++kills_begun_;
    }
    const absl::Time killed = absl::Now();
    std::unique_ptr<Daemon>& process = running_[daemon];
    if (!process->running()) {
      Problem(&report_.inconsistencies, daemon + " had died by itself");
    }
    process->Signal(SIGKILL);
    process->Wait(absl::Seconds(10));
    absl::SleepFor(absl::Milliseconds(
        std::uniform_int_distribution<int>(0, 300)(random)));
    Start(daemon);
    if (!env_.WaitHealthy(kServices, absl::Seconds(60))) {
      Problem(&report_.inconsistencies,
              daemon + " did not become healthy again after a kill");
    }
    absl::MutexLock lock(&mu_);
    ++report_.kills[daemon];
    report_.longest_recovery =
        std::max(report_.longest_recovery, absl::Now() - killed);
    --down_;
  }

  // The checks at the end, then everything removed and checked again.
  void Finish() {
    Observed observed;
    for (int attempt = 0; attempt < 80; ++attempt) {
      observed = CheckInvariants(env_);
      if (observed.inconsistencies.empty() && observed.leaks.empty()) break;
      absl::SleepFor(absl::Milliseconds(250));  // exits still being recorded
    }
    report_.records_checked = observed.records;
    for (std::string& problem : observed.inconsistencies) {
      report_.inconsistencies.push_back(std::move(problem));
    }
    for (std::string& leak : observed.leaks) report_.leaks.push_back(std::move(leak));

    RunResult ids = env_.Berth({"ps", "-a", "-q", "--no-trunc"});
    std::vector<std::string> rm = {"rm", "-f"};
    for (absl::string_view id :
         absl::StrSplit(ids.out, '\n', absl::SkipWhitespace())) {
      rm.emplace_back(id);
    }
    if (rm.size() > 2) {
      RunResult removed = env_.Berth(rm);
      if (removed.exit_code != 0) {
        report_.inconsistencies.push_back("rm -f of every container failed: " +
                                          removed.err);
      }
    }
    std::vector<std::string> left;
    for (int attempt = 0; attempt < 40; ++attempt) {
      left = Leftovers(env_);
      if (left.empty()) break;
      absl::SleepFor(absl::Milliseconds(250));
    }
    for (const std::string& thing : left) {
      report_.leaks.push_back("after rm -f of every container: " + thing);
    }
    for (auto& [daemon, process] : running_) {
      if (!process->running()) {
        report_.inconsistencies.push_back(daemon + " had died by itself");
        continue;
      }
      const int code = process->Stop();
      if (code != 0) {
        report_.inconsistencies.push_back(
            absl::StrCat(daemon, " exited with ", code, " on SIGTERM"));
      }
    }
    for (std::string& refusal : refusals_) {
      report_.refusal_samples.push_back(std::move(refusal));
    }
  }

  BerthEnv& env_;
  const FaultPlan plan_;
  std::vector<std::string> daemons_;
  std::vector<std::string> targets_;
  std::map<std::string, std::unique_ptr<Daemon>> running_;
  std::atomic<int> ops_done_{0};
  std::atomic<bool> loops_done_{false};
  absl::Mutex mu_;
  int down_ = 0;         // guarded by mu_: kills in progress
  int kills_begun_ = 0;  // guarded by mu_
  FaultReport report_;
  std::vector<std::string> refusals_;
};

}  // namespace

std::string FaultReport::Summary(const FaultPlan& plan) const {
  std::vector<std::string> kill_counts;
  for (const auto& [daemon, count] : kills) {
    kill_counts.push_back(absl::StrCat(daemon, " ", count));
  }
  std::string out = absl::StrCat(
      "fault harness (", plan.mode, "): ", plan.loops, " loops x ",
      plan.ops_per_loop, " operations, seed ", plan.seed, "\n",
      "  operations:   ", ops, " (", succeeded, " succeeded, ", interrupted,
      " interrupted by a kill, ", refused, " refused)\n",
      "  kills:        ",
      kill_counts.empty() ? "none" : absl::StrJoin(kill_counts, ", "), "\n",
      "  longest recovery: ", absl::FormatDuration(longest_recovery), "\n",
      "  records checked:  ", records_checked, "\n",
      "  inconsistencies:  ", inconsistencies.size(), "\n",
      "  leaks:            ", leaks.size(), "\n",
      "  elapsed:      ", absl::FormatDuration(absl::Trunc(elapsed, absl::Milliseconds(100))),
      "\n");
  for (const std::string& problem : inconsistencies) {
    absl::StrAppend(&out, "  INCONSISTENT: ", problem, "\n");
  }
  for (const std::string& leak : leaks) absl::StrAppend(&out, "  LEAK: ", leak, "\n");
  for (const std::string& refusal : refusal_samples) {
    absl::StrAppend(&out, "  (a refusal: ",
                    absl::StripTrailingAsciiWhitespace(refusal), ")\n");
  }
  return out;
}

FaultReport RunFaultHarness(BerthEnv& env, const FaultPlan& plan) {
  return FaultRun(env, plan).Run();
}

}  // namespace berth::testing
