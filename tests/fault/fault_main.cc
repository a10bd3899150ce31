// The fault harness at any length, for tools/fault:
//   fault_harness [--mode berthd|split] [--loops N] [--ops N]
//                 [--kill DAEMON=N]... [--seed N]
// Prints the figures; exits 0 only if nothing was inconsistent or leaked.
#include <cstdio>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "tests/fault/fault_harness.h"

namespace {

int Usage(const std::string& why) {
  std::fprintf(stderr,
               "fault_harness: %s\nusage: fault_harness [--mode berthd|split] "
               "[--loops N] [--ops N] [--kill DAEMON=N]... [--seed N]\n",
               why.c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  berth::testing::FaultPlan plan;
  plan.kills.clear();
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) return Usage(flag + " needs a value");
    const std::string value = argv[++i];
    int number = 0;
    const bool numeric = absl::SimpleAtoi(value, &number) && number >= 0;
    if (flag == "--mode" && (value == "berthd" || value == "split")) {
      plan.mode = value;
    } else if (flag == "--loops" && numeric && number > 0) {
      plan.loops = number;
    } else if (flag == "--ops" && numeric && number > 0) {
      plan.ops_per_loop = number;
    } else if (flag == "--seed" && numeric) {
      plan.seed = static_cast<uint32_t>(number);
    } else if (flag == "--kill") {
      std::pair<std::string, std::string> kill =
          absl::StrSplit(value, absl::MaxSplits('=', 1));
      int count = 0;
      if (kill.first.empty() || !absl::SimpleAtoi(kill.second, &count) ||
          count < 0) {
        return Usage("--kill takes DAEMON=COUNT, not " + value);
      }
      plan.kills[kill.first] += count;
    } else {
      return Usage("bad argument: " + flag + " " + value);
    }
  }
  for (const auto& [daemon, count] : plan.kills) {
    const bool known = plan.mode == "berthd"
                           ? daemon == "berthd"
                           : (daemon == "imaged" || daemon == "containerd" ||
                              daemon == "netd" || daemon == "volumed");
    if (!known) return Usage(daemon + " is not a daemon of mode " + plan.mode);
  }
  berth::testing::BerthEnv env;
  berth::testing::FaultReport report = RunFaultHarness(env, plan);
  std::printf("%s", report.Summary(plan).c_str());
  return report.clean() ? 0 : 1;
}
