// End to end: `berth stats` on real containers through the CLI: a container
// that fills 20 MiB of its /dev/shm (tmpfs pages count as its memory and
// are not inactive file cache) and spins shows CPU % and memory near that;
// the --format placeholders; a created container with -a shows zeroes; an
// unknown name is Docker's error; streaming without names follows the
// containers that start (or, with -a, are created) and go, in the config
// file's statsFormat.
#include <sys/stat.h>

#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/container_fixture.h"

namespace berth::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class StatsE2eTest : public ContainerE2eTest {};

TEST_F(StatsE2eTest, BusyContainerShowsCpuAndMemory) {
  RunResult run = env_.Berth(
      {"run", "-d", "--name", "hog", "busybox", "sh", "-c",
       "head -c 20971520 /dev/zero > /dev/shm/fill && touch /tmp/ready && "
       "while :; do :; done"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::string id(absl::StripAsciiWhitespace(run.out));
  // Until the file is written.
  for (int i = 0; i < 100; ++i) {
    if (env_.Berth({"exec", "hog", "test", "-e", "/tmp/ready"}).exit_code == 0) {
      break;
    }
    absl::SleepFor(absl::Milliseconds(100));
  }

  RunResult stats = env_.Berth(
      {"stats", "--no-stream", "--format",
       "{{.Container}}|{{.Name}}|{{.ID}}|{{.CPUPerc}}|{{.MemUsage}}|"
       "{{.MemPerc}}|{{.NetIO}}|{{.BlockIO}}|{{.PIDs}}",
       "hog"});
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  std::vector<std::string> fields =
      absl::StrSplit(absl::StripTrailingAsciiWhitespace(stats.out), '|');
  ASSERT_EQ(fields.size(), 9u) << stats.out;
  EXPECT_EQ(fields[0], "hog");
  EXPECT_EQ(fields[1], "hog");
  EXPECT_EQ(fields[2], id.substr(0, 12));
  // A spinning shell uses most of a CPU.
  double cpu = 0;
  ASSERT_TRUE(absl::SimpleAtod(absl::StripSuffix(fields[3], "%"), &cpu))
      << fields[3];
  EXPECT_GT(cpu, 20.0) << stats.out;
  // "20.5MiB / 7.6GiB": the 20 MiB file and a little more.
  std::vector<std::string> memory = absl::StrSplit(fields[4], " / ");
  ASSERT_EQ(memory.size(), 2u) << fields[4];
  ASSERT_TRUE(absl::EndsWith(memory[0], "MiB")) << fields[4];
  double mib = 0;
  ASSERT_TRUE(absl::SimpleAtod(absl::StripSuffix(memory[0], "MiB"), &mib));
  EXPECT_GE(mib, 19.0) << fields[4];
  EXPECT_LE(mib, 64.0) << fields[4];
  EXPECT_THAT(fields[5], ::testing::EndsWith("%"));
  EXPECT_THAT(fields[6], HasSubstr(" / "));
  EXPECT_THAT(fields[7], HasSubstr(" / "));
  EXPECT_EQ(fields[8], "1");

  // Docker's default table, the full id with --no-trunc, and json.
  RunResult table = env_.Berth({"stats", "--no-stream"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  std::vector<std::string> lines = Lines(table.out);
  ASSERT_EQ(lines.size(), 2u) << table.out;
  // Columns are at least three spaces apart (Docker's tabwriter).
  std::vector<std::string> header;
  for (absl::string_view column : absl::StrSplit(lines[0], "   ")) {
    column = absl::StripAsciiWhitespace(column);
    if (!column.empty()) header.emplace_back(column);
  }
  EXPECT_THAT(header, ::testing::ElementsAre(
                          "CONTAINER ID", "NAME", "CPU %", "MEM USAGE / LIMIT",
                          "MEM %", "NET I/O", "BLOCK I/O", "PIDS"));
  EXPECT_THAT(lines[1], StartsWith(id.substr(0, 12) + "   hog       "));
  RunResult full = env_.Berth(
      {"container", "stats", "--no-stream", "--no-trunc", "--format",
       "table {{.ID}}\t{{.PIDs}}"});
  ASSERT_EQ(full.exit_code, 0) << full.err;
  EXPECT_THAT(full.out, HasSubstr(id));
  EXPECT_THAT(full.out, StartsWith("CONTAINER ID"));
  RunResult json =
      env_.Berth({"stats", "--no-stream", "--format", "json", "hog"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  nlohmann::json row = nlohmann::json::parse(json.out, nullptr, false);
  ASSERT_FALSE(row.is_discarded()) << json.out;
  EXPECT_EQ(row["Name"], "hog");
  EXPECT_EQ(row["Container"], "hog");
  EXPECT_EQ(row["PIDs"], "1");

  // Streaming to a file (no terminal): a table per second, no escapes; the
  // stream ends when its only container is removed.
  const std::string log = env_.dir() + "/stream.out";
  Daemon stream(env_.BerthArgv({"stats", "--format", "{{.Name}} {{.PIDs}}",
                                "hog"}),
                log);
  absl::SleepFor(absl::Milliseconds(3500));
  EXPECT_EQ(env_.Berth({"rm", "-f", "hog"}).exit_code, 0);
  EXPECT_EQ(stream.Wait(absl::Seconds(10)), 0);
  const std::string streamed = ReadFile(log);
  EXPECT_GE(Lines(streamed).size(), 2u) << streamed;
  EXPECT_THAT(streamed, StartsWith("hog 1\nhog 1\n"));
  EXPECT_THAT(streamed, ::testing::Not(HasSubstr("\033")));
}

TEST_F(StatsE2eTest, StoppedContainerWithAllShowsZeroes) {
  RunResult created = env_.Berth({"create", "--name", "idle", "busybox"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  // Without -a only running containers: none, just the header.
  RunResult running = env_.Berth({"stats", "--no-stream"});
  ASSERT_EQ(running.exit_code, 0) << running.err;
  EXPECT_EQ(Lines(running.out).size(), 1u) << running.out;
  RunResult all = env_.Berth(
      {"stats", "-a", "--no-stream", "--format",
       "{{.Name}} {{.CPUPerc}} {{.MemUsage}} {{.MemPerc}} {{.NetIO}} "
       "{{.BlockIO}} {{.PIDs}}"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  EXPECT_EQ(all.out, "idle 0.00% 0B / 0B 0.00% 0B / 0B 0B / 0B 0\n");
}

TEST_F(StatsE2eTest, UnknownNameIsDockersError) {
  RunResult missing = env_.Berth({"stats", "--no-stream", "nosuch"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("No such container: nosuch"));
  EXPECT_EQ(missing.out, "");
}

// The last frame of a streamed "table {{.Name}}": the lines after the last
// header.
std::string LastFrame(const std::string& streamed) {
  const size_t header = streamed.rfind("NAME\n");
  return header == std::string::npos ? "" : streamed.substr(header + 5);
}

// Waits up to 20 s for `log`'s last frame to be `want`.
bool AwaitLastFrame(const std::string& log, const std::string& want) {
  for (int i = 0; i < 200; ++i) {
    if (LastFrame(ReadFile(log)) == want) return true;
    absl::SleepFor(absl::Milliseconds(100));
  }
  return false;
}

TEST_F(StatsE2eTest, StreamingWithoutNamesFollowsContainersThatComeAndGo) {
  const std::string config = env_.dir() + "/cli";
  ASSERT_EQ(mkdir(config.c_str(), 0700), 0);
  std::ofstream(config + "/config.json")
      << R"({"statsFormat": "table {{.Name}}"})";
  const std::map<std::string, std::string> env = {{"BERTH_CONFIG", config}};
  const std::string running_log = env_.dir() + "/running.out";
  const std::string all_log = env_.dir() + "/all.out";
  Daemon running(env_.BerthArgv({"stats"}), running_log, env);
  Daemon all(env_.BerthArgv({"stats", "-a"}), all_log, env);
  // The first frame (no container: the header alone) comes once each is
  // subscribed to the events.
  ASSERT_TRUE(AwaitLastFrame(running_log, "")) << ReadFile(running_log);
  ASSERT_TRUE(AwaitLastFrame(all_log, "")) << ReadFile(all_log);

  // A created container shows with -a only; started, in both.
  ASSERT_EQ(env_.Berth({"create", "--name", "late", "busybox", "sleep", "30"})
                .exit_code,
            0);
  EXPECT_TRUE(AwaitLastFrame(all_log, "late\n")) << ReadFile(all_log);
  ASSERT_EQ(env_.Berth({"start", "late"}).exit_code, 0);
  EXPECT_TRUE(AwaitLastFrame(running_log, "late\n")) << ReadFile(running_log);
  // Stopped, it leaves the running ones' table but stays in -a's.
  ASSERT_EQ(env_.Berth({"kill", "late"}).exit_code, 0);
  EXPECT_TRUE(AwaitLastFrame(running_log, "")) << ReadFile(running_log);
  EXPECT_EQ(LastFrame(ReadFile(all_log)), "late\n");
  // Removed, it leaves both.
  ASSERT_EQ(env_.Berth({"rm", "late"}).exit_code, 0);
  EXPECT_TRUE(AwaitLastFrame(all_log, "")) << ReadFile(all_log);
  EXPECT_TRUE(running.running());
  EXPECT_TRUE(all.running());
  EXPECT_THAT(ReadFile(all_log), ::testing::Not(HasSubstr("CPU %")));
}

}  // namespace
}  // namespace berth::testing
