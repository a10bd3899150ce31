// Docker's default seccomp profile (moby's profiles/seccomp/default.json),
// expressed as data for the caps of one container.
#include <linux/capability.h>
#include <sched.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <iterator>
#include <string>
#include <vector>

#include "services/containerd/security/seccomp.h"
#include "services/containerd/security/seccomp_profile.h"

namespace berth::containerd::security {
namespace {

// What any container may call. Names of other architectures (chown32,
// socketcall, ...) matter for the x86 and x32 binaries an x86_64 host runs;
// names libseccomp does not know are skipped when compiling.
const char* const kAllowed[] = {
    "accept",
    "accept4",
    "access",
    "adjtimex",
    "alarm",
    "bind",
    "brk",
    "capget",
    "capset",
    "chdir",
    "chmod",
    "chown",
    "chown32",
    "clock_adjtime",
    "clock_adjtime64",
    "clock_getres",
    "clock_getres_time64",
    "clock_gettime",
    "clock_gettime64",
    "clock_nanosleep",
    "clock_nanosleep_time64",
    "close",
    "close_range",
    "connect",
    "copy_file_range",
    "creat",
    "dup",
    "dup2",
    "dup3",
    "epoll_create",
    "epoll_create1",
    "epoll_ctl",
    "epoll_ctl_old",
    "epoll_pwait",
    "epoll_pwait2",
    "epoll_wait",
    "epoll_wait_old",
    "eventfd",
    "eventfd2",
    "execve",
    "execveat",
    "exit",
    "exit_group",
    "faccessat",
    "faccessat2",
    "fadvise64",
    "fadvise64_64",
    "fallocate",
    "fanotify_mark",
    "fchdir",
    "fchmod",
    "fchmodat",
    "fchown",
    "fchown32",
    "fchownat",
    "fcntl",
    "fcntl64",
    "fdatasync",
    "fgetxattr",
    "flistxattr",
    "flock",
    "fork",
    "fremovexattr",
    "fsetxattr",
    "fstat",
    "fstat64",
    "fstatat64",
    "fstatfs",
    "fstatfs64",
    "fsync",
    "ftruncate",
    "ftruncate64",
    "futex",
    "futex_time64",
    "futex_waitv",
    "futimesat",
    "getcpu",
    "getcwd",
    "getdents",
    "getdents64",
    "getegid",
    "getegid32",
    "geteuid",
    "geteuid32",
    "getgid",
    "getgid32",
    "getgroups",
    "getgroups32",
    "getitimer",
    "getpeername",
    "getpgid",
    "getpgrp",
    "getpid",
    "getppid",
    "getpriority",
    "getrandom",
    "getresgid",
    "getresgid32",
    "getresuid",
    "getresuid32",
    "getrlimit",
    "get_robust_list",
    "getrusage",
    "getsid",
    "getsockname",
    "getsockopt",
    "get_thread_area",
    "gettid",
    "gettimeofday",
    "getuid",
    "getuid32",
    "getxattr",
    "inotify_add_watch",
    "inotify_init",
    "inotify_init1",
    "inotify_rm_watch",
    "io_cancel",
    "ioctl",
    "io_destroy",
    "io_getevents",
    "io_pgetevents",
    "io_pgetevents_time64",
    "ioprio_get",
    "ioprio_set",
    "io_setup",
    "io_submit",
    "io_uring_enter",
    "io_uring_register",
    "io_uring_setup",
    "ipc",
    "kill",
    "landlock_add_rule",
    "landlock_create_ruleset",
    "landlock_restrict_self",
    "lchown",
    "lchown32",
    "lgetxattr",
    "link",
    "linkat",
    "listen",
    "listxattr",
    "llistxattr",
    "_llseek",
    "lremovexattr",
    "lseek",
    "lsetxattr",
    "lstat",
    "lstat64",
    "madvise",
    "membarrier",
    "memfd_create",
    "memfd_secret",
    "mincore",
    "mkdir",
    "mkdirat",
    "mknod",
    "mknodat",
    "mlock",
    "mlock2",
    "mlockall",
    "mmap",
    "mmap2",
    "mprotect",
    "mq_getsetattr",
    "mq_notify",
    "mq_open",
    "mq_timedreceive",
    "mq_timedreceive_time64",
    "mq_timedsend",
    "mq_timedsend_time64",
    "mq_unlink",
    "mremap",
    "msgctl",
    "msgget",
    "msgrcv",
    "msgsnd",
    "msync",
    "munlock",
    "munlockall",
    "munmap",
    "name_to_handle_at",
    "nanosleep",
    "newfstatat",
    "_newselect",
    "open",
    "openat",
    "openat2",
    "pause",
    "pidfd_open",
    "pidfd_send_signal",
    "pipe",
    "pipe2",
    "pkey_alloc",
    "pkey_free",
    "pkey_mprotect",
    "poll",
    "ppoll",
    "ppoll_time64",
    "prctl",
    "pread64",
    "preadv",
    "preadv2",
    "prlimit64",
    "process_mrelease",
    "pselect6",
    "pselect6_time64",
    "pwrite64",
    "pwritev",
    "pwritev2",
    "read",
    "readahead",
    "readlink",
    "readlinkat",
    "readv",
    "recv",
    "recvfrom",
    "recvmmsg",
    "recvmmsg_time64",
    "recvmsg",
    "remap_file_pages",
    "removexattr",
    "rename",
    "renameat",
    "renameat2",
    "restart_syscall",
    "rmdir",
    "rseq",
    "rt_sigaction",
    "rt_sigpending",
    "rt_sigprocmask",
    "rt_sigqueueinfo",
    "rt_sigreturn",
    "rt_sigsuspend",
    "rt_sigtimedwait",
    "rt_sigtimedwait_time64",
    "rt_tgsigqueueinfo",
    "sched_getaffinity",
    "sched_getattr",
    "sched_getparam",
    "sched_get_priority_max",
    "sched_get_priority_min",
    "sched_getscheduler",
    "sched_rr_get_interval",
    "sched_rr_get_interval_time64",
    "sched_setaffinity",
    "sched_setattr",
    "sched_setparam",
    "sched_setscheduler",
    "sched_yield",
    "seccomp",
    "select",
    "semctl",
    "semget",
    "semop",
    "semtimedop",
    "semtimedop_time64",
    "send",
    "sendfile",
    "sendfile64",
    "sendmmsg",
    "sendmsg",
    "sendto",
    "setfsgid",
    "setfsgid32",
    "setfsuid",
    "setfsuid32",
    "setgid",
    "setgid32",
    "setgroups",
    "setgroups32",
    "setitimer",
    "setpgid",
    "setpriority",
    "setregid",
    "setregid32",
    "setresgid",
    "setresgid32",
    "setresuid",
    "setresuid32",
    "setreuid",
    "setreuid32",
    "setrlimit",
    "set_robust_list",
    "setsid",
    "setsockopt",
    "set_thread_area",
    "set_tid_address",
    "setuid",
    "setuid32",
    "setxattr",
    "shmat",
    "shmctl",
    "shmdt",
    "shmget",
    "shutdown",
    "sigaltstack",
    "signalfd",
    "signalfd4",
    "sigprocmask",
    "sigreturn",
    "socketcall",
    "socketpair",
    "splice",
    "stat",
    "stat64",
    "statfs",
    "statfs64",
    "statx",
    "symlink",
    "symlinkat",
    "sync",
    "sync_file_range",
    "syncfs",
    "sysinfo",
    "tee",
    "tgkill",
    "time",
    "timer_create",
    "timer_delete",
    "timer_getoverrun",
    "timer_gettime",
    "timer_gettime64",
    "timer_settime",
    "timer_settime64",
    "timerfd_create",
    "timerfd_gettime",
    "timerfd_gettime64",
    "timerfd_settime",
    "timerfd_settime64",
    "times",
    "tkill",
    "truncate",
    "truncate64",
    "ugetrlimit",
    "umask",
    "uname",
    "unlink",
    "unlinkat",
    "utime",
    "utimensat",
    "utimensat_time64",
    "utimes",
    "vfork",
    "vmsplice",
    "wait4",
    "waitid",
    "waitpid",
    "write",
    "writev",
};

// personality(2) values programs set or query: PER_LINUX, PER_LINUX32,
// UNAME26, UNAME26|PER_LINUX32, and 0xffffffff (query only).
constexpr uint64_t kPersonalities[] = {0x0, 0x8, 0x20000, 0x20008, 0xffffffff};

constexpr uint64_t kNamespaceCloneFlags =
    CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID |
    CLONE_NEWNET | CLONE_NEWCGROUP;

// s390 passes clone's flags second.
#if defined(__s390__) || defined(__s390x__)
constexpr unsigned int kCloneFlagsArg = 1;
#else
constexpr unsigned int kCloneFlagsArg = 0;
#endif

constexpr int kCapPerfmon = 38;
constexpr int kCapBpf = 39;

void Allow(internal::Profile* profile, std::vector<std::string> names) {
  profile->rules.push_back({std::move(names), SCMP_ACT_ALLOW, {}});
}

}  // namespace

absl::StatusOr<SeccompFilter> DefaultSeccompProfile(
    const std::vector<int>& caps) {
  auto has = [&caps](int cap) {
    return std::find(caps.begin(), caps.end(), cap) != caps.end();
  };
  internal::Profile profile;
  profile.default_action = SCMP_ACT_ERRNO(EPERM);
  profile.arches = internal::NativeArchesWithCompat();
  Allow(&profile,
        std::vector<std::string>(std::begin(kAllowed), std::end(kAllowed)));
  profile.rules.push_back(
      {{"socket"}, SCMP_ACT_ALLOW, {{0, SCMP_CMP_NE, AF_VSOCK, 0}}});
  for (uint64_t persona : kPersonalities) {
    profile.rules.push_back(
        {{"personality"}, SCMP_ACT_ALLOW, {{0, SCMP_CMP_EQ, persona, 0}}});
  }
#if defined(__x86_64__)
  Allow(&profile, {"arch_prctl", "modify_ldt"});
#elif defined(__i386__)
  Allow(&profile, {"modify_ldt"});
#elif defined(__aarch64__) || defined(__arm__)
  Allow(&profile, {"arm_fadvise64_64", "arm_sync_file_range",
                   "sync_file_range2", "breakpoint", "cacheflush", "set_tls"});
#endif

  if (has(CAP_DAC_READ_SEARCH)) Allow(&profile, {"open_by_handle_at"});
  if (has(CAP_SYS_ADMIN)) {
    Allow(&profile, {"bpf",           "clone",           "clone3",
                     "fanotify_init", "fsconfig",        "fsmount",
                     "fsopen",        "fspick",          "lookup_dcookie",
                     "mount",         "mount_setattr",   "move_mount",
                     "open_tree",     "perf_event_open", "quotactl",
                     "quotactl_fd",   "setdomainname",   "sethostname",
                     "setns",         "syslog",          "umount",
                     "umount2",       "unshare"});
  } else {
    // Threads and fork, but no new namespaces.
    profile.rules.push_back(
        {{"clone"},
         SCMP_ACT_ALLOW,
         {{kCloneFlagsArg, SCMP_CMP_MASKED_EQ, kNamespaceCloneFlags, 0}}});
    // clone3's flags are behind a pointer seccomp cannot follow; ENOSYS
    // makes glibc fall back to clone.
    profile.rules.push_back({{"clone3"}, SCMP_ACT_ERRNO(ENOSYS), {}});
  }
  if (has(CAP_SYS_BOOT)) Allow(&profile, {"reboot"});
  if (has(CAP_SYS_CHROOT)) Allow(&profile, {"chroot"});
  if (has(CAP_SYS_MODULE)) {
    Allow(&profile, {"delete_module", "init_module", "finit_module"});
  }
  if (has(CAP_SYS_PACCT)) Allow(&profile, {"acct"});
  if (has(CAP_SYS_PTRACE)) {
    Allow(&profile, {"kcmp", "pidfd_getfd", "process_madvise",
                     "process_vm_readv", "process_vm_writev", "ptrace"});
  }
  if (has(CAP_SYS_RAWIO)) Allow(&profile, {"iopl", "ioperm"});
  if (has(CAP_SYS_TIME)) {
    Allow(&profile,
          {"settimeofday", "stime", "clock_settime", "clock_settime64"});
  }
  if (has(CAP_SYS_TTY_CONFIG)) Allow(&profile, {"vhangup"});
  if (has(CAP_SYS_NICE)) {
    Allow(&profile, {"get_mempolicy", "mbind", "set_mempolicy",
                     "set_mempolicy_home_node"});
  }
  if (has(CAP_SYSLOG)) Allow(&profile, {"syslog"});
  if (has(kCapBpf)) Allow(&profile, {"bpf"});
  if (has(kCapPerfmon)) Allow(&profile, {"perf_event_open"});
  return CompileProfile(profile);
}

}  // namespace berth::containerd::security
