// `berth events` end to end: berthd in a temp root, the real CLI. The
// history replays with --since/--until in order with Docker's attributes,
// filters narrow it, a live `berth events` sees a start as it happens, and
// image tags and untags are events too.
#include <csignal>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "tests/e2e/container_fixture.h"

namespace berth::testing {
namespace {

// A --since/--until value: Unix seconds with nanoseconds, as Docker takes.
std::string Stamp(absl::Time at) {
  const int64_t ns = absl::ToUnixNanos(at);
  return absl::StrFormat("%d.%09d", ns / 1000000000, ns % 1000000000);
}

// The action of a default line: "TIME TYPE ACTION ID (attrs)"; actions
// with a colon ("health_status: healthy") are not used here.
std::string ActionOf(const std::string& line) {
  std::vector<std::string> words = absl::StrSplit(line, ' ');
  return words.size() > 2 ? words[2] : "";
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class EventsTest : public ContainerE2eTest {};

TEST_F(EventsTest, ReplaysALifecycleInOrderWithAttributes) {
  const absl::Time start = absl::Now();
  RunResult ran = env_.Berth(
      {"run", "--name", "web", "--label", "tier=front", "busybox", "true"});
  ASSERT_EQ(ran.exit_code, 0) << ran.err;
  ASSERT_EQ(env_.Berth({"rm", "web"}).exit_code, 0);
  const std::string since = Stamp(start);
  const std::string until = Stamp(absl::Now());

  RunResult events = env_.Berth({"events", "--since", since, "--until", until,
                                 "--filter", "container=web"});
  ASSERT_EQ(events.exit_code, 0) << events.err;
  std::vector<std::string> actions;
  for (const std::string& line : Lines(events.out)) {
    EXPECT_TRUE(absl::StrContains(line, " container ")) << line;
    EXPECT_TRUE(absl::StrContains(line, "image=busybox")) << line;
    EXPECT_TRUE(absl::StrContains(line, "name=web")) << line;
    EXPECT_TRUE(absl::StrContains(line, "tier=front")) << line;
    actions.push_back(ActionOf(line));
    if (ActionOf(line) == "die") {
      EXPECT_TRUE(absl::StrContains(line, "exitCode=0")) << line;
    }
  }
  EXPECT_EQ(actions, (std::vector<std::string>{"create", "attach", "start",
                                               "die", "destroy"}))
      << events.out;

  // Kinds ANDed, and a template over Docker's message.
  RunResult dies = env_.Berth(
      {"events", "--since", since, "--until", until, "--filter", "event=die",
       "--filter", "label=tier=front", "--format",
       "{{.Type}} {{.Action}} {{.Actor.Attributes.name}} {{.Status}}"});
  ASSERT_EQ(dies.exit_code, 0) << dies.err;
  EXPECT_EQ(dies.out, "container die web die\n");

  RunResult none = env_.Berth({"events", "--since", since, "--until", until,
                               "--filter", "type=image", "--filter",
                               "event=start"});
  ASSERT_EQ(none.exit_code, 0) << none.err;
  EXPECT_EQ(none.out, "");

  RunResult json = env_.Berth({"events", "--since", since, "--until", until,
                               "--filter", "event=create", "--format",
                               "json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  nlohmann::json message = nlohmann::json::parse(json.out, nullptr, false);
  ASSERT_FALSE(message.is_discarded()) << json.out;
  EXPECT_EQ(message["Type"], "container");
  EXPECT_EQ(message["Action"], "create");
  EXPECT_EQ(message["from"], "busybox");
  EXPECT_EQ(message["Actor"]["Attributes"]["name"], "web");
  EXPECT_EQ(message["scope"], "local");

  RunResult bad = env_.Berth({"events", "--filter", "bogus=1"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_EQ(bad.err, "Error: invalid filter 'bogus'\n");
}

TEST_F(EventsTest, ImageTagAndUntag) {
  const absl::Time start = absl::Now();
  ASSERT_EQ(env_.Berth({"tag", "busybox", "busybox:events"}).exit_code, 0);
  ASSERT_EQ(env_.Berth({"rmi", "busybox:events"}).exit_code, 0);
  RunResult events =
      env_.Berth({"events", "--since", Stamp(start), "--until",
                  Stamp(absl::Now()), "--filter", "type=image"});
  ASSERT_EQ(events.exit_code, 0) << events.err;
  const std::vector<std::string> lines = Lines(events.out);
  ASSERT_EQ(lines.size(), 2u) << events.out;
  EXPECT_EQ(ActionOf(lines[0]), "tag");
  EXPECT_TRUE(absl::StrContains(lines[0], " image tag sha256:")) << lines[0];
  EXPECT_TRUE(absl::StrContains(lines[0], "(name=busybox:events)")) << lines[0];
  EXPECT_EQ(ActionOf(lines[1]), "untag");

  // The image filter names it by its reference.
  RunResult by_name =
      env_.Berth({"events", "--since", Stamp(start), "--until",
                  Stamp(absl::Now()), "--filter", "image=busybox:events"});
  ASSERT_EQ(by_name.exit_code, 0) << by_name.err;
  EXPECT_EQ(Lines(by_name.out).size(), 1u) << by_name.out;
}

TEST_F(EventsTest, ALiveStreamSeesAStartAndUntilEndsIt) {
  const std::string log = env_.dir() + "/events.out";
  Daemon live(env_.BerthArgv({"events", "--filter", "event=start"}), log);
  // The stream is up once a start made after it shows: retry until then.
  bool seen = false;
  for (int attempt = 0; attempt < 20 && !seen; ++attempt) {
    const std::string name = "live" + std::to_string(attempt);
    ASSERT_EQ(env_.Berth({"run", "-d", "--name", name, "busybox", "sleep",
                          "30"})
                  .exit_code,
              0);
    for (int i = 0; i < 20 && !seen; ++i) {
      seen = absl::StrContains(ReadFile(log), "name=" + name + ")");
      if (!seen) absl::SleepFor(absl::Milliseconds(100));
    }
    env_.Berth({"rm", "-f", name});
  }
  EXPECT_TRUE(seen) << ReadFile(log);
  EXPECT_TRUE(live.running());
  // Only starts: no create, die or destroy got through the filter.
  for (const std::string& line : Lines(ReadFile(log))) {
    EXPECT_EQ(ActionOf(line), "start") << line;
  }
  live.Signal(SIGINT);
  live.Wait(absl::Seconds(5));
  EXPECT_FALSE(live.running());

  // --until in the future: it follows until then and ends by itself.
  const absl::Time before = absl::Now();
  RunResult bounded =
      env_.Berth({"events", "--until", Stamp(before + absl::Seconds(2))});
  EXPECT_EQ(bounded.exit_code, 0) << bounded.err;
  EXPECT_GE(absl::Now() - before, absl::Seconds(1));
}

TEST_F(EventsTest, CopiesExportCommitAndPrunesAreEvents) {
  const absl::Time start = absl::Now();
  ASSERT_EQ(env_.Berth({"create", "--name", "src", "busybox", "true"}).exit_code,
            0);
  const std::string host = env_.dir() + "/passwd";
  RunResult out = env_.Berth({"cp", "src:/etc/passwd", host});
  ASSERT_EQ(out.exit_code, 0) << out.err;
  RunResult in = env_.Berth({"cp", host, "src:/tmp/"});
  ASSERT_EQ(in.exit_code, 0) << in.err;
  RunResult exported =
      env_.Berth({"export", "-o", env_.dir() + "/src.tar", "src"});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  RunResult committed =
      env_.Berth({"commit", "-m", "snap shot", "src", "snap"});
  ASSERT_EQ(committed.exit_code, 0) << committed.err;
  ASSERT_EQ(env_.Berth({"container", "prune", "-f"}).exit_code, 0);
  ASSERT_EQ(env_.Berth({"image", "prune", "-f"}).exit_code, 0);
  const std::string since = Stamp(start);
  const std::string until = Stamp(absl::Now());

  RunResult events = env_.Berth({"events", "--since", since, "--until", until,
                                 "--filter", "container=src"});
  ASSERT_EQ(events.exit_code, 0) << events.err;
  std::vector<std::string> actions;
  for (const std::string& line : Lines(events.out)) {
    actions.push_back(ActionOf(line));
    if (ActionOf(line) == "commit") {
      EXPECT_TRUE(absl::StrContains(line, "comment=snap shot")) << line;
      EXPECT_TRUE(absl::StrContains(line, "imageRef=snap:latest")) << line;
      EXPECT_TRUE(absl::StrContains(line, "imageID=sha256:")) << line;
    }
  }
  EXPECT_EQ(actions,
            (std::vector<std::string>{"create", "archive-path",
                                      "extract-to-dir", "export", "commit",
                                      "destroy"}))
      << events.out;

  // Prunes have no actor, only what they reclaimed.
  RunResult prunes = env_.Berth(
      {"events", "--since", since, "--until", until, "--filter", "event=prune",
       "--format", "{{.Type}} {{.Action}} [{{.Actor.ID}}] {{len .Actor.Attributes}}"});
  ASSERT_EQ(prunes.exit_code, 0) << prunes.err;
  EXPECT_EQ(prunes.out, "container prune [] 1\nimage prune [] 1\n");
}

}  // namespace
}  // namespace berth::testing
