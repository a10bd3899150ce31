#include "ctl/shell/man_page.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace berth::ctl {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

CommandDescription Tree() {
  CommandDescription ls{"ls", {"ps"}, "List containers",
                        {"berth container ls", "[OPTIONS]", "List"},
                        {{{"-a", "--all"}, false, "Show all containers"},
                         {{"--format"}, true, ".Names or json"}},
                        {}};
  CommandDescription group{"container", {}, "Manage containers",
                           {"berth container", "COMMAND", "Manage"}, {},
                           {ls}};
  return {"berth", {}, "A container platform",
          {"berth", "[OPTIONS] COMMAND [ARG...]", ""}, {}, {group}};
}

TEST(ManPagesTest, OnePagePerCommandNamedAsDockers) {
  const std::vector<ManPage> pages = ManPages(Tree(), "1.2.3");
  ASSERT_EQ(pages.size(), 3u);
  EXPECT_EQ(pages[0].file_name, "berth.1");
  EXPECT_EQ(pages[1].file_name, "berth-container.1");
  EXPECT_EQ(pages[2].file_name, "berth-container-ls.1");
}

TEST(ManPagesTest, PagesAreRoffWithEscapes) {
  const std::vector<ManPage> pages = ManPages(Tree(), "1.2.3");
  const std::string& ls = pages[2].text;
  EXPECT_THAT(ls, StartsWith(".TH \"BERTH-CONTAINER-LS\" 1 \"\" \"Berth "
                             "1.2.3\" \"Berth Manual\"\n.SH NAME\n"
                             "berth\\-container\\-ls \\- List containers\n"));
  EXPECT_THAT(ls, HasSubstr(".SH SYNOPSIS\n.B berth container ls\n[OPTIONS]\n"));
  EXPECT_THAT(ls, HasSubstr(".TP\n\\fB\\-a\\fR, \\fB\\-\\-all\\fR\nShow all "
                            "containers\n"));
  // A value flag shows its value; a help line opening with '.' is no
  // request.
  EXPECT_THAT(ls, HasSubstr("\\fB\\-\\-format\\fR=\\fIVALUE\\fR\n\\&.Names or "
                            "json\n"));
  EXPECT_THAT(ls, HasSubstr("Also available as \\fBberth container ps\\fR."));
  EXPECT_THAT(ls, HasSubstr(".SH SEE ALSO\n\\fBberth\\-container\\fR(1)\n"));
}

// Rendered by man(1) where it is installed: the page reads as written.
TEST(ManPagesTest, RendersWithMan) {
  if (access("/usr/bin/man", X_OK) != 0) {
    GTEST_SKIP() << "man is not installed";
  }
  const std::string path =
      std::string(std::getenv("TEST_TMPDIR")) + "/berth-container-ls.1";
  std::ofstream(path) << ManPages(Tree(), "1.2.3")[2].text;
  FILE* pipe = popen(("MANWIDTH=80 man -l " + path + " 2>&1").c_str(), "r");
  std::string out;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  EXPECT_EQ(pclose(pipe), 0) << out;
  EXPECT_THAT(out, HasSubstr("berth-container-ls - List containers"));
  EXPECT_THAT(out, HasSubstr("berth container ls [OPTIONS]"));
  EXPECT_THAT(out, HasSubstr("-a, --all"));
  EXPECT_THAT(out, HasSubstr("--format=VALUE"));
}

}  // namespace
}  // namespace berth::ctl
