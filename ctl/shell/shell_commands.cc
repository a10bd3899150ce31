#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/version.h"
#include "ctl/cli/command.h"
#include "ctl/shell/completion_script.h"
#include "ctl/shell/man_page.h"
#include "ctl/shell/shell_group.h"

namespace berth::ctl {
namespace {

constexpr ArgKind kNamedKinds[] = {ArgKind::kContainer, ArgKind::kImage,
                                   ArgKind::kObject, ArgKind::kNetwork,
                                   ArgKind::kVolume};

void AddCompletionCommand(CLI::App& app, CommandContext& context,
                          const CommandRegistry& registry) {
  const CLI::App* top = &app;
  AddCommandGroup(
      app, "completion",
      "Generate the autocompletion script for the specified shell",
      [&context, &registry, top](CLI::App& group) {
        for (const char* shell : {"bash", "fish", "zsh"}) {
          AddCommand(
              group, context, shell,
              {absl::StrCat("berth completion ", shell), "",
               absl::StrCat("Generate the autocompletion script for ",
                            shell)},
              0, 0,
              [&context, &registry, top, shell](
                  const std::vector<std::string>&) {
                absl::StatusOr<std::string> script = CompletionScript(
                    shell, DescribeRegistry(registry, *top));
                if (!script.ok()) return context.Fail(script.status());
                PrintOut(*script);
              });
        }
      });
}

// `berth __complete KIND`: the names of KIND, one a line.
void AddNamesCommand(CLI::App& app, CommandContext& context,
                     const CommandRegistry& registry) {
  AddCommand(
      app, context, "__complete",
      {"berth __complete", "KIND", "List the names of one kind of object"}, 1,
      1, [&context, &registry](const std::vector<std::string>& args) {
        for (ArgKind kind : kNamedKinds) {
          if (args[0] != ArgKindName(kind)) continue;
          const NameSource* source = registry.FindNameSource(kind);
          if (source == nullptr) break;
          absl::StatusOr<std::vector<std::string>> names =
              source->list(context);
          if (!names.ok()) return context.Fail(names.status());
          std::string out;
          for (const std::string& name : *names) absl::StrAppend(&out, name, "\n");
          return PrintOut(out);
        }
        context.Fail(absl::InvalidArgumentError(
            absl::StrCat("no names of kind \"", args[0], "\" to list")));
      });
}

// `berth __manpages DIR`: writes every page into DIR.
void AddManPagesCommand(CLI::App& app, CommandContext& context,
                        const CommandRegistry& registry) {
  const CLI::App* top = &app;
  AddCommand(
      app, context, "__manpages",
      {"berth __manpages", "DIR", "Write the manual pages into DIR"}, 1, 1,
      [&context, &registry, top](const std::vector<std::string>& args) {
        for (const ManPage& page :
             ManPages(DescribeRegistry(registry, *top), kVersion)) {
          const std::string path = absl::StrCat(args[0], "/", page.file_name);
          std::ofstream out(path, std::ios::trunc);
          out << page.text;
          out.close();
          if (!out) {
            return context.Fail(absl::UnavailableError(
                absl::StrCat("cannot write ", path)));
          }
        }
      });
}

}  // namespace

CommandDescription DescribeRegistry(const CommandRegistry& registry,
                                    const CLI::App& top) {
  CLI::App all(top.get_description(), "berth");
  CommandContext unused;  // the commands are described, never run
  (void)registry.AddTo(all, unused, "");
  CommandDescription described = DescribeCommand(all);
  described.flags = DescribeCommand(top).flags;
  return described;
}

std::vector<CommandSpec> ShellCommands(const CommandRegistry& registry) {
  const CommandRegistry* table = &registry;
  return {
      {"completion", "shell",
       "Generate the autocompletion script for the specified shell",
       [table](CLI::App& app, CommandContext& context) {
         AddCompletionCommand(app, context, *table);
       }},
      {"__complete", "shell", "List the names of one kind of object",
       [table](CLI::App& app, CommandContext& context) {
         AddNamesCommand(app, context, *table);
       },
       /*hidden=*/true},
      {"__manpages", "shell", "Write the manual pages into a directory",
       [table](CLI::App& app, CommandContext& context) {
         AddManPagesCommand(app, context, *table);
       },
       /*hidden=*/true},
  };
}

}  // namespace berth::ctl
