#include "ctl/shell/man_page.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"

namespace berth::ctl {
namespace {

// Text as roff shows it literally: backslashes escaped, hyphens as the
// minus sign (so option names stay copyable), and no line taken for a
// request because it starts with '.' or '\''.
std::string Roff(absl::string_view text) {
  std::string escaped =
      absl::StrReplaceAll(text, {{"\\", "\\e"}, {"-", "\\-"}});
  std::vector<std::string> lines = absl::StrSplit(escaped, '\n');
  for (std::string& line : lines) {
    if (!line.empty() && (line[0] == '.' || line[0] == '\'')) {
      line = "\\&" + line;
    }
  }
  return absl::StrJoin(lines, "\n");
}

std::string Bold(absl::string_view text) {
  return absl::StrCat("\\fB", Roff(text), "\\fR");
}

// "-d, --detach" or "-e, --env=VALUE".
std::string FlagTerm(const FlagDescription& flag) {
  std::vector<std::string> names;
  for (const std::string& name : flag.names) names.push_back(Bold(name));
  return absl::StrCat(absl::StrJoin(names, ", "),
                      flag.takes_value ? "=\\fIVALUE\\fR" : "");
}

// A summary as a sentence: "List images" -> "List images."
std::string Sentence(absl::string_view summary) {
  std::string text(summary);
  if (!text.empty() && text.back() != '.') text += '.';
  return text;
}

void AddPages(const CommandDescription& command, const std::string& path,
              const std::string& parent_page, absl::string_view version,
              std::vector<ManPage>& pages) {
  const std::string name = ManPageName(path);
  std::string text = absl::StrCat(
      ".TH \"", absl::AsciiStrToUpper(name), "\" 1 \"\" \"Berth ", version,
      "\" \"Berth Manual\"\n.SH NAME\n", Roff(name), " \\- ",
      Roff(command.summary), "\n.SH SYNOPSIS\n.B ", Roff(path), "\n");
  const std::string& args = command.usage.args;
  if (!args.empty()) absl::StrAppend(&text, Roff(args), "\n");
  absl::StrAppend(&text, ".SH DESCRIPTION\n", Roff(Sentence(command.summary)),
                  "\n");
  if (!command.aliases.empty()) {
    std::vector<std::string> aliases;
    const std::string parent_path = path.substr(0, path.rfind(' '));
    for (const std::string& alias : command.aliases) {
      aliases.push_back(Bold(absl::StrCat(parent_path, " ", alias)));
    }
    absl::StrAppend(&text, ".PP\nAlso available as ",
                    absl::StrJoin(aliases, ", "), ".\n");
  }
  if (!command.subcommands.empty()) {
    absl::StrAppend(&text, ".SH COMMANDS\n");
    for (const CommandDescription& sub : command.subcommands) {
      const std::string sub_path = absl::StrCat(path, " ", sub.name);
      absl::StrAppend(&text, ".TP\n", Bold(ManPageName(sub_path)), "(1)\n",
                      Roff(sub.summary), "\n");
    }
  }
  if (!command.flags.empty()) {
    absl::StrAppend(&text, ".SH OPTIONS\n");
    for (const FlagDescription& flag : command.flags) {
      absl::StrAppend(&text, ".TP\n", FlagTerm(flag), "\n",
                      Roff(flag.help.empty() ? "(no description)" : flag.help),
                      "\n");
    }
  }
  if (!parent_page.empty()) {
    absl::StrAppend(&text, ".SH SEE ALSO\n", Bold(parent_page), "(1)\n");
  }
  pages.push_back({name + ".1", std::move(text)});
  for (const CommandDescription& sub : command.subcommands) {
    AddPages(sub, absl::StrCat(path, " ", sub.name), name, version, pages);
  }
}

}  // namespace

std::string ManPageName(absl::string_view command_path) {
  return absl::StrReplaceAll(command_path, {{" ", "-"}});
}

std::vector<ManPage> ManPages(const CommandDescription& root,
                              absl::string_view version) {
  std::vector<ManPage> pages;
  AddPages(root, "berth", "", version, pages);
  return pages;
}

}  // namespace berth::ctl
