// Real containers from a busybox rootfs (needs root, namespaces, overlayfs).
#include <fcntl.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <set>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/fs_util.h"
#include "gtest/gtest.h"
#include "services/containerd/runtime/runtime.h"
#include "services/containerd/runtime/test_util.h"

namespace berth {
namespace containerd {
namespace runtime {
namespace {

ContainerMount Bind(const std::string& source, const std::string& destination,
                    bool read_only = false) {
  ContainerMount mount;
  mount.source = source;
  mount.destination = destination;
  mount.read_only = read_only;
  return mount;
}

using testing::RootfsMode;
using testing::RunContainer;
using testing::RunResult;
using testing::TestRootfs;

std::vector<std::string> Words(const std::string& text) {
  return absl::StrSplit(text, absl::ByAnyChar(" \n\t"), absl::SkipEmpty());
}

std::vector<std::string> Sh(const std::string& script) { return {"/bin/sh", "-c", script}; }

bool Exists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

class SpawnTest : public ::testing::TestWithParam<RootfsMode> {
 protected:
  void SetUp() override {
    mounts_before_ = testing::SelfMountinfo();
    ASSERT_TRUE(rootfs_.status().ok()) << rootfs_.status();
  }
  void TearDown() override {
    // Everything was mounted in the container's namespace: nothing leaks.
    EXPECT_EQ(testing::SelfMountinfo(), mounts_before_);
  }

  RunResult Run(std::vector<std::string> args) {
    InitSpec spec = rootfs_.base_spec();
    spec.args = std::move(args);
    return RunContainer(spec);
  }

  TestRootfs rootfs_{GetParam()};
  std::string mounts_before_;
};

TEST_P(SpawnTest, CommandIsPidOne) {
  RunResult result = Run(Sh("echo $$"));
  ASSERT_TRUE(result.status.ok()) << result.status;
  EXPECT_EQ(result.output, "1\n");
  EXPECT_EQ(result.exit_code, 0);
}

TEST_P(SpawnTest, ExitCodeIsTheCommands) {
  RunResult result = Run(Sh("exit 42"));
  ASSERT_TRUE(result.status.ok()) << result.status;
  EXPECT_EQ(result.exit_code, 42);
}

TEST_P(SpawnTest, HostnameIsTheSpecs) {
  RunResult result = Run({"hostname"});
  ASSERT_TRUE(result.status.ok()) << result.status;
  EXPECT_EQ(result.output, "testbox\n");
}

TEST_P(SpawnTest, PsShowsOnlyTheContainersProcesses) {
  RunResult result = Run({"ps", "-o", "pid,comm"});
  ASSERT_TRUE(result.status.ok()) << result.status;
  EXPECT_EQ(Words(result.output), (std::vector<std::string>{"PID", "COMMAND", "1", "ps"}))
      << result.output;
}

TEST_P(SpawnTest, MountinfoShowsNoHostMounts) {
  RunResult result = Run({"cat", "/proc/self/mountinfo"});
  ASSERT_TRUE(result.status.ok()) << result.status;
  std::set<std::string> inside = testing::MountPoints(result.output);
  for (const char* expected : {"/", "/proc", "/sys", "/dev", "/dev/pts", "/dev/shm",
                               "/dev/mqueue"}) {
    EXPECT_TRUE(inside.count(expected)) << expected << " missing:\n" << result.output;
  }
  for (const std::string& point : inside) {
    EXPECT_FALSE(absl::StartsWith(point, rootfs_.temp())) << point;
  }
  for (const std::string& host : testing::MountPoints(mounts_before_)) {
    if (host == "/" || absl::StartsWith(host, "/proc") || absl::StartsWith(host, "/sys") ||
        absl::StartsWith(host, "/dev")) {
      continue;
    }
    EXPECT_FALSE(inside.count(host)) << "host mount " << host << " visible";
  }
}

TEST_P(SpawnTest, DevHasTheStandardNodes) {
  RunResult result = Run(Sh(
      "for d in null zero full random urandom tty; do test -c /dev/$d || echo no-$d; done;"
      "test -d /dev/pts || echo no-pts; test -d /dev/shm || echo no-shm;"
      "echo $(readlink /dev/ptmx) $(readlink /dev/fd) $(readlink /dev/stdout);"
      "echo discard > /dev/null && echo null-ok;"
      "stat -c '%a' /dev/null /dev/shm"));
  ASSERT_TRUE(result.status.ok()) << result.status;
  EXPECT_EQ(result.output, "pts/ptmx /proc/self/fd /proc/self/fd/1\nnull-ok\n666\n1777\n");
}

TEST_P(SpawnTest, SysIsReadOnlyUnlessPrivileged) {
  const std::string script = "grep ' /sys ' /proc/self/mountinfo | grep -c ' ro,'; ls /sys/fs/cgroup | wc -l";
  RunResult result = Run(Sh(script));
  ASSERT_TRUE(result.status.ok()) << result.status;
  std::vector<std::string> words = Words(result.output);
  ASSERT_EQ(words.size(), 2u) << result.output;
  EXPECT_EQ(words[0], "1");
  EXPECT_NE(words[1], "0") << "empty /sys/fs/cgroup";

  InitSpec spec = rootfs_.base_spec();
  spec.privileged = true;
  spec.args = Sh("grep ' /sys ' /proc/self/mountinfo | grep -c ' rw,'; ls /dev | wc -l");
  RunResult privileged = RunContainer(spec);
  ASSERT_TRUE(privileged.status.ok()) << privileged.status;
  words = Words(privileged.output);
  ASSERT_EQ(words.size(), 2u) << privileged.output;
  EXPECT_EQ(words[0], "1");
  EXPECT_GT(std::stoi(words[1]), 20) << "host devices missing";
}

TEST_P(SpawnTest, NamedUserWithGroupsFromEtcGroup) {
  InitSpec spec = rootfs_.base_spec();
  spec.user = "app";
  spec.args = Sh("id -u; id -g; id -G; echo $HOME");
  RunResult result = RunContainer(spec);
  ASSERT_TRUE(result.status.ok()) << result.status;
  EXPECT_EQ(result.output, "1000\n1000\n1000 29 50\n/home/app\n");
}

TEST_P(SpawnTest, NumericUserAndGroup) {
  InitSpec spec = rootfs_.base_spec();
  spec.user = "1234:5678";
  spec.args = Sh("id -u; id -g; id -G; echo $HOME");
  RunResult result = RunContainer(spec);
  ASSERT_TRUE(result.status.ok()) << result.status;
  EXPECT_EQ(result.output, "1234\n5678\n5678\n/\n");
}

TEST_P(SpawnTest, GroupAdd) {
  InitSpec spec = rootfs_.base_spec();
  spec.user = "app:staff";
  spec.group_add = {"audio", "4242"};
  spec.args = {"id", "-G"};
  RunResult result = RunContainer(spec);
  ASSERT_TRUE(result.status.ok()) << result.status;
  EXPECT_EQ(result.output, "50 29 4242\n");
}

TEST_P(SpawnTest, UnknownUserIsAStartError) {
  InitSpec spec = rootfs_.base_spec();
  spec.user = "nobody-here";
  spec.args = {"true"};
  RunResult result = RunContainer(spec);
  EXPECT_EQ(result.status.code(), absl::StatusCode::kInvalidArgument) << result.status;
  EXPECT_TRUE(absl::StrContains(result.status.message(), "unable to find user nobody-here"))
      << result.status;
  EXPECT_EQ(ExitCodeForStartError(result.status), 125);
}

TEST_P(SpawnTest, WorkingDirectoryIsCreated) {
  InitSpec spec = rootfs_.base_spec();
  spec.cwd = "/work/dir";
  spec.user = "app";
  spec.args = {"pwd"};
  RunResult result = RunContainer(spec);
  ASSERT_TRUE(result.status.ok()) << result.status;
  EXPECT_EQ(result.output, "/work/dir\n");
}

TEST_P(SpawnTest, EnvironmentDefaults) {
  RunResult result = Run({"env"});
  ASSERT_TRUE(result.status.ok()) << result.status;
  std::vector<std::string> lines = absl::StrSplit(result.output, '\n', absl::SkipEmpty());
  EXPECT_EQ(lines, (std::vector<std::string>{
                       "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                       "HOSTNAME=testbox", "HOME=/root"}));

  InitSpec spec = rootfs_.base_spec();
  spec.env = {"FOO=bar", "PATH=/bin", "HOME=/h"};
  spec.args = {"env"};
  result = RunContainer(spec);
  ASSERT_TRUE(result.status.ok()) << result.status;
  lines = absl::StrSplit(result.output, '\n', absl::SkipEmpty());
  EXPECT_EQ(lines,
            (std::vector<std::string>{"HOSTNAME=testbox", "FOO=bar", "PATH=/bin", "HOME=/h"}));
}

TEST_P(SpawnTest, MissingCommandIsNotFound) {
  RunResult result = Run({"nosuchcmd"});
  EXPECT_EQ(result.status.code(), absl::StatusCode::kNotFound) << result.status;
  EXPECT_EQ(result.status.message(), "exec: \"nosuchcmd\": executable file not found in $PATH");
  EXPECT_EQ(ExitCodeForStartError(result.status), 127);

  result = Run({"/bin/nosuchcmd"});
  EXPECT_EQ(result.status.code(), absl::StatusCode::kNotFound) << result.status;
  EXPECT_EQ(ExitCodeForStartError(result.status), 127);
}

TEST_P(SpawnTest, NonExecutableIsPermissionDenied) {
  ASSERT_TRUE(testing::WriteFile(rootfs_.tree() + "/bin/notexec", "#!/bin/sh\n", 0644).ok());
  RunResult result = Run({"/bin/notexec"});
  EXPECT_EQ(result.status.code(), absl::StatusCode::kPermissionDenied) << result.status;
  EXPECT_EQ(result.status.message(), "exec: \"/bin/notexec\": permission denied");
  EXPECT_EQ(ExitCodeForStartError(result.status), 126);

  ASSERT_TRUE(testing::WriteFile(rootfs_.tree() + "/bin/garbage", "\x01\x02junk", 0755).ok());
  result = Run({"/bin/garbage"});
  EXPECT_EQ(result.status.code(), absl::StatusCode::kPermissionDenied) << result.status;
  EXPECT_EQ(ExitCodeForStartError(result.status), 126);
}

TEST_P(SpawnTest, OnCreatedRunsBeforeTheChildStarts) {
  const std::string marker_dir = rootfs_.temp() + "/marker";
  ASSERT_EQ(mkdir(marker_dir.c_str(), 0755), 0);
  InitSpec spec = rootfs_.base_spec();
  spec.mounts.push_back(Bind(marker_dir, "/marker", true));
  spec.args = {"cat", "/marker/pid"};
  pid_t seen = -1;
  RunResult result = RunContainer(spec, [&](pid_t pid) {
    seen = pid;
    // Still waiting: it has not even made its mounts.
    return testing::WriteFile(marker_dir + "/pid", absl::StrCat(pid));
  });
  ASSERT_TRUE(result.status.ok()) << result.status;
  EXPECT_EQ(seen, result.pid);
  EXPECT_EQ(result.output, absl::StrCat(result.pid));
}

TEST_P(SpawnTest, OnCreatedFailureStopsAndReapsTheChild) {
  InitSpec spec = rootfs_.base_spec();
  spec.args = {"true"};
  pid_t seen = -1;
  RunResult result = RunContainer(spec, [&](pid_t pid) {
    seen = pid;
    return absl::UnavailableError("cgroup busy");
  });
  EXPECT_EQ(result.status, absl::UnavailableError("cgroup busy"));
  ASSERT_GT(seen, 0);
  EXPECT_EQ(waitpid(seen, nullptr, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);
}

TEST_P(SpawnTest, BindMountsFilesAndReadOnlyDirs) {
  const std::string hosts = rootfs_.temp() + "/hosts";
  ASSERT_TRUE(testing::WriteFile(hosts, "127.0.0.1 testbox\n").ok());
  const std::string vol = rootfs_.temp() + "/vol";
  ASSERT_EQ(mkdir(vol.c_str(), 0755), 0);
  InitSpec spec = rootfs_.base_spec();
  spec.mounts.push_back(Bind(hosts, "/etc/hosts"));
  ContainerMount ro = Bind(vol, "/data/ro", true);
  spec.mounts.push_back(ro);
  spec.args = Sh("cat /etc/hosts; echo x > /data/ro/f 2>/dev/null || echo ro-refused");
  RunResult result = RunContainer(spec);
  ASSERT_TRUE(result.status.ok()) << result.status;
  EXPECT_EQ(result.output, "127.0.0.1 testbox\nro-refused\n");
  EXPECT_FALSE(Exists(vol + "/f"));
}

TEST_P(SpawnTest, TmpfsMountsAreBoundedByTheirSize) {
  InitSpec spec = rootfs_.base_spec();
  ContainerMount tmpfs;
  tmpfs.destination = "/scratch";
  tmpfs.tmpfs = true;
  tmpfs.tmpfs_data = "size=1m,mode=1777";
  tmpfs.tmpfs_flags = MS_NOEXEC;
  spec.mounts.push_back(tmpfs);
  spec.args = Sh(
      "stat -c %a /scratch; dd if=/dev/zero of=/scratch/f bs=1k count=2048 "
      "2>/dev/null; echo rc=$?; grep ' /scratch ' /proc/mounts | grep -c noexec");
  RunResult result = RunContainer(spec);
  ASSERT_TRUE(result.status.ok()) << result.status;
  EXPECT_EQ(result.output, "1777\nrc=1\n1\n");
}

TEST_P(SpawnTest, DeviceNodesAreMadeAtTheirContainerPath) {
  InitSpec spec = rootfs_.base_spec();
  spec.devices.push_back({"/dev/null", "/dev/sub/mynull"});
  spec.args = Sh("echo gone > /dev/sub/mynull && stat -c '%t:%T %F' /dev/sub/mynull");
  RunResult result = RunContainer(spec);
  ASSERT_TRUE(result.status.ok()) << result.status;
  EXPECT_EQ(result.output, "1:3 character special file\n");
}

TEST_P(SpawnTest, MissingBindSourceIsAStartError) {
  InitSpec spec = rootfs_.base_spec();
  spec.mounts.push_back(Bind(rootfs_.temp() + "/nope", "/x"));
  spec.args = {"true"};
  RunResult result = RunContainer(spec);
  EXPECT_FALSE(result.status.ok());
  EXPECT_TRUE(absl::StrContains(result.status.message(), "bind source path does not exist"))
      << result.status;
  EXPECT_EQ(ExitCodeForStartError(result.status), 125);
}

// An image's symlinks must not steer Berth's own mounts into the kernel's
// interfaces: /etc/resolv.conf -> /proc/sys/kernel/core_pattern got the
// bind, and a /proc symlink left the container without procfs at /proc.
TEST_P(SpawnTest, ImageSymlinksCannotSteerMountsIntoProcOrSys) {
  const std::string conf = rootfs_.temp() + "/resolv.conf";
  ASSERT_TRUE(testing::WriteFile(conf, "nameserver 127.0.0.1\n").ok());
  mkdir((rootfs_.tree() + "/etc").c_str(), 0755);
  unlink((rootfs_.tree() + "/etc/resolv.conf").c_str());
  ASSERT_EQ(symlink("/proc/sys/kernel/core_pattern",
                    (rootfs_.tree() + "/etc/resolv.conf").c_str()),
            0);
  InitSpec spec = rootfs_.base_spec();
  spec.mounts.push_back(Bind(conf, "/etc/resolv.conf"));
  spec.args = {"true"};
  RunResult steered = RunContainer(spec);
  EXPECT_FALSE(steered.status.ok());
  EXPECT_TRUE(absl::StrContains(steered.status.message(),
                                "mounts into /proc or /sys are refused"))
      << steered.status;
  ASSERT_EQ(unlink((rootfs_.tree() + "/etc/resolv.conf").c_str()), 0);

  // /proc itself a symlink (to a directory that exists).
  const std::string proc = rootfs_.tree() + "/proc";
  rmdir(proc.c_str());
  mkdir((rootfs_.tree() + "/fakeproc").c_str(), 0755);
  ASSERT_EQ(symlink("/fakeproc", proc.c_str()), 0);
  InitSpec plain = rootfs_.base_spec();
  plain.args = {"true"};
  RunResult no_proc = RunContainer(plain);
  EXPECT_FALSE(no_proc.status.ok());
  EXPECT_TRUE(absl::StrContains(no_proc.status.message(),
                                "/proc must be a real directory"))
      << no_proc.status;
}

TEST_P(SpawnTest, SymlinkDestinationsStayInsideTheRootfs) {
  const std::string outside = rootfs_.temp() + "/outside";
  ASSERT_EQ(mkdir(outside.c_str(), 0755), 0);
  const std::string src = rootfs_.temp() + "/src";
  ASSERT_EQ(mkdir(src.c_str(), 0755), 0);
  ASSERT_TRUE(testing::WriteFile(src + "/data", "inside\n").ok());
  // An absolute and a relative link, both aiming at the host's `outside`.
  ASSERT_EQ(symlink((outside + "/abs").c_str(), (rootfs_.tree() + "/abs").c_str()), 0);
  ASSERT_EQ(symlink("../../../../../../../../../../../../../../../../../../../../../..",
                    (rootfs_.tree() + "/up").c_str()),
            0);
  InitSpec spec = rootfs_.base_spec();
  spec.mounts.push_back(Bind(src, "/abs"));
  spec.mounts.push_back(Bind(src, "/up" + outside + "/rel"));
  spec.args = Sh(absl::StrCat("cat ", outside, "/abs/data ", outside, "/rel/data"));
  RunResult result = RunContainer(spec);
  ASSERT_TRUE(result.status.ok()) << result.status;
  EXPECT_EQ(result.output, "inside\ninside\n");
  EXPECT_FALSE(Exists(outside + "/abs"));
  EXPECT_FALSE(Exists(outside + "/rel"));
}

TEST_P(SpawnTest, RlimitsApplyAsAskedOrFailTheStart) {
  struct rlimit current;
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &current), 0);
  ASSERT_GE(current.rlim_max, 2048u);
  InitSpec spec = rootfs_.base_spec();
  spec.rlimits.push_back({RLIMIT_NOFILE, 1000, 2000});
  spec.args = Sh("ulimit -n; ulimit -Hn");
  RunResult result = RunContainer(spec);
  ASSERT_TRUE(result.status.ok()) << result.status;
  EXPECT_EQ(result.output, "1000\n2000\n");

  // One the kernel refuses (above fs.nr_open) fails the start, naming the
  // limit; it used to be lowered quietly to the current hard limit.
  std::ifstream nr_open_file("/proc/sys/fs/nr_open");
  uint64_t nr_open = 0;
  nr_open_file >> nr_open;
  ASSERT_GT(nr_open, 0u);
  spec.rlimits = {{RLIMIT_NOFILE, 512, nr_open + 1}};
  result = RunContainer(spec);
  EXPECT_FALSE(result.status.ok());
  EXPECT_NE(std::string(result.status.message())
                .find(absl::StrCat("nofile=512:", nr_open + 1)),
            std::string::npos)
      << result.status;
}

TEST_P(SpawnTest, ReadOnlyRootfs) {
  InitSpec spec = rootfs_.base_spec();
  spec.readonly_rootfs = true;
  spec.cwd = "/made/before/remount";
  spec.args = Sh("echo x > /f 2>/dev/null || echo root-ro; echo x > /dev/shm/f && echo shm-rw; pwd");
  RunResult result = RunContainer(spec);
  ASSERT_TRUE(result.status.ok()) << result.status;
  EXPECT_EQ(result.output, "root-ro\nshm-rw\n/made/before/remount\n");
}

TEST_P(SpawnTest, HooksRunInTheChildAtTheirStage) {
  InitSpec spec = rootfs_.base_spec();
  spec.user = "app";
  spec.after_pivot_root = [] {
    // The container's root, with its own /proc.
    if (access("/bin/busybox", X_OK) != 0 || access("/proc/1/status", R_OK) != 0) {
      return absl::InternalError("not in the container's root");
    }
    return testing::WriteFile("/tmp/after-pivot", absl::StrCat(getpid()), 0644);
  };
  spec.before_exec = [] {
    if (getuid() != 1000 || getgid() != 1000) return absl::InternalError("still root");
    return absl::OkStatus();
  };
  spec.args = {"cat", "/tmp/after-pivot"};
  RunResult result = RunContainer(spec);
  ASSERT_TRUE(result.status.ok()) << result.status;
  EXPECT_EQ(result.output, "1");

  spec.before_exec = [] { return absl::AbortedError("seccomp: bad profile"); };
  result = RunContainer(spec);
  EXPECT_EQ(result.status, absl::AbortedError("before exec: seccomp: bad profile"));
  EXPECT_EQ(ExitCodeForStartError(result.status), 125);
}

TEST_P(SpawnTest, OnlyStdioIsInherited) {
  int leaked = open("/dev/null", O_RDONLY);  // no O_CLOEXEC on purpose
  ASSERT_GE(leaked, 0);
  ASSERT_EQ(dup2(leaked, 77), 77);
  close(leaked);
  RunResult result = Run(Sh("ls /proc/$$/fd"));
  close(77);
  ASSERT_TRUE(result.status.ok()) << result.status;
  // ls itself (exec'd by sh) holds fd 3 on the directory it lists.
  EXPECT_EQ(Words(result.output), (std::vector<std::string>{"0", "1", "2", "3"}));
}

// Without stdin the init's fd 0 is the container's /dev/null (it was the
// host's, which /proc showed as "/null" once the root had moved).
TEST_P(SpawnTest, NoStdinIsTheContainersDevNull) {
  RunResult result = Run({"readlink", "/proc/self/fd/0"});
  ASSERT_TRUE(result.status.ok()) << result.status;
  EXPECT_EQ(result.output, "/dev/null\n");
}

TEST_P(SpawnTest, HostNetworkAndUts) {
  char host_name[256] = {};
  gethostname(host_name, sizeof(host_name) - 1);
  InitSpec spec = rootfs_.base_spec();
  spec.clone_flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC;
  spec.hostname.clear();
  spec.args = Sh("hostname; echo $HOSTNAME");
  RunResult result = RunContainer(spec);
  ASSERT_TRUE(result.status.ok()) << result.status;
  EXPECT_EQ(result.output, absl::StrCat(host_name, "\n", host_name, "\n"));
}

TEST_P(SpawnTest, NewNetworkNamespaceHasOnlyLoopback) {
  RunResult result = Run(Sh("ls /sys/class/net"));
  ASSERT_TRUE(result.status.ok()) << result.status;
  EXPECT_EQ(result.output, "lo\n");
}

INSTANTIATE_TEST_SUITE_P(Modes, SpawnTest,
                         ::testing::Values(RootfsMode::kOverlay, RootfsMode::kPlain),
                         [](const ::testing::TestParamInfo<RootfsMode>& info) {
                           return info.param == RootfsMode::kOverlay ? "Overlay" : "Plain";
                         });

TEST(SpawnValidationTest, RejectsSpecsWithoutMountNamespaceOrCommand) {
  InitSpec spec;
  spec.rootfs_dir = "/";
  spec.args = {"true"};
  spec.clone_flags = CLONE_NEWPID;
  EXPECT_EQ(SpawnContainerInit(spec, nullptr).status().code(),
            absl::StatusCode::kInvalidArgument);
  spec.clone_flags = CLONE_NEWNS;
  spec.args.clear();
  EXPECT_EQ(SpawnContainerInit(spec, nullptr).status().code(),
            absl::StatusCode::kInvalidArgument);
  // A terminal comes only from the container's devpts, over its socket.
  spec.args = {"true"};
  spec.tty = true;
  EXPECT_EQ(SpawnContainerInit(spec, nullptr).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ExitCodeTest, MapsCodes) {
  EXPECT_EQ(ExitCodeForStartError(absl::NotFoundError("x")), 127);
  EXPECT_EQ(ExitCodeForStartError(absl::PermissionDeniedError("x")), 126);
  EXPECT_EQ(ExitCodeForStartError(absl::InternalError("x")), 125);
  EXPECT_EQ(ExitCodeForStartError(absl::FailedPreconditionError("x")), 125);
}

}  // namespace
}  // namespace runtime
}  // namespace containerd
}  // namespace berth
