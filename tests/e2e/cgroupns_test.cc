// End to end: --cgroupns. A private cgroup namespace is rooted at the
// container's own cgroup, so /proc/self/cgroup reads "/" and /sys/fs/cgroup
// shows the container's subtree, never the host's other groups; "host"
// shows the full path. Without the flag the host's layout decides, as in
// Docker: private on a pure cgroup v2 host, host on v1 and hybrid hosts.
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/container_fixture.h"

namespace berth::testing {
namespace {

using ::testing::Contains;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;

bool IsFs(const std::string& path, long magic) {
  struct statfs fs;
  return statfs(path.c_str(), &fs) == 0 && fs.f_type == magic;
}

// The host's cgroup2 tree: /sys/fs/cgroup on v2, /sys/fs/cgroup/unified on
// the hybrid layout; "" on pure v1.
std::string UnifiedRoot() {
  if (IsFs("/sys/fs/cgroup", CGROUP2_SUPER_MAGIC)) return "/sys/fs/cgroup";
  if (IsFs("/sys/fs/cgroup/unified", CGROUP2_SUPER_MAGIC)) {
    return "/sys/fs/cgroup/unified";
  }
  return "";
}

// A cgroup of the host's own outside every container's, standing in for
// system.slice and init.scope (this host may have neither); removed again
// whatever the test's outcome.
class HostGroup {
 public:
  explicit HostGroup(const std::string& root)
      : name_(absl::StrCat("berth-e2e-host-group-", getpid())),
        path_(absl::StrCat(root, "/", name_)) {
    if (mkdir(path_.c_str(), 0755) != 0) {
      ADD_FAILURE() << "mkdir " << path_;
      path_.clear();
    }
  }
  ~HostGroup() {
    if (!path_.empty()) rmdir(path_.c_str());
  }
  const std::string& name() const { return name_; }

 private:
  std::string name_;
  std::string path_;
};

class CgroupnsE2eTest : public ContainerE2eTest {
 protected:
  // The init's /proc/self/cgroup, run attached under --name NAME (kept, so
  // the id can be looked up).
  std::vector<std::string> ProcCgroup(const std::string& name,
                                      std::vector<std::string> flags) {
    std::vector<std::string> args = {"run", "--name", name};
    args.insert(args.end(), flags.begin(), flags.end());
    args.insert(args.end(), {"busybox", "cat", "/proc/self/cgroup"});
    RunResult run = env_.Berth(args);
    EXPECT_EQ(run.exit_code, 0) << run.err;
    return Lines(run.out);
  }

  std::string Id(const std::string& name) {
    return std::string(absl::StripAsciiWhitespace(
        env_.Berth({"inspect", "-f", "{{.Id}}", name}).out));
  }
};

TEST_F(CgroupnsE2eTest, PrivateNamespaceIsRootedAtTheContainersCgroup) {
  const std::string unified = UnifiedRoot();
  if (unified.empty()) GTEST_SKIP() << "no cgroup2 tree on this host";
  HostGroup host_group(unified);

  std::vector<std::string> lines = ProcCgroup("priv", {"--cgroupns", "private"});
  EXPECT_THAT(lines, Contains("0::/"));
  // Every hierarchy the container joined, v1 ones included, is at its root.
  for (const std::string& line : lines) EXPECT_THAT(line, EndsWith(":/"));
  EXPECT_EQ(Inspect("priv")["HostConfig"]["CgroupnsMode"], "private");

  // The cgroup2 mount inside shows the container's subtree, not the host's
  // groups beside it.
  const std::string inside = unified == "/sys/fs/cgroup" ? "/sys/fs/cgroup"
                                                         : "/sys/fs/cgroup/unified";
  RunResult listed = RunScript(absl::StrCat("ls -a ", inside, "; ls /sys/fs/cgroup"),
                               {"--cgroupns", "private"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_THAT(listed.out, HasSubstr("cgroup.procs"));
  EXPECT_THAT(listed.out, Not(HasSubstr(host_group.name())));
  EXPECT_THAT(listed.out, Not(HasSubstr(env_.cgroup_parent())));
  EXPECT_THAT(listed.out, Not(HasSubstr("system.slice")));
  EXPECT_THAT(listed.out, Not(HasSubstr("init.scope")));
}

TEST_F(CgroupnsE2eTest, HostNamespaceShowsTheFullPath) {
  const std::string unified = UnifiedRoot();
  if (unified.empty()) GTEST_SKIP() << "no cgroup2 tree on this host";
  std::vector<std::string> lines = ProcCgroup("hostns", {"--cgroupns", "host"});
  const std::string id = Id("hostns");
  ASSERT_EQ(id.size(), 64u);
  // On the hybrid layout too: the container joined the unified tree.
  EXPECT_THAT(lines, Contains(absl::StrCat("0::/", env_.cgroup_parent(), "/", id)));
  EXPECT_EQ(Inspect("hostns")["HostConfig"]["CgroupnsMode"], "host");
}

// Docker's default: private on a pure v2 host, host on v1 and hybrid ones;
// inspect shows the mode the container got, not "".
TEST_F(CgroupnsE2eTest, DefaultFollowsTheHostsLayout) {
  const bool v2 = IsFs("/sys/fs/cgroup", CGROUP2_SUPER_MAGIC);
  std::vector<std::string> lines = ProcCgroup("default", {});
  EXPECT_EQ(Inspect("default")["HostConfig"]["CgroupnsMode"], v2 ? "private" : "host");
  if (v2) {
    EXPECT_THAT(lines, Contains("0::/"));
  } else {
    EXPECT_THAT(lines, Contains(HasSubstr(absl::StrCat(":/", env_.cgroup_parent(), "/"))));
  }
}

TEST_F(CgroupnsE2eTest, InvalidModeIsRejectedWithExit125) {
  for (const char* command : {"run", "create"}) {
    RunResult bad = env_.Berth({command, "--cgroupns", "foo", "busybox", "true"});
    EXPECT_EQ(bad.exit_code, 125) << command;
    EXPECT_THAT(bad.err, HasSubstr("--cgroupns"));
    EXPECT_THAT(bad.err, HasSubstr("foo"));
  }
  EXPECT_THAT(Lines(env_.Berth({"ps", "-aq"}).out), ::testing::IsEmpty());
}

}  // namespace
}  // namespace berth::testing
