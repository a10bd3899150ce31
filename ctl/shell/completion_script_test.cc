#include "ctl/shell/completion_script.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace berth::ctl {
namespace {

using ::testing::HasSubstr;

// A small tree shaped as berth's: a global flag, a group with an aliased
// subcommand, commands taking containers and images.
CommandDescription Tree() {
  CommandDescription rm{"rm", {}, "Remove containers",
                        {"berth rm", "[OPTIONS] CONTAINER [CONTAINER...]",
                         "Remove containers", {ArgKind::kContainer}},
                        {{{"-f", "--force"}, false, "Force"}}, {}};
  CommandDescription run{
      "run", {}, "Run a container",
      {"berth run", "[OPTIONS] IMAGE [COMMAND]", "Run",
       {ArgKind::kImage, ArgKind::kNone}},
      {{{"-e", "--env"}, true, "Set environment variables"},
       {{"--rm"}, false, "Remove it when it exits"}},
      {}};
  CommandDescription ls{"ls", {"ps", "list"}, "List containers",
                        {"berth container ls", "[OPTIONS]", "List"},
                        {{{"-a", "--all"}, false, "All"}}, {}};
  CommandDescription group{"container", {}, "Manage containers",
                           {"berth container", "COMMAND", "Manage"}, {},
                           {ls, rm}};
  group.subcommands[1].usage.path = "berth container rm";
  return {"berth", {}, "A container platform",
          {"berth", "[OPTIONS] COMMAND [ARG...]", ""},
          {{{"--run-root"}, true, "Directory of the sockets"}},
          {group, rm, run}};
}

// Runs `script` (the completion, then `commands`) in bash with a fake
// `berth` on PATH that answers `__complete KIND` and records its
// arguments; returns bash's stdout.
std::string RunBash(const std::string& script, const std::string& commands) {
  const std::string dir = std::getenv("TEST_TMPDIR");
  {
    std::ofstream fake(dir + "/berth");
    fake << "#!/bin/sh\n"
            "echo \"$@\" >>\"" << dir << "/berth.calls\"\n"
            "for last; do :; done\n"
            "case $last in\n"
            "  container) printf 'web\\nworker\\ndb\\n' ;;\n"
            "  image) printf 'busybox:latest\\nbusybox:1.36\\nalpine:3\\n' ;;\n"
            "esac\n";
  }
  chmod((dir + "/berth").c_str(), 0755);
  std::ofstream(dir + "/completion.bash") << script;
  std::ofstream(dir + "/commands.bash")
      << "source " << dir << "/completion.bash\n"
      << "complete_line() {\n"
         "  COMP_LINE=$1 COMP_POINT=${#1}\n"
         "  read -ra COMP_WORDS <<<\"$1\"\n"
         "  [[ $1 == *' ' ]] && COMP_WORDS+=('')\n"
         "  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))\n"
         "  _berth berth\n"
         "  echo \"${COMPREPLY[*]}\"\n"
         "}\n"
      << commands;
  const std::string command = "PATH=" + dir + ":$PATH bash " + dir +
                              "/commands.bash 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  std::string out;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  pclose(pipe);
  return out;
}

TEST(CompletionScriptTest, BashCompletesCommandsFlagsAndLiveNames) {
  absl::StatusOr<std::string> script = CompletionScript("bash", Tree());
  ASSERT_TRUE(script.ok()) << script.status();
  EXPECT_EQ(RunBash(*script, "complete_line 'berth ru'\n"), "run\n");
  EXPECT_EQ(RunBash(*script, "complete_line 'berth rm '\n"),
            "web worker db\n");
  EXPECT_EQ(RunBash(*script, "complete_line 'berth rm web wo'\n"), "worker\n");
  EXPECT_EQ(RunBash(*script, "complete_line 'berth container '\n"), "ls rm\n");
  // An alias leads to its command; flags of that command.
  EXPECT_EQ(RunBash(*script, "complete_line 'berth container ps -'\n"),
            "-a --all\n");
  EXPECT_EQ(RunBash(*script, "complete_line 'berth container rm d'\n"),
            "db\n");
  // A flag's value is skipped: the image is the first argument still.
  EXPECT_EQ(RunBash(*script, "complete_line 'berth run -e A=1 --rm bu'\n"),
            "busybox:latest busybox:1.36\n");
  // bash splits "busybox:1" at the colon: only the rest is replied.
  EXPECT_EQ(RunBash(*script, "complete_line 'berth run busybox:1'\n"),
            "1.36\n");
  // The global flags reach the nested call, so it asks the same daemon.
  const std::string dir = std::getenv("TEST_TMPDIR");
  std::remove((dir + "/berth.calls").c_str());
  RunBash(*script, "complete_line 'berth --run-root /x rm '\n");
  std::ifstream calls(dir + "/berth.calls");
  std::string call;
  std::getline(calls, call);
  EXPECT_EQ(call, "--run-root /x __complete container");
}

TEST(CompletionScriptTest, ZshAndFishCarryTheSameTables) {
  absl::StatusOr<std::string> zsh = CompletionScript("zsh", Tree());
  ASSERT_TRUE(zsh.ok());
  EXPECT_THAT(*zsh, HasSubstr("#compdef berth\n"));
  EXPECT_THAT(*zsh, HasSubstr("\"berth container/ls\"|\"berth container/ps\""
                              "|\"berth container/list\") echo ls ;;"));
  EXPECT_THAT(*zsh, HasSubstr("\"berth run\") echo \"image none\" ;;"));
  EXPECT_THAT(*zsh, HasSubstr("compdef _berth berth"));
  absl::StatusOr<std::string> fish = CompletionScript("fish", Tree());
  ASSERT_TRUE(fish.ok());
  EXPECT_THAT(*fish,
              HasSubstr("complete -c berth -n '__berth_path_is \\'berth\\'' "
                        "-a 'run' -d 'Run a container'"));
  EXPECT_THAT(*fish, HasSubstr("complete -c berth -n '__berth_path_is "
                               "\\'berth run\\'' -s e -l env -r -d 'Set "
                               "environment variables'"));
  EXPECT_THAT(*fish, HasSubstr("case 'berth rm'\n            printf '%s\\n' "
                               "'container'"));
}

TEST(CompletionScriptTest, OtherShellsAreRefused) {
  absl::StatusOr<std::string> script = CompletionScript("tcsh", Tree());
  EXPECT_EQ(script.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(script.status().message()), HasSubstr("tcsh"));
}

}  // namespace
}  // namespace berth::ctl
