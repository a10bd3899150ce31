// Seccomp filters loaded in forked children. Needs root: the children mount,
// unshare and switch users to show what the filters stop.
#include "services/containerd/security/seccomp.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <sched.h>
#include <spawn.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/containerd/security/capabilities.h"
#include "services/containerd/security/test_util.h"

extern char** environ;

namespace berth::containerd::security {
namespace {

using testing::ChildResult;
using testing::ExecBusybox;
using ::testing::HasSubstr;
using testing::RunInChild;
using testing::StatusField;

constexpr uid_t kNobody = 65534;

// -1 with `err`, as the filter makes the call fail.
#define EXPECT_ERRNO(call, err, code) \
  CHILD_CHECK((call) == -1 && errno == (err), code, #call)

// Runs /bin/busybox `args` in a child of the child; its exit code.
int RunBusybox(const std::vector<std::string>& args) {
  pid_t pid = fork();
  if (pid < 0) return 200;
  if (pid == 0) _exit(ExecBusybox(args));
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return 201;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

class SeccompTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root";
    dir_ = testing::MakeTempDir();
    ASSERT_FALSE(dir_.empty());
  }
  std::string dir_;
};

TEST_F(SeccompTest, DefaultProfileBlocksWhatContainersMustNotDo) {
  absl::StatusOr<SeccompFilter> filter =
      DefaultSeccompProfile(DefaultCapabilities());
  ASSERT_TRUE(filter.ok()) << filter.status();
  const std::string mnt = dir_ + "/mnt";
  ASSERT_EQ(mkdir(mnt.c_str(), 0755), 0);
  ChildResult child = RunInChild([&] {
    // Own mount namespace first: should the filter let mount through, the
    // mount stays in this child.
    CHILD_CHECK(unshare(CLONE_NEWNS) == 0, 2, "unshare before");
    CHILD_CHECK(mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0,
                3, "rprivate");
    absl::Status status = filter->Load();
    CHILD_CHECK(status.ok(), 4, status.ToString());

    EXPECT_ERRNO(unshare(CLONE_NEWNS), EPERM, 10);
    EXPECT_ERRNO(unshare(CLONE_NEWUSER), EPERM, 11);
    EXPECT_ERRNO(mount("tmpfs", mnt.c_str(), "tmpfs", 0, nullptr), EPERM, 12);
    EXPECT_ERRNO(umount2(mnt.c_str(), 0), EPERM, 13);
    EXPECT_ERRNO(
        syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3 /* session */, 0),
        EPERM, 14);
    EXPECT_ERRNO(
        syscall(SYS_add_key, "user", "berth", "x", 1, -3 /* session */), EPERM,
        15);
    EXPECT_ERRNO(syscall(SYS_bpf, 0, nullptr, 0), EPERM, 16);
    // Unfiltered, this is ESRCH: pid 1 is not our tracee.
    EXPECT_ERRNO(ptrace(PTRACE_PEEKDATA, 1, nullptr, nullptr), EPERM, 17);
    EXPECT_ERRNO(sethostname("x", 1), EPERM, 18);
    // The default set holds CAP_SYS_CHROOT, which unlocks chroot.
    CHILD_CHECK(chroot("/") == 0, 19, "chroot");
    EXPECT_ERRNO(socket(AF_VSOCK, SOCK_STREAM, 0), EPERM, 20);
    EXPECT_ERRNO(personality(ADDR_NO_RANDOMIZE), EPERM, 21);
    // Unfiltered, a namespace clone by root succeeds; the stack 0 makes it
    // behave as fork, so a child that got through leaves at once.
    long pid = syscall(SYS_clone, CLONE_NEWUTS | SIGCHLD, 0, 0, 0, 0);
    if (pid == 0) _exit(0);
    CHILD_CHECK(pid == -1 && errno == EPERM, 22, "clone(CLONE_NEWUTS)");
    EXPECT_ERRNO(syscall(SYS_clone3, nullptr, 0), ENOSYS, 23);

    // What ordinary programs need still works.
    CHILD_CHECK(getpid() > 0, 30, "getpid");
    CHILD_CHECK(personality(0xffffffff) != -1, 31, "personality query");
    int sock = socket(AF_UNIX, SOCK_STREAM, 0);
    CHILD_CHECK(sock >= 0, 32, "socket(AF_UNIX)");
    close(sock);
    const std::string file = dir_ + "/file";
    int fd = open(file.c_str(), O_CREAT | O_RDWR, 0644);
    CHILD_CHECK(fd >= 0, 33, "open");
    CHILD_CHECK(write(fd, "hello", 5) == 5, 34, "write");
    char buf[8] = {};
    CHILD_CHECK(pread(fd, buf, sizeof(buf), 0) == 5, 35, "read");
    close(fd);
    CHILD_CHECK(RunBusybox({"true"}) == 0, 36, "busybox true");
    CHILD_CHECK(
        RunBusybox({"sh", "-c",
                    "ls / >/dev/null && ps >/dev/null && "
                    "cat /proc/self/status | grep -q '^Seccomp:.*2'"}) == 0,
        37, "busybox sh");
    // posix_spawn tries clone3 first and must fall back to clone.
    char arg0[] = "busybox";
    char arg1[] = "true";
    char* argv[] = {arg0, arg1, nullptr};
    pid_t spawned = 0;
    CHILD_CHECK(posix_spawn(&spawned, "/bin/busybox", nullptr, nullptr, argv,
                            environ) == 0,
                38, "posix_spawn");
    int wstatus = 0;
    CHILD_CHECK(waitpid(spawned, &wstatus, 0) == spawned &&
                    WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0,
                39, "spawned busybox true");
    return 0;
  });
  EXPECT_EQ(child.exit_code, 0) << child.output;
}

TEST_F(SeccompTest, SysAdminUnlocksNamespacesAndMounts) {
  std::vector<int> caps = DefaultCapabilities();
  caps.push_back(CAP_SYS_ADMIN);
  absl::StatusOr<SeccompFilter> filter = DefaultSeccompProfile(caps);
  ASSERT_TRUE(filter.ok()) << filter.status();
  const std::string mnt = dir_ + "/mnt";
  ASSERT_EQ(mkdir(mnt.c_str(), 0755), 0);
  ChildResult child = RunInChild([&] {
    absl::Status status = filter->Load();
    CHILD_CHECK(status.ok(), 2, status.ToString());
    CHILD_CHECK(unshare(CLONE_NEWNS) == 0, 3, "unshare(CLONE_NEWNS)");
    CHILD_CHECK(mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0,
                4, "rprivate");
    CHILD_CHECK(mount("tmpfs", mnt.c_str(), "tmpfs", 0, nullptr) == 0, 5,
                "mount");
    CHILD_CHECK(RunBusybox({"true"}) == 0, 6, "busybox true");
    return 0;
  });
  EXPECT_EQ(child.exit_code, 0) << child.output;
}

TEST_F(SeccompTest, PtraceNeedsSysPtrace) {
  std::vector<int> caps = DefaultCapabilities();
  caps.push_back(CAP_SYS_PTRACE);
  absl::StatusOr<SeccompFilter> filter = DefaultSeccompProfile(caps);
  ASSERT_TRUE(filter.ok()) << filter.status();
  ChildResult child = RunInChild([&] {
    absl::Status status = filter->Load();
    CHILD_CHECK(status.ok(), 2, status.ToString());
    EXPECT_ERRNO(ptrace(PTRACE_PEEKDATA, 1, nullptr, nullptr), ESRCH, 3);
    return 0;
  });
  EXPECT_EQ(child.exit_code, 0) << child.output;
}

TEST_F(SeccompTest, LoadNeedsNoNewPrivsOrSysAdmin) {
  absl::StatusOr<SeccompFilter> filter =
      DefaultSeccompProfile(DefaultCapabilities());
  ASSERT_TRUE(filter.ok()) << filter.status();
  ChildResult child = RunInChild([&] {
    absl::Status status = ApplyCapabilities(DefaultCapabilities(), true);
    CHILD_CHECK(status.ok(), 2, status.ToString());
    status = filter->Load();
    CHILD_CHECK(status.code() == absl::StatusCode::kFailedPrecondition, 3,
                status.ToString());
    CHILD_CHECK(absl::StrContains(status.message(), "SetNoNewPrivileges"), 4,
                status.ToString());
    status = SetNoNewPrivileges();
    CHILD_CHECK(status.ok(), 5, status.ToString());
    status = filter->Load();
    CHILD_CHECK(status.ok(), 6, status.ToString());
    EXPECT_ERRNO(unshare(CLONE_NEWNS), EPERM, 7);
    return 0;
  });
  EXPECT_EQ(child.exit_code, 0) << child.output;
}

// The init's order with no_new_privileges: user, caps, NNP, filter, exec.
TEST_F(SeccompTest, InitOrderWithNoNewPrivileges) {
  absl::StatusOr<SeccompFilter> filter =
      DefaultSeccompProfile(DefaultCapabilities());
  ASSERT_TRUE(filter.ok()) << filter.status();
  ChildResult child = RunInChild([&] {
    CHILD_CHECK(prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) == 0, 2, "keepcaps");
    CHILD_CHECK(setgroups(0, nullptr) == 0, 3, "setgroups");
    CHILD_CHECK(setresgid(kNobody, kNobody, kNobody) == 0, 4, "setgid");
    CHILD_CHECK(setresuid(kNobody, kNobody, kNobody) == 0, 5, "setuid");
    absl::Status status = ApplyCapabilities(DefaultCapabilities(), false);
    CHILD_CHECK(status.ok(), 6, status.ToString());
    status = SetNoNewPrivileges();
    CHILD_CHECK(status.ok(), 7, status.ToString());
    status = filter->Load();
    CHILD_CHECK(status.ok(), 8, status.ToString());
    return ExecBusybox({"sh", "-c", "id -u && cat /proc/self/status"});
  });
  ASSERT_EQ(child.exit_code, 0) << child.output;
  EXPECT_THAT(child.output, ::testing::StartsWith("65534\n"));
  EXPECT_EQ(StatusField(child.output, "Seccomp"), "2");
  EXPECT_EQ(StatusField(child.output, "NoNewPrivs"), "1");
  EXPECT_EQ(StatusField(child.output, "CapEff"), testing::CapHex({}));
}

// Docker's default order: filter while still privileged, then user, caps,
// exec; the filter allows what follows it.
TEST_F(SeccompTest, InitOrderWithoutNoNewPrivileges) {
  const std::vector<int> caps = DefaultCapabilities();
  absl::StatusOr<SeccompFilter> filter = DefaultSeccompProfile(caps);
  ASSERT_TRUE(filter.ok()) << filter.status();
  ChildResult child = RunInChild([&] {
    absl::Status status = filter->Load();
    CHILD_CHECK(status.ok(), 2, status.ToString());
    CHILD_CHECK(prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) == 0, 3, "keepcaps");
    CHILD_CHECK(setgroups(0, nullptr) == 0, 4, "setgroups");
    CHILD_CHECK(setresgid(0, 0, 0) == 0, 5, "setgid");
    CHILD_CHECK(setresuid(0, 0, 0) == 0, 6, "setuid");
    status = ApplyCapabilities(caps, true);
    CHILD_CHECK(status.ok(), 7, status.ToString());
    return ExecBusybox({"cat", "/proc/self/status"});
  });
  ASSERT_EQ(child.exit_code, 0) << child.output;
  EXPECT_EQ(StatusField(child.output, "Seccomp"), "2");
  EXPECT_EQ(StatusField(child.output, "NoNewPrivs"), "0");
  EXPECT_EQ(StatusField(child.output, "CapEff"), testing::CapHex(caps));
}

TEST_F(SeccompTest, JsonProfileDeniesMkdirWithEacces) {
  const char* profile = R"({
    "defaultAction": "SCMP_ACT_ALLOW",
    "syscalls": [
      {"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO",
       "errnoRet": 13},
      {"names": ["rmdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 16,
       "includes": {"caps": ["CAP_SYS_ADMIN"]}},
      {"names": ["symlink", "symlinkat"], "action": "SCMP_ACT_ERRNO",
       "excludes": {"caps": ["CAP_CHOWN"]}},
      {"names": ["personality"], "action": "SCMP_ACT_ERRNO", "errnoRet": 22,
       "args": [{"index": 0, "value": 4194304, "valueTwo": 4194304,
                 "op": "SCMP_CMP_MASKED_EQ"}]}
    ]
  })";
  absl::StatusOr<SeccompFilter> filter =
      SeccompProfileFromJson(profile, DefaultCapabilities());
  ASSERT_TRUE(filter.ok()) << filter.status();
  const std::string sub = dir_ + "/sub";
  const std::string existing = dir_ + "/existing";
  ASSERT_EQ(mkdir(existing.c_str(), 0755), 0);
  ChildResult child = RunInChild([&] {
    absl::Status status = filter->Load();
    CHILD_CHECK(status.ok(), 2, status.ToString());
    EXPECT_ERRNO(mkdir(sub.c_str(), 0755), EACCES, 3);
    EXPECT_ERRNO(mkdirat(AT_FDCWD, sub.c_str(), 0755), EACCES, 4);
    // Rule for CAP_SYS_ADMIN holders only: not selected.
    CHILD_CHECK(rmdir(existing.c_str()) == 0, 5, "rmdir");
    // Excluded for CAP_CHOWN holders: not selected.
    CHILD_CHECK(symlink("x", (dir_ + "/link").c_str()) == 0, 6, "symlink");
    // READ_IMPLIES_EXEC (0x400000) is refused, other personalities pass.
    EXPECT_ERRNO(personality(READ_IMPLIES_EXEC), EINVAL, 7);
    CHILD_CHECK(personality(PER_LINUX) != -1, 8, "personality(PER_LINUX)");
    CHILD_CHECK(RunBusybox({"true"}) == 0, 9, "busybox true");
    CHILD_CHECK(RunBusybox({"mkdir", sub}) != 0, 10, "busybox mkdir");
    return 0;
  });
  EXPECT_EQ(child.exit_code, 0) << child.output;
  struct stat st;
  EXPECT_NE(stat(sub.c_str(), &st), 0);
}

}  // namespace
}  // namespace berth::containerd::security
