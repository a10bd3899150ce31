#include "ctl/cli/command.h"

#include <cstdio>
#include <iostream>
#include <memory>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "ctl/cli/exit_codes.h"

namespace berth::ctl {
namespace {

// CLI11's help with Docker's usage line: "Usage: berth tag SOURCE TARGET".
// It also carries the command's CommandUsage: CLI11 has no other place to
// keep data of one's own with a command.
class UsageFormatter : public CLI::Formatter {
 public:
  explicit UsageFormatter(CommandUsage usage) : usage_(std::move(usage)) {}
  std::string make_usage(const CLI::App*, std::string) const override {
    return absl::StrCat("Usage: ", UsageLine(usage_), "\n");
  }
  const CommandUsage& usage() const { return usage_; }

 private:
  CommandUsage usage_;
};

}  // namespace

std::string UsageLine(const CommandUsage& usage) {
  return usage.args.empty() ? usage.path
                            : absl::StrCat(usage.path, " ", usage.args);
}

void SetUsage(CLI::App* command, const CommandUsage& usage) {
  command->formatter(std::make_shared<UsageFormatter>(usage));
}

const CommandUsage* UsageOf(const CLI::App* command) {
  const auto* formatter =
      dynamic_cast<const UsageFormatter*>(command->get_formatter().get());
  return formatter == nullptr ? nullptr : &formatter->usage();
}

CLI::App* AddCommandGroup(
    CLI::App& parent, const std::string& name, const std::string& summary,
    const std::function<void(CLI::App& group)>& add_subcommands,
    bool usage_names_command) {
  CLI::App* group = parent.add_subcommand(name, summary);
  group->require_subcommand(0, 1);
  SetUsage(group, {absl::StrCat("berth ", name), "COMMAND", summary, {},
                   usage_names_command});
  group->callback([group] {
    if (group->get_subcommands().empty()) {
      std::fputs(group->help().c_str(), stdout);
      std::fflush(stdout);
    }
  });
  add_subcommands(*group);
  return group;
}

void PrintOut(const std::string& text) {
  std::fputs(text.c_str(), stdout);
  std::fflush(stdout);
}

bool Confirm(const std::string& warning) {
  std::printf("%s [y/N] ", warning.c_str());
  std::fflush(stdout);
  std::string answer;
  if (!std::getline(std::cin, answer)) return false;
  return absl::AsciiStrToLower(absl::StripAsciiWhitespace(answer)) == "y";
}

CLI::App* AddCommand(CLI::App& parent, CommandContext& context,
                     const std::string& name, const CommandUsage& usage,
                     size_t min_args, size_t max_args,
                     std::function<void(const std::vector<std::string>&)> run) {
  CLI::App* command = parent.add_subcommand(name, usage.summary);
  auto args = std::make_shared<std::vector<std::string>>();
  // Every positional lands here, so that a wrong count gets Docker's
  // message rather than CLI11's; the help shows Docker's usage line instead.
  command->add_option("args", *args)->group("");
  SetUsage(command, usage);
  command->callback([&context, usage, min_args, max_args, args, run] {
    const std::string error =
        ArgCountError(usage, args->size(), min_args, max_args);
    if (!error.empty()) {
      // Docker exits 1 for a wrong count (125 is for flags).
      std::fprintf(stderr, "%s\n", error.c_str());
      context.exit_code = kExitError;
      return;
    }
    run(*args);
  });
  return command;
}

void AddPruneFilterOption(CLI::App* command, std::vector<std::string>& filters) {
  command
      ->add_option("--filter", filters,
                   "Provide filter values (e.g. \"until=24h\", "
                   "\"label=KEY[=VALUE]\", \"label!=KEY[=VALUE]\")")
      ->check(FilterFormatProblem)
      ->allow_extra_args(false);
}

std::optional<PruneFilters> ParsePruneFilters(
    CommandContext& context, const std::vector<std::string>& filters) {
  absl::StatusOr<std::vector<FilterTerm>> terms = SplitFilters(filters);
  if (!terms.ok()) {
    context.Fail(terms.status(), kExitUsage);
    return std::nullopt;
  }
  absl::StatusOr<types::v1::PruneFilter> filter =
      BuildPruneFilter(*terms, absl::Now(), absl::LocalTimeZone());
  if (!filter.ok()) {
    context.Fail(filter.status());
    return std::nullopt;
  }
  return PruneFilters{*std::move(terms), *std::move(filter)};
}

}  // namespace berth::ctl
