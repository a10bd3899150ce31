// End to end: `berth stats` on real containers through the CLI: a container
// that fills 20 MiB of its /dev/shm (tmpfs pages count as its memory and
// are not inactive file cache) and spins shows CPU % and memory near that;
// the --format placeholders; a created container with -a shows zeroes; an
// unknown name is Docker's error.
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

}  // namespace
}  // namespace berth::testing
