#include "ctl/commands.h"

#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ctl/cli/run.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace berth::ctl {
namespace {

using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

int RunArgs(const CommandRegistry& registry, std::vector<std::string> args) {
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  return RunCli(registry, static_cast<int>(argv.size()), argv.data());
}

// Docker's commands Berth offers, in the help's order: a command dropped or
// added by accident changes what users can type.
TEST(BuiltinCommandsTest, AreTheExpectedOnesOnce) {
  CommandRegistry registry;
  ASSERT_TRUE(RegisterBuiltinCommands(registry).ok());
  std::vector<std::string> names;
  std::set<std::string> groups;
  for (const CommandSpec& spec : registry.commands()) {
    names.push_back(spec.name);
    groups.insert(spec.group);
  }
  EXPECT_THAT(names,
              ElementsAreArray({"version", "info", "image", "history",
                                "images", "import", "load", "rmi", "save",
                                "tag", "container", "create", "inspect",
                                "kill", "logs", "ps", "rename", "restart", "rm",
                                "run", "start", "stop", "wait"}));
  EXPECT_EQ(groups, (std::set<std::string>{"system", "image", "container"}));
  // Registering the tables again finds every name taken.
  EXPECT_EQ(RegisterBuiltinCommands(registry).code(),
            absl::StatusCode::kAlreadyExists);
}

TEST(BuiltinCommandsTest, EachAddsItsCommand) {
  CommandRegistry registry;
  ASSERT_TRUE(RegisterBuiltinCommands(registry).ok());
  CLI::App app;
  CommandContext context;
  ASSERT_TRUE(registry.AddTo(app, context, "").ok());
  EXPECT_EQ(app.get_subcommands([](CLI::App*) { return true; }).size(),
            registry.commands().size());
}

TEST(BuiltinCommandsTest, HelpListsExactlyTheRegisteredCommands) {
  CommandRegistry registry;
  ASSERT_TRUE(RegisterBuiltinCommands(registry).ok());
  ::testing::internal::CaptureStdout();
  const int code = RunArgs(registry, {"berth", "--help"});
  const std::string out = ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(code, 0);
  const std::string listing = out.substr(out.find("Subcommands:"));
  size_t lines = 0;
  for (const CommandSpec& spec : registry.commands()) {
    EXPECT_THAT(listing, HasSubstr(absl::StrCat("  ", spec.name, " ")));
    EXPECT_THAT(listing, HasSubstr(spec.summary));
  }
  for (char c : listing) lines += c == '\n';
  // The heading, one line per command, and the blank line after them.
  EXPECT_EQ(lines, registry.commands().size() + 2) << listing;
}

TEST(BuiltinCommandsTest, UnknownCommandExits1) {
  CommandRegistry registry;
  ASSERT_TRUE(RegisterBuiltinCommands(registry).ok());
  ::testing::internal::CaptureStderr();
  const int code = RunArgs(registry, {"berth", "frobnicate"});
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(code, 1);
  EXPECT_THAT(err, HasSubstr("unknown command: berth frobnicate"));
}

}  // namespace
}  // namespace berth::ctl
