// Shell integration end to end: `berth completion bash` sourced in a real
// bash completes commands and the live names of a real berthd's containers
// and images (through bash's `complete` machinery: COMP_WORDS, COMP_CWORD,
// COMP_LINE, COMP_POINT and the registered function), and `berth
// __manpages` writes a page for every command that man(1) renders.
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/container_fixture.h"

namespace berth::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

class ShellE2eTest : public ContainerE2eTest {
 protected:
  // What bash's completion offers for `line` (the cursor at its end), the
  // script loaded as a user would, with `berth` found on PATH and pointed
  // at this environment's daemon.
  std::vector<std::string> Complete(const std::string& line) {
    const std::string cli = Runfile(kBerthCli);
    const std::string script = env_.dir() + "/berth.bash";
    if (access(script.c_str(), R_OK) != 0) {
      RunResult generated = env_.Berth({"completion", "bash"});
      EXPECT_EQ(generated.exit_code, 0) << generated.err;
      std::ofstream(script) << generated.out;
    }
    const std::string program = absl::StrCat(
        "source ", script, "\n",
        // The function registered for berth, as bash would call it.
        "fn=$(complete -p berth | sed -n 's/.*-F \\([^ ]*\\) berth$/\\1/p')\n"
        "COMP_LINE=$1 COMP_POINT=${#1}\n"
        "read -ra COMP_WORDS <<<\"$1\"\n"
        "[[ $1 == *' ' ]] && COMP_WORDS+=('')\n"
        "COMP_CWORD=$((${#COMP_WORDS[@]} - 1))\n"
        "\"$fn\" berth \"${COMP_WORDS[COMP_CWORD]}\" "
        "\"${COMP_WORDS[COMP_CWORD-1]}\"\n"
        "printf '%s\\n' \"${COMPREPLY[@]}\"\n");
    const std::string bin_dir = cli.substr(0, cli.rfind('/'));
    RunResult completed = RunCommand(
        {"/bin/bash", "-c", program, "bash", line},
        {{"PATH", bin_dir + ":/usr/bin:/bin"},
         {"BERTH_RUN_ROOT", env_.run_root()}});
    EXPECT_EQ(completed.exit_code, 0) << completed.err;
    return absl::StrSplit(completed.out, '\n', absl::SkipEmpty());
  }
};

TEST_F(ShellE2eTest, BashCompletesCommandsAndLiveNames) {
  ASSERT_EQ(env_.Berth({"create", "--name", "web", "busybox"}).exit_code, 0);
  ASSERT_EQ(env_.Berth({"run", "-d", "--name", "worker", "busybox", "sleep",
                        "60"})
                .exit_code,
            0);
  ASSERT_EQ(env_.Berth({"tag", "busybox", "tools:1"}).exit_code, 0);

  EXPECT_THAT(Complete("berth ru"), UnorderedElementsAre("run"));
  EXPECT_THAT(Complete("berth rm "), UnorderedElementsAre("web", "worker"));
  EXPECT_THAT(Complete("berth stop w"), UnorderedElementsAre("web", "worker"));
  EXPECT_THAT(Complete("berth logs wo"), UnorderedElementsAre("worker"));
  EXPECT_THAT(Complete("berth container rm "),
              UnorderedElementsAre("web", "worker"));
  EXPECT_THAT(Complete("berth run --rm "),
              UnorderedElementsAre("busybox:latest", "tools:1"));
  EXPECT_THAT(Complete("berth rmi t"), UnorderedElementsAre("tools:1"));
  EXPECT_THAT(Complete("berth image "),
              ::testing::Contains("ls"));
  EXPECT_THAT(Complete("berth ps --al"), UnorderedElementsAre("--all"));
  // The names come from the daemon the command line points at.
  EXPECT_THAT(Complete("berth --run-root " + env_.run_root() + " kill "),
              UnorderedElementsAre("web", "worker"));
  EXPECT_THAT(Complete("berth --run-root " + env_.dir() + "/nowhere kill "),
              ::testing::IsEmpty());

  // A container made later is offered at once: the names are live.
  ASSERT_EQ(env_.Berth({"create", "--name", "later", "busybox"}).exit_code, 0);
  EXPECT_THAT(Complete("berth start l"), UnorderedElementsAre("later"));
  EXPECT_EQ(env_.Berth({"rm", "-f", "web", "worker", "later"}).exit_code, 0);
}

TEST_F(ShellE2eTest, EveryCommandHasAManPageThatRenders) {
  const std::string dir = env_.dir() + "/man1";
  ASSERT_EQ(mkdir(dir.c_str(), 0755), 0);
  RunResult written = env_.Berth({"__manpages", dir});
  ASSERT_EQ(written.exit_code, 0) << written.err;
  // Each command in `berth --help` has its page, and so do the groups'.
  RunResult help = env_.Berth({"--help"});
  const std::string listing = help.out.substr(help.out.find("Subcommands:"));
  for (const std::string& line : Lines(listing)) {
    if (line.rfind("  ", 0) != 0) continue;
    const std::string name = line.substr(2, line.find(' ', 2) - 2);
    EXPECT_EQ(access((dir + "/berth-" + name + ".1").c_str(), R_OK), 0)
        << name;
  }
  for (const char* page : {"berth.1", "berth-image-ls.1", "berth-container-rm.1",
                           "berth-completion-bash.1"}) {
    EXPECT_EQ(access((dir + "/" + page).c_str(), R_OK), 0) << page;
  }
  if (access("/usr/bin/man", X_OK) != 0) {
    GTEST_SKIP() << "man is not installed: pages written, not rendered";
  }
  RunResult rendered = RunCommand({"/usr/bin/man", "-l", dir + "/berth-run.1"},
                                  {{"MANWIDTH", "80"}});
  EXPECT_EQ(rendered.exit_code, 0) << rendered.err;
  EXPECT_THAT(rendered.out,
              HasSubstr("berth-run - Create and run a new container from an "
                        "image"));
  EXPECT_THAT(rendered.out,
              HasSubstr("berth run [OPTIONS] IMAGE [COMMAND] [ARG...]"));
  EXPECT_THAT(rendered.out, HasSubstr("-d, --detach"));
  EXPECT_THAT(rendered.out, HasSubstr("--name=VALUE"));
}

}  // namespace
}  // namespace berth::testing
