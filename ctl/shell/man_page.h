// Manual pages for berth, generated from the command tree
// (ctl/cli/command_tree.h): berth(1) for the top level and one page per
// command, `berth-run(1)`, `berth-image-ls(1)`, as Docker's are named.
// Pages are man(7) roff; `berth __manpages DIR` writes them (tools/up
// installs them into /usr/local/share/man/man1).
#ifndef BERTH_CTL_SHELL_MAN_PAGE_H_
#define BERTH_CTL_SHELL_MAN_PAGE_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "ctl/cli/command_tree.h"

namespace berth::ctl {

struct ManPage {
  std::string file_name;  // "berth-image-ls.1"
  std::string text;       // roff
};

// The page of every command of `root`'s tree, the top level first.
// `version` goes in the footer ("Berth 0.1.0").
std::vector<ManPage> ManPages(const CommandDescription& root,
                              absl::string_view version);

// "berth image ls" -> "berth-image-ls": the page's name, without section.
std::string ManPageName(absl::string_view command_path);

}  // namespace berth::ctl

#endif  // BERTH_CTL_SHELL_MAN_PAGE_H_
