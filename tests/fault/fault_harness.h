// The fault harness: parallel container lifecycles against a Berth whose
// daemons are killed (SIGKILL) at random moments and started again, then a
// check that what Berth records matches what exists.
//
// Each loop drives one container of its own through random create, run -d,
// start, stop, kill, restart and rm (-f) calls with the real CLI; a killer
// spreads the planned kills over the run. At the end every record must match
// reality (running: a live init under its shim and a cgroup; otherwise no
// shim, process or cgroup), nothing may exist without a record (shims,
// cgroups, state directories, snapshots, shim sockets), and once everything
// is removed nothing of any container may be left. Later services add their
// resources (veths, volumes) to the checks in fault_invariants.cc.
#ifndef BERTH_TESTS_FAULT_FAULT_HARNESS_H_
#define BERTH_TESTS_FAULT_FAULT_HARNESS_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "tests/support/berth_env.h"

namespace berth::testing {

struct FaultPlan {
  // "berthd": every service in one process; "split": one daemon each.
  std::string mode = "berthd";
  int loops = 4;
  int ops_per_loop = 200;
  // Kills per daemon ("berthd", or a split daemon's service name such as
  // "containerd" or "imaged"), spread over the run.
  std::map<std::string, int> kills;
  uint32_t seed = 1;
};

struct FaultReport {
  int ops = 0;          // calls made
  int succeeded = 0;    // ... that succeeded
  int interrupted = 0;  // ... that failed while a daemon was down or dying
  int refused = 0;      // ... that failed with every daemon up (a race the
                        // loop lost, e.g. stopping a container that exited)
  std::map<std::string, int> kills;  // kills made, by daemon
  absl::Duration longest_recovery;   // kill to all services healthy again
  int records_checked = 0;
  std::vector<std::string> inconsistencies;  // a record against reality
  std::vector<std::string> leaks;  // things without a record, or left over
  absl::Duration elapsed;
  std::vector<std::string> refusal_samples;  // the first few, for reading

  bool clean() const { return inconsistencies.empty() && leaks.empty(); }
  // The figures, one per line, and every problem found.
  std::string Summary(const FaultPlan& plan) const;
};

// Runs `plan` against daemons it starts in `env` (which must be fresh) and
// stops them at the end.
FaultReport RunFaultHarness(BerthEnv& env, const FaultPlan& plan);

// What the invariant checks look at (fault_invariants.cc).
struct Observed {
  int records = 0;
  std::vector<std::string> inconsistencies;
  std::vector<std::string> leaks;
};
// Compares every container record with reality, and reality with the
// records.
Observed CheckInvariants(BerthEnv& env);
// After every container was removed: anything of any container still there.
std::vector<std::string> Leftovers(BerthEnv& env);

}  // namespace berth::testing

#endif  // BERTH_TESTS_FAULT_FAULT_HARNESS_H_
