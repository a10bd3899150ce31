#include "ctl/cli/registry.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace berth::ctl {

absl::Status CommandRegistry::Register(CommandSpec spec) {
  if (spec.name.empty() || spec.group.empty() || spec.summary.empty() ||
      !spec.add) {
    return absl::InvalidArgumentError(absl::StrCat(
        "command \"", spec.name, "\" needs a name, a group, a summary and an "
        "add function"));
  }
  if (Find(spec.name) != nullptr) {
    return absl::AlreadyExistsError(absl::StrCat(
        "command \"", spec.name, "\" is registered twice (by group ",
        Find(spec.name)->group, " and by group ", spec.group, ")"));
  }
  commands_.push_back(std::move(spec));
  return absl::OkStatus();
}

absl::Status CommandRegistry::RegisterAll(std::vector<CommandSpec> specs) {
  for (CommandSpec& spec : specs) {
    if (absl::Status status = Register(std::move(spec)); !status.ok()) {
      return status;
    }
  }
  return absl::OkStatus();
}

absl::Status CommandRegistry::RegisterNameSource(NameSource source) {
  if (source.kind == ArgKind::kNone || !source.list) {
    return absl::InvalidArgumentError(
        "a name source needs a kind of object and a list function");
  }
  if (FindNameSource(source.kind) != nullptr) {
    return absl::AlreadyExistsError(absl::StrCat(
        "the names of kind \"", ArgKindName(source.kind),
        "\" have a source already"));
  }
  name_sources_.push_back(std::move(source));
  return absl::OkStatus();
}

const NameSource* CommandRegistry::FindNameSource(ArgKind kind) const {
  for (const NameSource& source : name_sources_) {
    if (source.kind == kind) return &source;
  }
  return nullptr;
}

const CommandSpec* CommandRegistry::Find(absl::string_view name) const {
  for (const CommandSpec& spec : commands_) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

absl::Status CommandRegistry::AddTo(CLI::App& app, CommandContext& context,
                                    absl::string_view only) const {
  if (only.empty()) {
    for (const CommandSpec& spec : commands_) {
      if (absl::Status status = AddOne(app, context, spec); !status.ok()) {
        return status;
      }
    }
    return absl::OkStatus();
  }
  const CommandSpec* spec = Find(only);
  if (spec == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("'", only, "' is not a berth command."));
  }
  return AddOne(app, context, *spec);
}

absl::Status CommandRegistry::AddOne(CLI::App& app, CommandContext& context,
                                     const CommandSpec& spec) const {
  spec.add(app, context);
  // The table is what the help shows: a spec whose add function names its
  // command differently would list one command and run another.
  std::vector<CLI::App*> added = app.get_subcommands(
      [&spec](CLI::App* command) { return command->get_name() == spec.name; });
  if (added.size() != 1) {
    return absl::InternalError(absl::StrCat(
        "command \"", spec.name, "\" of group ", spec.group,
        " did not add exactly one subcommand of that name"));
  }
  added.front()->description(spec.summary);
  // CLI11 leaves commands of no group out of the help.
  if (spec.hidden) added.front()->group("");
  return absl::OkStatus();
}

}  // namespace berth::ctl
