#include "ctl/cli/registry.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "ctl/cli/run.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace berth::ctl {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// A command that records that it was built and, when run, exits `code`.
CommandSpec Fake(const std::string& name, int code, int* built) {
  return {name, "test", "Summary of " + name,
          [name, code, built](CLI::App& app, CommandContext& context) {
            ++*built;
            app.add_subcommand(name, "replaced by the table's summary")
                ->callback([&context, code] { context.exit_code = code; });
          }};
}

int RunArgs(const CommandRegistry& registry, std::vector<std::string> args) {
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  return RunCli(registry, static_cast<int>(argv.size()), argv.data());
}

TEST(CommandRegistryTest, RejectsDuplicatesAndIncompleteSpecs) {
  int built = 0;
  CommandRegistry registry;
  ASSERT_TRUE(registry.Register(Fake("alpha", 0, &built)).ok());
  absl::Status twice = registry.Register(Fake("alpha", 0, &built));
  EXPECT_EQ(twice.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(std::string(twice.message()), HasSubstr("alpha"));
  EXPECT_EQ(registry.Register(Fake("", 0, &built)).code(),
            absl::StatusCode::kInvalidArgument);
  CommandSpec no_add = Fake("beta", 0, &built);
  no_add.add = nullptr;
  EXPECT_EQ(registry.Register(no_add).code(),
            absl::StatusCode::kInvalidArgument);
  ASSERT_EQ(registry.commands().size(), 1u);
  EXPECT_NE(registry.Find("alpha"), nullptr);
  EXPECT_EQ(registry.Find("beta"), nullptr);
}

TEST(CommandRegistryTest, UnknownCommandIsNotFound) {
  int built = 0;
  CommandRegistry registry;
  ASSERT_TRUE(registry.Register(Fake("alpha", 0, &built)).ok());
  CLI::App app;
  CommandContext context;
  absl::Status status = registry.AddTo(app, context, "foo");
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(status.message(), "'foo' is not a berth command.");
  EXPECT_EQ(built, 0);
}

TEST(CommandRegistryTest, AnAddFunctionMustAddItsOwnName) {
  CommandRegistry registry;
  ASSERT_TRUE(registry
                  .Register({"alpha", "test", "Alpha",
                             [](CLI::App& app, CommandContext&) {
                               app.add_subcommand("other");
                             }})
                  .ok());
  CLI::App app;
  CommandContext context;
  EXPECT_EQ(registry.AddTo(app, context, "").code(),
            absl::StatusCode::kInternal);
}

TEST(RunCliTest, DispatchesToTheChosenCommandOnly) {
  int alpha_built = 0, beta_built = 0;
  CommandRegistry registry;
  ASSERT_TRUE(registry.Register(Fake("alpha", 3, &alpha_built)).ok());
  ASSERT_TRUE(registry.Register(Fake("beta", 4, &beta_built)).ok());
  EXPECT_EQ(RunArgs(registry, {"berth", "--run-root", "/x", "beta"}), 4);
  EXPECT_EQ(beta_built, 1);
  EXPECT_EQ(alpha_built, 0);
}

TEST(CommandRegistryTest, NameSourcesOnePerKind) {
  CommandRegistry registry;
  auto none = [](CommandContext&) -> absl::StatusOr<std::vector<std::string>> {
    return std::vector<std::string>{"web"};
  };
  EXPECT_EQ(registry.RegisterNameSource({ArgKind::kNone, none}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(registry.RegisterNameSource({ArgKind::kVolume, nullptr}).code(),
            absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(registry.RegisterNameSource({ArgKind::kContainer, none}).ok());
  EXPECT_EQ(registry.RegisterNameSource({ArgKind::kContainer, none}).code(),
            absl::StatusCode::kAlreadyExists);
  ASSERT_NE(registry.FindNameSource(ArgKind::kContainer), nullptr);
  EXPECT_EQ(registry.FindNameSource(ArgKind::kImage), nullptr);
}

TEST(RunCliTest, HiddenCommandsRunButAreNotListed) {
  int built = 0;
  CommandRegistry registry;
  CommandSpec hidden = Fake("__secret", 7, &built);
  hidden.hidden = true;
  ASSERT_TRUE(registry.Register(hidden).ok());
  ASSERT_TRUE(registry.Register(Fake("alpha", 0, &built)).ok());
  EXPECT_EQ(RunArgs(registry, {"berth", "__secret"}), 7);
  ::testing::internal::CaptureStdout();
  RunArgs(registry, {"berth", "--help"});
  const std::string out = ::testing::internal::GetCapturedStdout();
  EXPECT_THAT(out, HasSubstr("alpha"));
  EXPECT_THAT(out, Not(HasSubstr("secret")));
}

TEST(RunCliTest, UnknownCommandIsDockersError) {
  int built = 0;
  CommandRegistry registry;
  ASSERT_TRUE(registry.Register(Fake("alpha", 0, &built)).ok());
  ::testing::internal::CaptureStderr();
  const int code = RunArgs(registry, {"berth", "foo", "--flag"});
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(code, 1);
  EXPECT_EQ(err,
            "berth: unknown command: berth foo\n\n"
            "Run 'berth --help' for more information\n");
  EXPECT_EQ(built, 0);
}

TEST(RunCliTest, HelpListsTheRegisteredCommandsWithTheirSummaries) {
  int built = 0;
  CommandRegistry registry;
  ASSERT_TRUE(registry.Register(Fake("alpha", 0, &built)).ok());
  ASSERT_TRUE(registry.Register(Fake("beta", 0, &built)).ok());
  ::testing::internal::CaptureStdout();
  const int code = RunArgs(registry, {"berth", "--help"});
  const std::string out = ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(code, 0);
  EXPECT_THAT(out, HasSubstr("Summary of alpha"));
  EXPECT_THAT(out, HasSubstr("Summary of beta"));
  EXPECT_THAT(out, Not(HasSubstr("replaced by")));
  EXPECT_EQ(built, 2);
}

}  // namespace
}  // namespace berth::ctl
