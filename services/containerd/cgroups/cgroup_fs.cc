#include "services/containerd/cgroups/cgroup_fs.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <limits>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "common/fs_util.h"
#include "common/status_macros.h"

namespace berth::containerd::cgroups::internal {
namespace {

constexpr absl::Duration kPollInterval = absl::Milliseconds(10);

bool IsDir(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// Child cgroup directories of `dir` (empty if `dir` is gone).
std::vector<std::string> ChildDirs(const std::string& dir) {
  std::vector<std::string> result;
  absl::StatusOr<std::vector<std::string>> names = ListDir(dir);
  if (!names.ok()) return result;
  for (const std::string& name : *names) {
    std::string path = absl::StrCat(dir, "/", name);
    if (IsDir(path)) result.push_back(path);
  }
  return result;
}

// Pids in `dir` and below; a directory vanishing meanwhile is skipped.
absl::Status CollectProcs(const std::string& dir, std::vector<pid_t>* pids) {
  absl::StatusOr<std::vector<pid_t>> here =
      ReadProcs(absl::StrCat(dir, "/cgroup.procs"));
  if (!here.ok()) {
    if (absl::IsNotFound(here.status())) return absl::OkStatus();
    return here.status();
  }
  pids->insert(pids->end(), here->begin(), here->end());
  for (const std::string& child : ChildDirs(dir)) {
    RETURN_IF_ERROR(CollectProcs(child, pids));
  }
  return absl::OkStatus();
}

bool ValidPathPart(absl::string_view part) {
  return !part.empty() && part != "." && part != "..";
}

}  // namespace

bool PathExists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

absl::Status WriteCgroupFile(const std::string& path, absl::string_view value) {
  int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "open", path);
  ssize_t n;
  do {
    n = write(fd, value.data(), value.size());
  } while (n < 0 && errno == EINTR);
  int err = errno;
  close(fd);
  if (n >= 0) return absl::OkStatus();
  absl::Status status =
      ErrnoStatus(err, absl::StrCat("write \"", value, "\" to"), path);
  if (err == EINVAL || err == ERANGE) {
    return absl::InvalidArgumentError(status.message());
  }
  return status;
}

absl::StatusOr<std::string> ReadCgroupFile(const std::string& path) {
  ASSIGN_OR_RETURN(std::string data, ReadFileToString(path, 1 << 20));
  absl::string_view view = absl::StripTrailingAsciiWhitespace(data);
  return std::string(view);
}

absl::StatusOr<int64_t> ReadCgroupInt(const std::string& path) {
  ASSIGN_OR_RETURN(std::string data, ReadCgroupFile(path));
  if (data == "max") return -1;
  int64_t value;
  if (!absl::SimpleAtoi(data, &value)) {
    return absl::InternalError(
        absl::StrCat("unexpected contents \"", data, "\" in ", path));
  }
  return value;
}

absl::StatusOr<int64_t> ReadKeyedInt(const std::string& path,
                                     absl::string_view key) {
  ASSIGN_OR_RETURN(std::string data, ReadCgroupFile(path));
  for (absl::string_view line : absl::StrSplit(data, '\n')) {
    std::vector<absl::string_view> fields =
        absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (fields.size() != 2 || fields[0] != key) continue;
    int64_t value;
    if (!absl::SimpleAtoi(fields[1], &value)) {
      return absl::InternalError(
          absl::StrCat("unexpected value for ", key, " in ", path, ": ", line));
    }
    return value;
  }
  return absl::NotFoundError(absl::StrCat("no \"", key, "\" in ", path));
}

absl::StatusOr<std::vector<pid_t>> ReadProcs(const std::string& procs_path) {
  ASSIGN_OR_RETURN(std::string data, ReadCgroupFile(procs_path));
  std::vector<pid_t> pids;
  for (absl::string_view line : absl::StrSplit(data, '\n', absl::SkipEmpty())) {
    int pid;
    if (!absl::SimpleAtoi(line, &pid)) {
      return absl::InternalError(
          absl::StrCat("unexpected line \"", line, "\" in ", procs_path));
    }
    pids.push_back(pid);
  }
  return pids;
}

absl::Status MakeDirs(const std::string& dir,
                      std::vector<std::string>* created) {
  if (IsDir(dir)) return absl::OkStatus();
  std::string::size_type slash = dir.rfind('/');
  if (slash != std::string::npos && slash > 0) {
    RETURN_IF_ERROR(MakeDirs(dir.substr(0, slash), created));
  }
  if (mkdir(dir.c_str(), 0755) != 0) {
    if (errno == EEXIST) return absl::OkStatus();
    return ErrnoStatus(errno, "mkdir", dir);
  }
  created->push_back(dir);
  return absl::OkStatus();
}

absl::Status RemoveCgroupDir(const std::string& dir, absl::Time deadline) {
  for (const std::string& child : ChildDirs(dir)) {
    RETURN_IF_ERROR(RemoveCgroupDir(child, deadline));
  }
  while (rmdir(dir.c_str()) != 0) {
    if (errno == ENOENT) return absl::OkStatus();
    // EBUSY: processes that were just killed have not left the cgroup yet.
    if (errno != EBUSY || absl::Now() > deadline) {
      return ErrnoStatus(errno, "rmdir", dir);
    }
    absl::SleepFor(kPollInterval);
  }
  return absl::OkStatus();
}

absl::Status KillAllAndWait(const std::string& dir, absl::Time deadline) {
  while (true) {
    std::vector<pid_t> pids;
    RETURN_IF_ERROR(CollectProcs(dir, &pids));
    if (pids.empty()) return absl::OkStatus();
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat(pids.size(), " process(es) still in ", dir,
                       " after SIGKILL (first pid ", pids.front(),
                       "); a process in uninterruptible sleep may be stuck"));
    }
    for (pid_t pid : pids) {
      if (kill(pid, SIGKILL) != 0 && errno != ESRCH) {
        return ErrnoStatus(errno, absl::StrCat("kill pid ", pid, " in"), dir);
      }
    }
    absl::SleepFor(kPollInterval);
  }
}

absl::Status ValidateLimits(const Limits& limits, bool for_update) {
  const int64_t min_unset = for_update ? -1 : 0;
  if (limits.memory_bytes < min_unset) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid memory limit ", limits.memory_bytes));
  }
  if (limits.memory_bytes > 0 && limits.memory_bytes < 6 * 1024 * 1024) {
    return absl::InvalidArgumentError("Minimum memory limit allowed is 6MB");
  }
  if (limits.memory_swap_bytes < -1) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid memory-swap limit ", limits.memory_swap_bytes));
  }
  if (limits.memory_swap_bytes > 0) {
    if (limits.memory_bytes <= 0 && !for_update) {
      return absl::InvalidArgumentError(
          "You should always set the Memory limit when using Memoryswap "
          "limit, see usage");
    }
    if (limits.memory_bytes > 0 &&
        limits.memory_swap_bytes < limits.memory_bytes) {
      return absl::InvalidArgumentError(
          "Minimum memoryswap limit should be larger than memory limit, see "
          "usage");
    }
  }
  if (limits.nano_cpus < min_unset) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid CPU limit ", limits.nano_cpus, " (nano CPUs)"));
  }
  if (limits.nano_cpus > 0 && CpuQuotaUs(limits.nano_cpus) < 1000) {
    return absl::InvalidArgumentError(
        "CPU limit too small: the minimum is 0.01 CPUs");
  }
  if (limits.cpu_shares < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid CPU shares ", limits.cpu_shares));
  }
  if (limits.pids_limit < -1) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid pids limit ", limits.pids_limit));
  }
  // The CFS bounds and Docker's words for them (daemon_unix.go).
  if (limits.nano_cpus > 0 &&
      (limits.cpu_period_us > 0 || limits.cpu_quota_us > 0)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Conflicting options: Nano CPUs and CPU ",
        limits.cpu_period_us > 0 ? "Period" : "Quota", " cannot both be set"));
  }
  if (limits.cpu_period_us != 0 &&
      (limits.cpu_period_us < 1000 || limits.cpu_period_us > 1000000)) {
    return absl::InvalidArgumentError(
        "CPU cfs period can not be less than 1ms (i.e. 1000) or larger than "
        "1s (i.e. 1000000)");
  }
  if (limits.cpu_quota_us < min_unset ||
      (limits.cpu_quota_us > 0 && limits.cpu_quota_us < 1000)) {
    return absl::InvalidArgumentError(
        "CPU cfs quota can not be less than 1ms (i.e. 1000)");
  }
  if (limits.memory_reservation_bytes < 0 ||
      (limits.memory_reservation_bytes > 0 &&
       limits.memory_reservation_bytes < 6 * 1024 * 1024)) {
    return absl::InvalidArgumentError(
        "Minimum memory reservation allowed is 6MB");
  }
  if (limits.memory_bytes > 0 && limits.memory_reservation_bytes > 0 &&
      limits.memory_bytes < limits.memory_reservation_bytes) {
    return absl::InvalidArgumentError(
        "Minimum memory limit can not be less than memory reservation limit, "
        "see usage");
  }
  if (limits.blkio_weight != 0 &&
      (limits.blkio_weight < 10 || limits.blkio_weight > 1000)) {
    return absl::InvalidArgumentError("Range of blkio weight is from 10 to 1000");
  }
  return absl::OkStatus();
}

int64_t EffectiveMemorySwap(const Limits& limits) {
  if (limits.memory_bytes <= 0) return limits.memory_swap_bytes == -1 ? -1 : 0;
  if (limits.memory_swap_bytes == 0) {
    // Docker's default, twice the memory; a limit so large that twice it
    // overflows means no swap limit (the kernel clamps to its maximum too).
    if (limits.memory_bytes > std::numeric_limits<int64_t>::max() / 2) {
      return -1;
    }
    return 2 * limits.memory_bytes;
  }
  return limits.memory_swap_bytes;
}

std::string FirstExisting(const std::string& dir,
                          std::initializer_list<const char*> files) {
  for (const char* file : files) {
    std::string path = absl::StrCat(dir, "/", file);
    if (PathExists(path)) return path;
  }
  return "";
}

int64_t BlkioWeightToIoWeight(int64_t weight) {
  if (weight <= 0) return 0;
  return 1 + (weight - 10) * 9999 / 990;
}

int64_t CpuQuotaUs(int64_t nano_cpus) {
  if (nano_cpus == -1) return -1;
  return nano_cpus * kCpuPeriodUs / 1000000000;
}

absl::Status ValidateId(const std::string& id) {
  if (!ValidPathPart(id) || id.find('/') != std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid cgroup name \"", id, "\""));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> CgroupPath(const std::string& root,
                                       const std::string& parent,
                                       const std::string& id) {
  RETURN_IF_ERROR(ValidateId(id));
  return absl::StrCat(root, "/", parent, "/", id);
}

}  // namespace berth::containerd::cgroups::internal
