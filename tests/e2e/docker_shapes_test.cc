// End to end: small differences from Docker found side by side, each seen
// through the real CLI (issue "The CLI as Docker users' fingers expect it").
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/container_fixture.h"

namespace berth::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;

// The primary group is in the supplementary list (Docker since the fix for
// CVE-2023-25173), and a detached container's stdin is its own /dev/null.
TEST_F(ContainerE2eTest, UserGroupsAndStdinAsDocker) {
  RunResult id = env_.Berth({"run", "--rm", "busybox", "id"});
  ASSERT_EQ(id.exit_code, 0) << id.err;
  EXPECT_EQ(id.out, "uid=0(root) gid=0(root) groups=0(root)\n");
  RunResult app = env_.Berth({"run", "--rm", "-u", "app", "busybox", "id", "-G"});
  EXPECT_EQ(app.out, "1000\n");

  RunResult stdin_link =
      env_.Berth({"run", "--rm", "busybox", "ls", "-l", "/proc/self/fd/0"});
  ASSERT_EQ(stdin_link.exit_code, 0) << stdin_link.err;
  EXPECT_THAT(stdin_link.out, HasSubstr("-> /dev/null"));
}

// -t: the terminal comes from the container's own devpts (`tty` said "not a
// tty": the slave was the host's), /dev/console is that terminal, TERM is
// xterm; and a container without -t has no console.
TEST_F(ContainerE2eTest, TerminalIsTheContainersOwnAsDocker) {
  RunResult tty = RunScript(
      "tty; test -c /dev/console && echo console; echo $TERM; exit 3", {"-t"});
  EXPECT_EQ(tty.exit_code, 3) << tty.err;
  EXPECT_EQ(tty.out, "/dev/pts/0\r\nconsole\r\nxterm\r\n");
  RunResult user = RunScript("tty", {"-t", "-u", "1000"});
  EXPECT_EQ(user.out, "/dev/pts/0\r\n");
  RunResult plain = RunScript("test -e /dev/console || echo none; echo \"$TERM\"");
  EXPECT_EQ(plain.out, "none\n\n");
}

// ps: name filters are regular expressions; COMMAND quotes arguments with
// spaces; -s shows the writable layer and the virtual size.
TEST_F(ContainerE2eTest, PsFiltersCommandsAndSizesAsDocker) {
  for (const char* name : {"web1", "xweb"}) {
    ASSERT_EQ(env_.Berth({"create", "--name", name, "busybox", "sh", "-c",
                          "echo \"a b\"; sleep 1"})
                  .exit_code,
              0);
  }
  RunResult anchored =
      env_.Berth({"ps", "-a", "--filter", "name=^web", "--format", "{{.Names}}"});
  ASSERT_EQ(anchored.exit_code, 0) << anchored.err;
  EXPECT_EQ(anchored.out, "web1\n");
  RunResult slash =
      env_.Berth({"ps", "-a", "--filter", "name=^/xweb$", "--format", "{{.Names}}"});
  EXPECT_EQ(slash.out, "xweb\n");
  RunResult bad = env_.Berth({"ps", "-a", "--filter", "name=web["});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_THAT(bad.err, HasSubstr("name=web["));

  RunResult command = env_.Berth({"ps", "-a", "--no-trunc", "--filter",
                                  "name=web1", "--format", "{{.Command}}"});
  EXPECT_EQ(command.out, "\"sh -c 'echo \\\"a b\\\"; sleep 1'\"\n");

  ASSERT_EQ(env_.Berth({"run", "--name", "writer", "busybox", "sh", "-c",
                        "dd if=/dev/zero of=/f bs=1k count=100 2>/dev/null"})
                .exit_code,
            0);
  RunResult sized = env_.Berth(
      {"ps", "-a", "-s", "--filter", "name=writer", "--format", "{{.Size}}"});
  ASSERT_EQ(sized.exit_code, 0) << sized.err;
  EXPECT_THAT(sized.out, MatchesRegex("10[0-9]kB \\(virtual [0-9.]+MB\\)\n"));
  nlohmann::json inspected = nlohmann::json::parse(
      env_.Berth({"inspect", "-s", "writer"}).out, nullptr, false);
  ASSERT_TRUE(inspected.is_array()) << "inspect -s";
  EXPECT_GE(inspected[0]["SizeRw"].get<int64_t>(), 100 * 1024);
  EXPECT_GT(inspected[0]["SizeRootFs"].get<int64_t>(),
            inspected[0]["SizeRw"].get<int64_t>());
}

// rmi -f: an image a running container uses is never deleted.
TEST_F(ContainerE2eTest, ForcedRmiSparesTheImageOfARunningContainer) {
  ASSERT_EQ(env_.Berth({"run", "-d", "--name", "user", "busybox", "sleep", "60"})
                .exit_code,
            0);
  const std::string image = Inspect("user")["Image"].get<std::string>();
  RunResult by_id = env_.Berth({"rmi", "-f", image.substr(7, 12)});
  EXPECT_EQ(by_id.exit_code, 1);
  EXPECT_THAT(by_id.err, HasSubstr("(cannot be forced) - image is being used by "
                                   "running container"));
  RunResult by_tag = env_.Berth({"rmi", "-f", "busybox"});
  EXPECT_EQ(by_tag.exit_code, 0) << by_tag.err;
  EXPECT_EQ(by_tag.out, "Untagged: busybox:latest\n");
  EXPECT_EQ(env_.Berth({"image", "inspect", image}).exit_code, 0);
  ASSERT_EQ(env_.Berth({"rm", "-f", "user"}).exit_code, 0);
}

}  // namespace
}  // namespace berth::testing
