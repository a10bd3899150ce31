// Every usage error of the shared table, through RunCli with the built-in
// commands: exit code and stderr exactly as Docker 28's. No daemon is
// needed: each is refused before a connection is made (the run root points
// nowhere, so a call that slipped through would fail differently).
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "ctl/cli/run.h"
#include "ctl/commands.h"
#include "ctl/usage_error_cases.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace berth::ctl {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

struct Outcome {
  int code;
  std::string out;
  std::string err;
};

Outcome RunBerth(std::vector<std::string> args) {
  CommandRegistry registry;
  EXPECT_TRUE(RegisterBuiltinCommands(registry).ok());
  args.insert(args.begin(), {"berth", "--run-root", "/nonexistent/berth"});
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  Outcome outcome;
  outcome.code = RunCli(registry, static_cast<int>(argv.size()), argv.data());
  std::fflush(nullptr);
  outcome.out = ::testing::internal::GetCapturedStdout();
  outcome.err = ::testing::internal::GetCapturedStderr();
  return outcome;
}

TEST(UsageErrorsTableTest, EachCaseAsDocker) {
  for (const UsageErrorCase& c : UsageErrorCases()) {
    const Outcome outcome = RunBerth(c.args);
    const std::string typed = absl::StrJoin(c.args, " ");
    EXPECT_EQ(outcome.code, c.exit_code) << "berth " << typed;
    EXPECT_EQ(outcome.err, c.err) << "berth " << typed;
    EXPECT_EQ(outcome.out, "") << "berth " << typed;
  }
}

// `help CMD` is `CMD --help`, `help` alone the top-level help; both on
// stdout, exit 0, as Docker's.
TEST(UsageErrorsTableTest, HelpCommandPrintsTheCommandsHelp) {
  const Outcome run_help = RunBerth({"help", "run"});
  EXPECT_EQ(run_help.code, 0);
  EXPECT_EQ(run_help.out, RunBerth({"run", "--help"}).out);
  EXPECT_THAT(run_help.out,
              HasSubstr("Usage: berth run [OPTIONS] IMAGE [COMMAND] [ARG...]"));
  const Outcome ls_help = RunBerth({"help", "image", "ls"});
  EXPECT_EQ(ls_help.code, 0);
  EXPECT_THAT(ls_help.out, HasSubstr("Usage: berth image ls [OPTIONS]"));
  const Outcome all = RunBerth({"help"});
  EXPECT_EQ(all.code, 0);
  EXPECT_EQ(all.out, RunBerth({"--help"}).out);
  EXPECT_THAT(all.out, StartsWith("A container platform"));
}

}  // namespace
}  // namespace berth::ctl
