#include "services/containerd/security/seccomp.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
#include <map>
#include <memory>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "services/containerd/security/seccomp_profile.h"

namespace berth::containerd::security {
namespace {

struct CtxDeleter {
  void operator()(void* ctx) const { seccomp_release(ctx); }
};
// scmp_filter_ctx is a void*; released however building ends.
using ScmpCtx = std::unique_ptr<void, CtxDeleter>;

std::string ArchName(uint32_t arch) {
  switch (arch) {
    case SCMP_ARCH_X86_64:
      return "x86_64";
    case SCMP_ARCH_X86:
      return "x86";
    case SCMP_ARCH_X32:
      return "x32";
    case SCMP_ARCH_AARCH64:
      return "aarch64";
    case SCMP_ARCH_ARM:
      return "arm";
    default:
      return absl::StrCat("0x", absl::Hex(arch));
  }
}

std::string LibseccompError(int rc) { return std::strerror(-rc); }

// One seccomp_rule_add; conditions must name distinct arguments.
absl::Status AddRule(scmp_filter_ctx ctx, const std::string& name, int nr,
                     uint32_t action,
                     const std::vector<internal::ArgRule>& args) {
  std::vector<scmp_arg_cmp> cmps;
  for (const internal::ArgRule& arg : args) {
    cmps.push_back(scmp_arg_cmp{arg.index, arg.op, arg.value, arg.value_two});
  }
  int rc = seccomp_rule_add_array(ctx, action, nr,
                                  static_cast<unsigned int>(cmps.size()),
                                  cmps.empty() ? nullptr : cmps.data());
  if (rc < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("seccomp rule for syscall ", name,
                     " was refused by libseccomp: ", LibseccompError(rc)));
  }
  return absl::OkStatus();
}

// seccomp_export_bpf writes to a file descriptor; a memfd keeps it in memory.
absl::StatusOr<std::vector<sock_filter>> ExportBpf(scmp_filter_ctx ctx) {
  int fd = memfd_create("berth-seccomp", MFD_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "memfd_create", "");
  struct Closer {
    int fd;
    ~Closer() { close(fd); }
  } closer{fd};
  int rc = seccomp_export_bpf(ctx, fd);
  if (rc < 0) {
    return absl::InternalError(
        absl::StrCat("compiling the seccomp filter: ", LibseccompError(rc)));
  }
  struct stat st;
  if (fstat(fd, &st) != 0) return ErrnoStatus(errno, "fstat", "memfd");
  if (st.st_size <= 0 || st.st_size % sizeof(sock_filter) != 0 ||
      st.st_size / sizeof(sock_filter) > BPF_MAXINSNS) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the seccomp filter compiles to ", st.st_size / sizeof(sock_filter),
        " BPF instructions; the kernel takes at most ", BPF_MAXINSNS));
  }
  std::vector<sock_filter> program(st.st_size / sizeof(sock_filter));
  size_t done = 0;
  const size_t total = program.size() * sizeof(sock_filter);
  char* out = reinterpret_cast<char*>(program.data());
  while (done < total) {
    ssize_t n = pread(fd, out + done, total - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return ErrnoStatus(n < 0 ? errno : EIO, "read", "memfd");
    done += static_cast<size_t>(n);
  }
  return program;
}

}  // namespace

namespace internal {

std::vector<uint32_t> NativeArchesWithCompat() {
  const uint32_t native = seccomp_arch_native();
  std::vector<uint32_t> arches = {native};
  if (native == SCMP_ARCH_X86_64) {
    arches.push_back(SCMP_ARCH_X86);
    arches.push_back(SCMP_ARCH_X32);
  } else if (native == SCMP_ARCH_AARCH64) {
    arches.push_back(SCMP_ARCH_ARM);
  }
  return arches;
}

}  // namespace internal

absl::StatusOr<SeccompFilter> CompileProfile(const internal::Profile& profile) {
  ScmpCtx ctx(seccomp_init(profile.default_action));
  if (ctx == nullptr) {
    return absl::InvalidArgumentError(
        "libseccomp refused the profile's default action");
  }
  for (uint32_t arch : profile.arches) {
    int rc = seccomp_arch_add(ctx.get(), arch);
    if (rc < 0 && rc != -EEXIST) {
      return absl::InvalidArgumentError(
          absl::StrCat("seccomp architecture ", ArchName(arch),
                       " was refused by libseccomp: ", LibseccompError(rc)));
    }
  }
  for (const internal::SyscallRule& rule : profile.rules) {
    // libseccomp refuses rules that repeat the default; they change nothing.
    if (rule.action == profile.default_action) continue;
    std::map<unsigned int, int> per_index;
    for (const internal::ArgRule& arg : rule.args) ++per_index[arg.index];
    bool split = false;
    for (const auto& [index, count] : per_index) split |= count > 1;
    for (const std::string& name : rule.names) {
      // Unknown to libseccomp: newer than it, or of another architecture.
      int nr = seccomp_syscall_resolve_name(name.c_str());
      if (nr == __NR_SCMP_ERROR) continue;
      if (!split) {
        RETURN_IF_ERROR(AddRule(ctx.get(), name, nr, rule.action, rule.args));
        continue;
      }
      for (const internal::ArgRule& arg : rule.args) {
        RETURN_IF_ERROR(AddRule(ctx.get(), name, nr, rule.action, {arg}));
      }
    }
  }
  ASSIGN_OR_RETURN(std::vector<sock_filter> program, ExportBpf(ctx.get()));
  return SeccompFilter(std::move(program), profile.flags);
}

std::string SeccompFilter::Serialize() const {
  std::string bytes(reinterpret_cast<const char*>(&flags_), sizeof(flags_));
  bytes.append(reinterpret_cast<const char*>(program_.data()),
               program_.size() * sizeof(sock_filter));
  return bytes;
}

absl::StatusOr<SeccompFilter> SeccompFilter::Parse(absl::string_view bytes) {
  unsigned int flags = 0;
  if (bytes.size() < sizeof(flags) ||
      (bytes.size() - sizeof(flags)) % sizeof(sock_filter) != 0 ||
      bytes.size() == sizeof(flags)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "a compiled seccomp filter of ", bytes.size(), " bytes is malformed"));
  }
  memcpy(&flags, bytes.data(), sizeof(flags));
  std::vector<sock_filter> program((bytes.size() - sizeof(flags)) /
                                   sizeof(sock_filter));
  memcpy(program.data(), bytes.data() + sizeof(flags),
         program.size() * sizeof(sock_filter));
  return SeccompFilter(std::move(program), flags);
}

absl::Status SeccompFilter::Load() const {
  if (program_.empty()) {
    return absl::FailedPreconditionError("seccomp filter was moved from");
  }
  sock_fprog prog;
  prog.len = static_cast<unsigned short>(program_.size());
  prog.filter = const_cast<sock_filter*>(program_.data());
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags_, &prog) == 0) {
    return absl::OkStatus();
  }
  if (errno == EACCES) {
    return absl::FailedPreconditionError(
        "loading a seccomp filter needs no_new_privs or CAP_SYS_ADMIN: call "
        "SetNoNewPrivileges() first, or load the filter before dropping "
        "capabilities");
  }
  return ErrnoStatus(errno, "seccomp(SECCOMP_SET_MODE_FILTER)", "");
}

}  // namespace berth::containerd::security
