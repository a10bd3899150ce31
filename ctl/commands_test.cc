#include "ctl/commands.h"

#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ctl/cli/command_tree.h"
#include "ctl/cli/run.h"
#include "ctl/shell/man_page.h"
#include "ctl/shell/shell_group.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace berth::ctl {
namespace {

using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::Not;

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
              ElementsAreArray({"version", "info", "system", "events", "image", "history",
                                "images", "import", "load", "pull", "push",
                                "rmi", "save", "tag", "login", "logout",
                                "search", "container", "attach", "commit", "cp",
                                "create", "diff", "exec", "export", "inspect", "kill",
                                "logs", "pause", "port", "ps", "rename", "restart",
                                "rm", "run", "start", "stats", "stop", "top",
                                "unpause",
                                "update", "wait", "network", "volume", "completion",
                                "__complete", "__manpages"}));
  EXPECT_EQ(groups, (std::set<std::string>{"system", "image", "registry",
                                           "container", "network", "volume",
                                           "shell"}));
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
  size_t visible = 0;
  for (const CommandSpec& spec : registry.commands()) {
    if (spec.hidden) {
      EXPECT_THAT(listing, Not(HasSubstr(spec.name)));
      continue;
    }
    ++visible;
    EXPECT_THAT(listing, HasSubstr(absl::StrCat("  ", spec.name, " ")));
    EXPECT_THAT(listing, HasSubstr(spec.summary));
  }
  for (char c : listing) lines += c == '\n';
  // The heading, one line per command, and the blank line after them.
  EXPECT_EQ(lines, visible + 2) << listing;
}

// Completion and man pages come from the same tree as the help: every
// visible command has its page, and every kind of argument a command
// declares has live names to complete.
TEST(BuiltinCommandsTest, EveryCommandHasAManPageAndItsNamesASource) {
  CommandRegistry registry;
  ASSERT_TRUE(RegisterBuiltinCommands(registry).ok());
  CLI::App top("berth", "berth");
  top.add_option("--run-root", "Directory of the sockets");
  const CommandDescription tree = DescribeRegistry(registry, top);
  std::set<std::string> pages;
  for (const ManPage& page : ManPages(tree, "test")) {
    pages.insert(page.file_name);
  }
  EXPECT_TRUE(pages.count("berth.1"));
  const std::vector<const CommandDescription*> commands = AllCommands(tree);
  // Every group's subcommands are there too: image ls, container rm...
  EXPECT_GT(commands.size(), registry.commands().size());
  std::set<ArgKind> kinds;
  for (const CommandDescription* command : commands) {
    EXPECT_TRUE(pages.count(ManPageName(command->usage.path) + ".1"))
        << command->usage.path;
    EXPECT_THAT(command->usage.path, Not(HasSubstr("__")));
    kinds.insert(command->usage.arg_kinds.begin(),
                 command->usage.arg_kinds.end());
  }
  EXPECT_EQ(pages.size(), commands.size() + 1);
  EXPECT_TRUE(pages.count("berth-run.1"));
  EXPECT_TRUE(pages.count("berth-image-ls.1"));
  kinds.erase(ArgKind::kNone);
  EXPECT_TRUE(kinds.count(ArgKind::kContainer));
  EXPECT_TRUE(kinds.count(ArgKind::kImage));
  EXPECT_TRUE(kinds.count(ArgKind::kNetwork));
  EXPECT_TRUE(kinds.count(ArgKind::kVolume));
  for (ArgKind kind : kinds) {
    EXPECT_NE(registry.FindNameSource(kind), nullptr) << ArgKindName(kind);
  }
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
