#include "services/containerd/security/capabilities.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"

namespace berth::containerd::security {
namespace {

struct CapName {
  int number;
  const char* name;  // without "CAP_"
};

// Every capability up to Linux 5.9; the kernel's numbers, Docker's names.
constexpr CapName kCapNames[] = {
    {CAP_CHOWN, "CHOWN"},
    {CAP_DAC_OVERRIDE, "DAC_OVERRIDE"},
    {CAP_DAC_READ_SEARCH, "DAC_READ_SEARCH"},
    {CAP_FOWNER, "FOWNER"},
    {CAP_FSETID, "FSETID"},
    {CAP_KILL, "KILL"},
    {CAP_SETGID, "SETGID"},
    {CAP_SETUID, "SETUID"},
    {CAP_SETPCAP, "SETPCAP"},
    {CAP_LINUX_IMMUTABLE, "LINUX_IMMUTABLE"},
    {CAP_NET_BIND_SERVICE, "NET_BIND_SERVICE"},
    {CAP_NET_BROADCAST, "NET_BROADCAST"},
    {CAP_NET_ADMIN, "NET_ADMIN"},
    {CAP_NET_RAW, "NET_RAW"},
    {CAP_IPC_LOCK, "IPC_LOCK"},
    {CAP_IPC_OWNER, "IPC_OWNER"},
    {CAP_SYS_MODULE, "SYS_MODULE"},
    {CAP_SYS_RAWIO, "SYS_RAWIO"},
    {CAP_SYS_CHROOT, "SYS_CHROOT"},
    {CAP_SYS_PTRACE, "SYS_PTRACE"},
    {CAP_SYS_PACCT, "SYS_PACCT"},
    {CAP_SYS_ADMIN, "SYS_ADMIN"},
    {CAP_SYS_BOOT, "SYS_BOOT"},
    {CAP_SYS_NICE, "SYS_NICE"},
    {CAP_SYS_RESOURCE, "SYS_RESOURCE"},
    {CAP_SYS_TIME, "SYS_TIME"},
    {CAP_SYS_TTY_CONFIG, "SYS_TTY_CONFIG"},
    {CAP_MKNOD, "MKNOD"},
    {CAP_LEASE, "LEASE"},
    {CAP_AUDIT_WRITE, "AUDIT_WRITE"},
    {CAP_AUDIT_CONTROL, "AUDIT_CONTROL"},
    {CAP_SETFCAP, "SETFCAP"},
    {CAP_MAC_OVERRIDE, "MAC_OVERRIDE"},
    {CAP_MAC_ADMIN, "MAC_ADMIN"},
    {CAP_SYSLOG, "SYSLOG"},
    {CAP_WAKE_ALARM, "WAKE_ALARM"},
    {CAP_BLOCK_SUSPEND, "BLOCK_SUSPEND"},
    {CAP_AUDIT_READ, "AUDIT_READ"},
    {38, "PERFMON"},
    {39, "BPF"},
    {40, "CHECKPOINT_RESTORE"},
};
constexpr int kKnownCaps = sizeof(kCapNames) / sizeof(kCapNames[0]);

constexpr bool NumbersMatchIndexes() {
  for (int i = 0; i < kKnownCaps; ++i) {
    if (kCapNames[i].number != i) return false;
  }
  return true;
}
static_assert(NumbersMatchIndexes(), "kCapNames is indexed by number");

// capget/capset take 64 bits in two 32-bit words.
struct CapSets {
  uint64_t effective = 0;
  uint64_t permitted = 0;
  uint64_t inheritable = 0;
};

uint64_t Bit(int cap) { return uint64_t{1} << cap; }

uint64_t Mask(const std::vector<int>& caps) {
  uint64_t mask = 0;
  for (int cap : caps) mask |= Bit(cap);
  return mask;
}

std::vector<int> Unmask(uint64_t mask) {
  std::vector<int> caps;
  for (int cap = 0; cap < 64; ++cap) {
    if (mask & Bit(cap)) caps.push_back(cap);
  }
  return caps;
}

absl::StatusOr<CapSets> GetCaps() {
  __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  if (syscall(SYS_capget, &header, data) != 0) {
    return ErrnoStatus(errno, "capget", "");
  }
  CapSets sets;
  sets.effective = data[0].effective | uint64_t{data[1].effective} << 32;
  sets.permitted = data[0].permitted | uint64_t{data[1].permitted} << 32;
  sets.inheritable = data[0].inheritable | uint64_t{data[1].inheritable} << 32;
  return sets;
}

absl::Status SetCaps(const CapSets& sets) {
  __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  data[0].effective = static_cast<uint32_t>(sets.effective);
  data[1].effective = static_cast<uint32_t>(sets.effective >> 32);
  data[0].permitted = static_cast<uint32_t>(sets.permitted);
  data[1].permitted = static_cast<uint32_t>(sets.permitted >> 32);
  data[0].inheritable = static_cast<uint32_t>(sets.inheritable);
  data[1].inheritable = static_cast<uint32_t>(sets.inheritable >> 32);
  if (syscall(SYS_capset, &header, data) != 0) {
    return ErrnoStatus(errno, "capset", "");
  }
  return absl::OkStatus();
}

bool InBoundingSet(int cap) {
  return prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1;
}

// Parses cap_add/cap_drop: CapabilityFromName's names, and "ALL", which sets
// *all. Adding a capability the kernel lacks cannot work, dropping one is
// harmless.
absl::StatusOr<std::vector<int>> ParseList(
    const std::vector<std::string>& names, bool for_add, bool* all) {
  std::vector<int> caps;
  for (const std::string& name : names) {
    if (absl::EqualsIgnoreCase(name, "ALL")) {
      *all = true;
      continue;
    }
    ASSIGN_OR_RETURN(int cap, CapabilityFromName(name));
    if (for_add && cap > LastCapability()) {
      return absl::InvalidArgumentError(
          absl::StrCat("capability ", CapabilityNames({cap})[0],
                       " is not supported by the running kernel"));
    }
    caps.push_back(cap);
  }
  return caps;
}

// Every capability the kernel knows and this process may still hold.
std::vector<int> AllAvailable() {
  std::vector<int> caps;
  for (int cap = 0; cap <= LastCapability(); ++cap) {
    if (InBoundingSet(cap)) caps.push_back(cap);
  }
  return caps;
}

std::string NamesOf(uint64_t mask) {
  return absl::StrJoin(CapabilityNames(Unmask(mask)), ", ");
}

}  // namespace

absl::StatusOr<int> CapabilityFromName(absl::string_view name) {
  absl::string_view bare = name;
  if (bare.size() >= 4 && absl::EqualsIgnoreCase(bare.substr(0, 4), "CAP_")) {
    bare.remove_prefix(4);
  }
  for (const CapName& cap : kCapNames) {
    if (absl::EqualsIgnoreCase(bare, cap.name)) return cap.number;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown capability \"", name, "\""));
}

std::vector<std::string> CapabilityNames(const std::vector<int>& caps) {
  std::vector<std::string> names;
  names.reserve(caps.size());
  for (int cap : caps) {
    if (cap >= 0 && cap < kKnownCaps) {
      names.push_back(absl::StrCat("CAP_", kCapNames[cap].name));
    } else {
      names.push_back(absl::StrCat("CAP_", cap));
    }
  }
  return names;
}

int LastCapability() {
  static const int last = [] {
    int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      char buf[16] = {};
      ssize_t n = read(fd, buf, sizeof(buf) - 1);
      close(fd);
      int value = 0;
      if (n > 0 &&
          absl::SimpleAtoi(absl::StripAsciiWhitespace(
                               absl::string_view(buf, static_cast<size_t>(n))),
                           &value) &&
          value > 0 && value < 64) {
        return value;
      }
    }
    // Without /proc: PR_CAPBSET_READ fails with EINVAL past the last one.
    int cap = 0;
    while (cap < 63 && prctl(PR_CAPBSET_READ, cap + 1, 0, 0, 0) >= 0) ++cap;
    return cap;
  }();
  return last;
}

std::vector<int> DefaultCapabilities() {
  std::vector<int> caps = {
      CAP_CHOWN,   CAP_DAC_OVERRIDE, CAP_FSETID,           CAP_FOWNER,
      CAP_MKNOD,   CAP_NET_RAW,      CAP_SETGID,           CAP_SETUID,
      CAP_SETFCAP, CAP_SETPCAP,      CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT,
      CAP_KILL,    CAP_AUDIT_WRITE,
  };
  std::sort(caps.begin(), caps.end());
  return caps;
}

absl::StatusOr<std::vector<int>> ContainerCapabilities(
    bool privileged, const std::vector<std::string>& cap_add,
    const std::vector<std::string>& cap_drop) {
  if (privileged) return AllAvailable();
  bool add_all = false;
  bool drop_all = false;
  ASSIGN_OR_RETURN(std::vector<int> add, ParseList(cap_add, true, &add_all));
  ASSIGN_OR_RETURN(std::vector<int> drop,
                   ParseList(cap_drop, false, &drop_all));
  std::set<int> drop_set(drop.begin(), drop.end());
  std::set<int> result;
  if (add_all) {
    for (int cap : AllAvailable()) {
      if (!drop_set.count(cap)) result.insert(cap);
    }
  } else if (drop_all) {
    result.insert(add.begin(), add.end());
  } else {
    for (int cap : DefaultCapabilities()) {
      if (!drop_set.count(cap)) result.insert(cap);
    }
    // Docker adds after dropping: "--cap-drop X --cap-add X" keeps X.
    result.insert(add.begin(), add.end());
  }
  return std::vector<int>(result.begin(), result.end());
}

absl::Status RaiseEffectiveCapabilities() {
  ASSIGN_OR_RETURN(CapSets sets, GetCaps());
  sets.effective = sets.permitted;
  return SetCaps(sets);
}

absl::Status ApplyCapabilities(const std::vector<int>& caps, bool root_user) {
  const int last = LastCapability();
  for (int cap : caps) {
    if (cap < 0 || cap > last) {
      return absl::InvalidArgumentError(
          absl::StrCat("capability ", CapabilityNames({cap})[0],
                       " is not supported by the running kernel"));
    }
  }
  const uint64_t wanted = Mask(caps);
  ASSIGN_OR_RETURN(CapSets current, GetCaps());
  uint64_t bounding = 0;
  for (int cap = 0; cap <= last; ++cap) {
    if (InBoundingSet(cap)) bounding |= Bit(cap);
  }
  const uint64_t missing = wanted & ~(current.permitted & bounding);
  if (missing != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot grant ", NamesOf(missing),
        ": the container's init does not hold them (berth itself runs "
        "without them, e.g. inside another container); drop them from the "
        "container's capabilities"));
  }

  // setuid to a non-root user cleared the effective set; dropping from the
  // bounding set needs CAP_SETPCAP in it.
  CapSets raised = current;
  raised.effective = current.permitted;
  RETURN_IF_ERROR(SetCaps(raised));
  for (int cap = 0; cap <= last; ++cap) {
    if ((wanted & Bit(cap)) || !(bounding & Bit(cap))) continue;
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) {
      return Annotate(ErrnoStatus(errno, "prctl(PR_CAPBSET_DROP)", ""),
                      CapabilityNames({cap})[0]);
    }
  }
  // EINVAL: a kernel before 4.3 has no ambient set to clear.
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 &&
      errno != EINVAL) {
    return ErrnoStatus(errno, "prctl(PR_CAP_AMBIENT_CLEAR_ALL)", "");
  }
  CapSets final_sets;
  if (root_user) {
    final_sets.permitted = wanted;
    final_sets.effective = wanted;
  }
  return SetCaps(final_sets);
}

absl::Status SetNoNewPrivileges() {
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    return ErrnoStatus(errno, "prctl(PR_SET_NO_NEW_PRIVS)", "");
  }
  return absl::OkStatus();
}

}  // namespace berth::containerd::security
