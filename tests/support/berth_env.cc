#include "tests/support/berth_env.h"

#include <cstdlib>

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace berth::testing {

BerthEnv::BerthEnv() {
  char tmpl[] = "/tmp/bt-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) ADD_FAILURE() << "mkdtemp failed";
  dir_ = tmpl;
}

BerthEnv::~BerthEnv() {
  if (::testing::Test::HasFailure()) {
    std::fprintf(stderr, "--- daemon log (%s) ---\n%s\n", log_path().c_str(),
                 ReadFile(log_path()).c_str());
  }
  std::system(("rm -rf '" + dir_ + "'").c_str());
}

std::unique_ptr<Daemon> BerthEnv::StartDaemon(
    const std::string& binary, const std::vector<std::string>& extra_args) {
  std::vector<std::string> argv = {Runfile(binary), "--root",   root(),
                                   "--run-root",    run_root(), "--log-file",
                                   log_path()};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  return std::make_unique<Daemon>(argv, log_path());
}

bool BerthEnv::WaitHealthy(const std::vector<std::string>& services,
                           absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    RunResult info = Berth({"info", "--format", "json"});
    nlohmann::json parsed = nlohmann::json::parse(info.out, nullptr, false);
    if (!parsed.is_discarded()) {
      size_t healthy = 0;
      for (const auto& service : parsed["Services"]) {
        for (const std::string& wanted : services) {
          if (service["Name"] == wanted && service["Status"] == "healthy") {
            ++healthy;
          }
        }
      }
      if (healthy == services.size()) return true;
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  return false;
}

RunResult BerthEnv::Berth(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {Runfile(kBerthCli), "--run-root",
                                   run_root()};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv);
}

}  // namespace berth::testing
