#include "ctl/cli/command_tree.h"

#include "ctl/cli/command.h"

namespace berth::ctl {
namespace {

FlagDescription DescribeFlag(const CLI::Option& option) {
  FlagDescription flag;
  for (const std::string& name : option.get_snames()) {
    flag.names.push_back("-" + name);
  }
  for (const std::string& name : option.get_lnames()) {
    flag.names.push_back("--" + name);
  }
  flag.takes_value = option.get_items_expected_min() > 0;
  flag.help = option.get_description();
  return flag;
}

void Collect(const CommandDescription& command,
             std::vector<const CommandDescription*>& out) {
  for (const CommandDescription& sub : command.subcommands) {
    out.push_back(&sub);
    Collect(sub, out);
  }
}

}  // namespace

CommandDescription DescribeCommand(const CLI::App& command) {
  CommandDescription described;
  const bool top = command.get_parent() == nullptr;
  described.name = top ? "berth" : command.get_name();
  described.aliases = command.get_aliases();
  described.summary = command.get_description();
  if (const CommandUsage* usage = UsageOf(&command)) {
    described.usage = *usage;
  } else {
    described.usage = {top ? "berth" : command.get_name(),
                       top ? "[OPTIONS] COMMAND [ARG...]" : "[OPTIONS]",
                       described.summary};
  }
  for (const CLI::Option* option : command.get_options()) {
    // Positional arguments are the usage line's; options of no group are
    // hidden ones.
    if (option->get_positional() || option->get_group().empty()) continue;
    described.flags.push_back(DescribeFlag(*option));
  }
  for (const CLI::App* sub : command.get_subcommands(
           [](const CLI::App* sub) { return !sub->get_group().empty(); })) {
    described.subcommands.push_back(DescribeCommand(*sub));
  }
  return described;
}

std::vector<const CommandDescription*> AllCommands(
    const CommandDescription& root) {
  std::vector<const CommandDescription*> out;
  Collect(root, out);
  return out;
}

}  // namespace berth::ctl
