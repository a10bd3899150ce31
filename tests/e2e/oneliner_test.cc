// Docker one-liners from Docker's documentation and the web, run through
// the real `berth` CLI against berthd, with their exact outputs: every
// template action (if/else if/else, range over slices and maps with
// variables and else, with, variables, comments, trim markers, pipelines,
// parentheses, break) and function (json, join, split, lower, upper, title,
// truncate, pad, print, printf, println, index, len, slice, eq, ne, lt, le,
// gt, ge, and, or, not, html, js, urlquery, .Label) on ps, images, history,
// inspect, image inspect, version and info. Values that change from run to
// run (ids, addresses, times) come from `inspect`'s JSON. Where the Docker
// CLI is installed, the errors it gives without a daemon (template parsing)
// are compared with Berth's.
#include <unistd.h>

#include <regex>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "tests/e2e/container_fixture.h"

namespace berth::testing {
namespace {

using nlohmann::ordered_json;

class OneLinerTest : public ContainerE2eTest {
 protected:
  void SetUp() override {
    ContainerE2eTest::SetUp();
    RunResult web = env_.Berth(
        {"run", "-d", "--name", "web", "--label", "tier=frontend", "--label",
         "com.example.version=1.0", "-e", "FOO=bar", "busybox", "sleep",
         "300"});
    ASSERT_EQ(web.exit_code, 0) << web.err;
    RunResult done = env_.Berth({"run", "--name", "done", "--label",
                                 "tier=batch", "busybox", "sh", "-c",
                                 "exit 3"});
    ASSERT_EQ(done.exit_code, 3) << done.err;
    web_ = InspectOrdered("web");
    done_ = InspectOrdered("done");
  }

  void TearDown() override { env_.Berth({"rm", "-f", "web", "done"}); }

  ordered_json InspectOrdered(const std::string& name) {
    RunResult inspected = env_.Berth({"inspect", name});
    EXPECT_EQ(inspected.exit_code, 0) << inspected.err;
    ordered_json parsed = ordered_json::parse(inspected.out, nullptr, false);
    if (parsed.is_discarded() || parsed.empty()) return ordered_json::object();
    return parsed[0];
  }

  // Runs `berth ARGS` and expects exactly `out` on stdout and exit 0.
  void Expect(const std::vector<std::string>& args, const std::string& out) {
    SCOPED_TRACE(absl::StrJoin(args, " "));
    RunResult run = env_.Berth(args);
    EXPECT_EQ(run.exit_code, 0) << run.err;
    EXPECT_EQ(run.out, out);
    ++one_liners_;
  }

  // Stdout matching a regular expression, for what a clock changes.
  void ExpectMatch(const std::vector<std::string>& args,
                   const std::string& pattern) {
    SCOPED_TRACE(absl::StrJoin(args, " "));
    RunResult run = env_.Berth(args);
    EXPECT_EQ(run.exit_code, 0) << run.err;
    EXPECT_TRUE(std::regex_match(run.out, std::regex(pattern)))
        << "output: " << run.out << "\npattern: " << pattern;
    ++one_liners_;
  }

  // A failure: exit code, and stderr holding `message` (Berth prefixes its
  // errors with "Error: ").
  void ExpectError(const std::vector<std::string>& args, int exit_code,
                   const std::string& message, const std::string& out = "") {
    SCOPED_TRACE(absl::StrJoin(args, " "));
    RunResult run = env_.Berth(args);
    EXPECT_EQ(run.exit_code, exit_code) << run.err;
    EXPECT_EQ(run.err, "Error: " + message + "\n");
    EXPECT_EQ(run.out, out);
    ++one_liners_;
  }

  std::string WebId() const { return web_["Id"].get<std::string>(); }
  std::string Env(const std::string& separator, const std::string& end) const {
    std::string out;
    for (const auto& e : web_["Config"]["Env"]) {
      absl::StrAppend(&out, e.get<std::string>(), separator);
    }
    if (!out.empty()) out.resize(out.size() - separator.size());
    return out + end;
  }

  ordered_json web_;
  ordered_json done_;
  int one_liners_ = 0;
};

TEST_F(OneLinerTest, DockerOneLiners) {
  const std::string id12 = WebId().substr(0, 12);

  // ---- ps ----
  ExpectMatch({"ps", "--format", "table {{.ID}}\\t{{.Names}}\\t{{.Status}}"},
              "CONTAINER ID   NAMES     STATUS\n" + id12 +
                  "   web       Up [^\n]+\n");
  Expect({"ps", "--format", "{{.Names}}"}, "web\n");
  Expect({"ps", "-a", "--filter", "status=exited", "--format", "{{.Names}}"},
         "done\n");
  Expect({"ps", "-a", "--filter", "label=tier=frontend", "--format",
          "{{.Names}}: {{.Label \"tier\"}}"},
         "web: frontend\n");
  Expect({"ps", "--format", "{{.Label \"com.example.version\"}}"}, "1.0\n");
  Expect({"ps", "-a", "--format", "{{.Names}}\\t{{.State}}"},
         "done\texited\nweb\trunning\n");
  ExpectMatch({"ps", "--format", "json"},
              "\\{\"Command\":\"\\\\\"sleep 300\\\\\"\",\"CreatedAt\":.*"
              "\"ID\":\"" + id12 + "\",\"Image\":\"busybox\",.*"
              "\"Labels\":\"com.example.version=1.0,tier=frontend\",.*"
              "\"Names\":\"web\",.*\"State\":\"running\",.*\\}\n");
  Expect({"ps", "--format", "{{json .Names}}"}, "\"web\"\n");
  Expect({"ps", "-a", "--format",
          "{{if eq .State \"running\"}}{{.Names}} is up{{else if eq .State "
          "\"exited\"}}{{.Names}} exited{{else}}?{{end}}"},
         "done exited\nweb is up\n");
  Expect({"ps", "--format", "{{.ID | len}}"}, "12\n");
  Expect({"ps", "--no-trunc", "--format", "{{len .ID}}"}, "64\n");
  Expect({"ps", "--format", "{{upper .Names}}"}, "WEB\n");
  Expect({"ps", "--format", "table {{.Names}}\\t{{.Image}}"},
         "NAMES     IMAGE\nweb       busybox\n");
  Expect({"ps", "-a", "--filter", "exited=3", "--format", "{{.Names}}"},
         "done\n");
  Expect({"ps", "--format", "{{.Labels}}"},
         "com.example.version=1.0,tier=frontend\n");
  Expect({"ps", "--format", "{{range split .Labels \",\"}}[{{.}}]{{end}}"},
         "[com.example.version=1.0][tier=frontend]\n");
  Expect({"ps", "--format", "{{.Names | printf \"%-6s|\"}}{{.Command}}"},
         "web   |\"sleep 300\"\n");
  ExpectError({"ps", "--format", "{{.Foo}}"}, 1,
              "failed to execute template: template: :1:2: executing \"\" at "
              "<.Foo>: can't evaluate field Foo in type "
              "*formatter.ContainerContext");
  ExpectError({"ps", "--format", "{{.ID"}, 1,
              "failed to parse template: template: :1: unclosed action");

  // ---- inspect ----
  Expect({"inspect", "-f", "{{.State.Running}}", "web"}, "true\n");
  Expect({"inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "done"},
         "exited 3\n");
  Expect({"inspect", "-f", "{{if .State.Running}}up{{else}}down{{end}}",
          "web", "done"},
         "up\ndown\n");
  std::string addresses;
  for (const auto& network : web_["NetworkSettings"]["Networks"]) {
    addresses += network["IPAddress"].get<std::string>();
  }
  Expect({"inspect", "-f",
          "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", "web"},
         addresses + "\n");
  Expect({"inspect", "-f", "{{json .Config}}", "web"},
         web_["Config"].dump() + "\n");
  Expect({"inspect", "--format",
          "{{range $k, $v := .Config.Labels}}{{$k}}={{$v}} {{end}}", "web"},
         "com.example.version=1.0 tier=frontend \n");
  Expect({"inspect", "-f", "{{index .Config.Labels \"tier\"}}", "web", "done"},
         "frontend\nbatch\n");
  Expect({"inspect", "-f", "{{.Config.Labels.nokey}}", "web"},
         "<no value>\n");
  Expect({"inspect", "-f", "{{.Name}}", "web"}, "/web\n");
  Expect({"inspect", "-f", "{{join .Config.Env \",\"}}", "web"},
         Env(",", "\n"));
  Expect({"inspect", "-f", "{{range .Config.Env}}{{println .}}{{end}}", "web"},
         Env("\n", "\n\n"));
  Expect({"inspect", "-f",
          "{{range $i, $e := .Config.Env}}{{if $i}};{{end}}{{$e}}{{end}}",
          "web"},
         Env(";", "\n"));
  Expect({"inspect", "-f", "{{len .Config.Env}}", "web"},
         absl::StrCat(web_["Config"]["Env"].size(), "\n"));
  Expect({"inspect", "-f",
          "{{with .State}}{{.Status}} pid>0={{gt .Pid 0}}{{end}}", "web"},
         "running pid>0=true\n");
  Expect({"inspect", "-f",
          "{{printf \"%s has exit code %d\" .Name .State.ExitCode}}", "done"},
         "/done has exit code 3\n");
  Expect({"inspect", "-f", "{{slice .Id 0 12}}", "web"}, id12 + "\n");
  Expect({"inspect", "-f", "{{truncate .Id 5}}", "web"},
         WebId().substr(0, 5) + "\n");
  Expect({"inspect", "-f", "{{.Config.Cmd}} {{json .Config.Cmd}}", "web"},
         "[sleep 300] [\"sleep\",\"300\"]\n");
  Expect({"inspect", "-f", "{{and .State.Running (eq .State.ExitCode 0)}}",
          "web"},
         "true\n");
  Expect({"inspect", "-f", "{{or .Config.Domainname \"none\"}}", "web"},
         "none\n");
  Expect({"inspect", "-f", "{{not .State.Running}}", "done"}, "true\n");
  Expect({"inspect", "-f", "{{$n := .Name}}{{$n = slice $n 1}}{{$n}}", "web"},
         "web\n");
  Expect({"inspect", "-f",
          "{{ne .State.ExitCode 0}} {{lt .State.ExitCode 5}} "
          "{{le 3 .State.ExitCode}} {{ge .State.ExitCode 4}}",
          "done"},
         "true true true false\n");
  Expect({"inspect", "-f", "{{title .State.Status}} {{lower \"ABC\"}}",
          "web"},
         "Running abc\n");
  Expect({"inspect", "-f", "[{{pad .State.Status 1 2}}]", "web"},
         "[ running  ]\n");
  Expect({"inspect", "-f", "{{print .State.Pid .State.Running}}", "web"},
         absl::StrCat(web_["State"]["Pid"].get<int64_t>(), " true\n"));
  Expect({"inspect", "-f", "  {{- /* a comment */ -}}  {{.Name}}", "web"},
         "/web\n");
  Expect({"inspect", "-f",
          "{{range .Mounts}}{{.Destination}}{{else}}no mounts{{end}}", "web"},
         "no mounts\n");
  Expect({"inspect", "-f", "{{index .Config.Env 0}}", "web"},
         web_["Config"]["Env"][0].get<std::string>() + "\n");
  Expect({"inspect", "-f",
          "{{html \"<b>\"}} {{js \"it's\"}} {{urlquery \"a b&c\"}}", "web"},
         "&lt;b&gt; it\\'s a+b%26c\n");
  Expect({"inspect", "-f",
          "{{range $i, $a := .Args}}{{if eq $i 1}}{{break}}{{end}}{{$a}}"
          "{{end}}",
          "web"},
         web_["Args"][0].get<std::string>() + "\n");
  Expect({"inspect", "-f", "{{(index .Args 0) | len}}", "web"},
         absl::StrCat(web_["Args"][0].get<std::string>().size(), "\n"));
  ExpectError({"inspect", "-f", "{{.Foo}}", "web"}, 1,
              "template parsing error: template: :1:2: executing \"\" at "
              "<.Foo>: map has no entry for key \"Foo\"",
              "\n");
  ExpectError({"inspect", "-f", "{{.Name", "web"}, 64,
              "template parsing error: template: :1: unclosed action");

  // ---- images, image inspect, history ----
  Expect({"images", "--format", "{{.Repository}}:{{.Tag}}"},
         "busybox:latest\n");
  Expect({"images", "--format", "table {{.Repository}}\\t{{.Tag}}"},
         "REPOSITORY   TAG\nbusybox      latest\n");
  Expect({"image", "inspect", "-f", "{{.Os}} {{json .Config.Cmd}}",
          "busybox"},
         "linux [\"sh\"]\n");
  const std::string image_id = web_["Image"].get<std::string>();
  Expect({"history", "--format", "{{.ID}} {{.Size}}", "busybox"},
         image_id.substr(7, 12) + " " +
             env_.Berth({"images", "--format", "{{.Size}}"}).out);

  // ---- version, info ----
  RunResult version_json = env_.Berth({"version", "--format", "json"});
  const ordered_json versions = ordered_json::parse(version_json.out);
  Expect({"version", "--format", "{{.Server.Version}}"},
         versions["Servers"][0]["Version"].get<std::string>() + "\n");
  Expect({"version", "--format", "{{.Client.Version}}"},
         versions["Client"]["Version"].get<std::string>() + "\n");
  Expect({"version", "--format",
          "{{range .Server.Components}}{{.Name}} {{end}}"},
         "imaged containerd netd volumed \n");
  Expect({"info", "--format",
          "{{range .Services}}{{.Name}}={{.Status}} {{end}}"},
         "imaged=healthy containerd=healthy netd=healthy volumed=healthy \n");
  Expect({"info", "--format", "{{json .ClientVersion}}"},
         "\"" + versions["Client"]["Version"].get<std::string>() + "\"\n");
  ExpectError({"version", "--format", "{{.Server.Version"}, 64,
              "template parsing error: template: version:1: unclosed action");

  EXPECT_GE(one_liners_, 60);
}

// The errors Docker's CLI gives before it needs a daemon, compared with
// Berth's: the same words and exit codes (Berth adds "Error: ").
TEST_F(OneLinerTest, TemplateErrorsAsDockerGivesThem) {
  const std::string docker = "/usr/local/bin/docker";
  if (access(docker.c_str(), X_OK) != 0) GTEST_SKIP() << "no Docker CLI";
  const std::vector<std::vector<std::string>> cases = {
      {"ps", "--format", "{{.ID"},
      {"ps", "--format", "{{.Foo}}"},
      {"ps", "--format", "{{nosuch}}"},
      {"inspect", "-f", "{{.Name", "web"},
      {"inspect", "-f", "{{if}}{{end}}", "web"},
      {"inspect", "-f", "{{range .X}}", "web"},
      {"inspect", "-f", "{{$x}}", "web"},
      {"inspect", "-f", "{{end}}", "web"},
      {"inspect", "-f", "{{.X | 3}}", "web"},
      {"inspect", "-f", "{{@}}", "web"},
      {"image", "inspect", "-f", "{{.Id", "busybox"},
      {"version", "--format", "{{.Client.Version"},
      // (Docker's info asks its daemon before it reports a bad template.)
  };
  for (const std::vector<std::string>& args : cases) {
    SCOPED_TRACE(absl::StrJoin(args, " "));
    std::vector<std::string> argv = {docker};
    argv.insert(argv.end(), args.begin(), args.end());
    RunResult theirs = RunCommand(argv);
    RunResult ours = env_.Berth(args);
    EXPECT_EQ(ours.exit_code, theirs.exit_code);
    EXPECT_EQ(ours.err, "Error: " + theirs.err);
  }
}

}  // namespace
}  // namespace berth::testing
