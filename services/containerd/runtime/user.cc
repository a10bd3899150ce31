#include "services/containerd/runtime/user.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/fs_util.h"
#include "common/status_macros.h"

namespace berth {
namespace containerd {
namespace runtime {
namespace {

constexpr uint32_t kMaxId = (1u << 31) - 1;

// A decimal id in [0, 2^31-1], or nullopt if `text` is not one.
std::optional<uint32_t> ParseId(absl::string_view text) {
  if (text.empty() || text.size() > 10) return std::nullopt;
  for (char c : text) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return std::nullopt;
  }
  uint64_t value = 0;
  if (!absl::SimpleAtoi(text, &value) || value > kMaxId) return std::nullopt;
  return static_cast<uint32_t>(value);
}

struct PasswdEntry {
  std::string name;
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::string home;
};

struct GroupEntry {
  std::string name;
  uint32_t gid = 0;
  std::vector<std::string> members;
};

// Lines of an /etc file, without comments and blank lines, split on ':'.
std::vector<std::vector<std::string>> Records(absl::string_view text) {
  std::vector<std::vector<std::string>> records;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    records.push_back(absl::StrSplit(line, ':'));
  }
  return records;
}

std::vector<PasswdEntry> ParsePasswd(absl::string_view text) {
  std::vector<PasswdEntry> entries;
  for (auto& fields : Records(text)) {
    // name:password:uid:gid:gecos:home:shell
    if (fields.size() < 4) continue;
    std::optional<uint32_t> uid = ParseId(fields[2]);
    std::optional<uint32_t> gid = ParseId(fields[3]);
    if (!uid || !gid) continue;
    PasswdEntry entry;
    entry.name = fields[0];
    entry.uid = *uid;
    entry.gid = *gid;
    if (fields.size() > 5) entry.home = fields[5];
    entries.push_back(std::move(entry));
  }
  return entries;
}

std::vector<GroupEntry> ParseGroup(absl::string_view text) {
  std::vector<GroupEntry> entries;
  for (auto& fields : Records(text)) {
    // name:password:gid:member,member
    if (fields.size() < 3) continue;
    std::optional<uint32_t> gid = ParseId(fields[2]);
    if (!gid) continue;
    GroupEntry entry;
    entry.name = fields[0];
    entry.gid = *gid;
    if (fields.size() > 3) {
      entry.members = absl::StrSplit(fields[3], ',', absl::SkipEmpty());
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

// A group named `arg`, or with gid `arg` if it is numeric; nullptr if none.
const GroupEntry* FindGroup(const std::vector<GroupEntry>& groups,
                            absl::string_view arg) {
  std::optional<uint32_t> gid = ParseId(arg);
  for (const GroupEntry& group : groups) {
    if (gid ? group.gid == *gid : group.name == arg) return &group;
  }
  return nullptr;
}

void AddUnique(std::vector<gid_t>& gids, gid_t gid) {
  for (gid_t existing : gids) {
    if (existing == gid) return;
  }
  gids.push_back(gid);
}

// The container's passwd or group file. An image can put anything there:
// only a regular file is read, opened non-blocking, so a FIFO (which would
// hold the start open until someone writes to it) or a device counts as
// absent, as a missing file does.
absl::StatusOr<std::string> ReadOptional(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return std::string();
    return ErrnoStatus(errno, "stat", path);
  }
  if (!S_ISREG(st.st_mode)) return std::string();
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) return ErrnoStatus(errno, "open", path);
  // Swapped for something else since the stat: refuse rather than read it.
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return absl::FailedPreconditionError(
        absl::StrCat(path, " changed while being read"));
  }
  constexpr size_t kMaxBytes = 16 << 20;
  std::string data;
  char buffer[8192];
  for (;;) {
    const ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      close(fd);
      return ErrnoStatus(err, "read", path);
    }
    if (n == 0) break;
    data.append(buffer, static_cast<size_t>(n));
    if (data.size() > kMaxBytes) {
      close(fd);
      return absl::FailedPreconditionError(
          absl::StrCat(path, " is larger than ", kMaxBytes, " bytes"));
    }
  }
  close(fd);
  return data;
}

}  // namespace

absl::StatusOr<ExecUser> ResolveUser(absl::string_view spec,
                                     absl::string_view passwd,
                                     absl::string_view group,
                                     const std::vector<std::string>& group_add) {
  absl::string_view user_arg = spec;
  absl::string_view group_arg;
  if (size_t colon = spec.find(':'); colon != absl::string_view::npos) {
    user_arg = spec.substr(0, colon);
    group_arg = spec.substr(colon + 1);
  }

  ExecUser user;
  std::optional<uint32_t> uid_arg = ParseId(user_arg);
  const std::vector<PasswdEntry> users = ParsePasswd(passwd);
  const PasswdEntry* matched = nullptr;
  for (const PasswdEntry& entry : users) {
    bool match = user_arg.empty() ? entry.uid == 0
                 : uid_arg        ? entry.uid == *uid_arg
                                  : entry.name == user_arg;
    if (match) {
      matched = &entry;
      break;
    }
  }
  if (matched != nullptr) {
    user.uid = matched->uid;
    user.gid = matched->gid;
    if (!matched->home.empty()) user.home = matched->home;
  } else if (uid_arg) {
    user.uid = *uid_arg;
  } else if (!user_arg.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "unable to find user ", user_arg, ": no matching entries in passwd file"));
  }

  const std::vector<GroupEntry> groups = ParseGroup(group);
  const auto with_primary_first = [&user] {
    // The primary group is a supplementary group too, as Docker sets it up
    // since the fix for CVE-2023-25173: `id` shows groups=0(root),10(wheel).
    std::vector<gid_t> rest = std::move(user.groups);
    user.groups = {user.gid};
    for (gid_t gid : rest) AddUnique(user.groups, gid);
  };
  if (!group_arg.empty()) {
    if (const GroupEntry* entry = FindGroup(groups, group_arg)) {
      user.gid = entry->gid;
    } else if (std::optional<uint32_t> gid = ParseId(group_arg)) {
      user.gid = *gid;
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "unable to find group ", group_arg, ": no matching entries in group file"));
    }
  } else if (matched != nullptr) {
    for (const GroupEntry& entry : groups) {
      for (const std::string& member : entry.members) {
        if (member == matched->name) {
          AddUnique(user.groups, entry.gid);
          break;
        }
      }
    }
  }

  for (const std::string& extra : group_add) {
    if (const GroupEntry* entry = FindGroup(groups, extra)) {
      AddUnique(user.groups, entry->gid);
    } else if (std::optional<uint32_t> gid = ParseId(extra)) {
      AddUnique(user.groups, *gid);
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "unable to find group ", extra, ": no matching entries in group file"));
    }
  }
  with_primary_first();
  return user;
}

absl::StatusOr<ExecUser> ResolveUserFromFiles(
    absl::string_view spec, const std::string& passwd_path,
    const std::string& group_path, const std::vector<std::string>& group_add) {
  ASSIGN_OR_RETURN(std::string passwd, ReadOptional(passwd_path));
  ASSIGN_OR_RETURN(std::string group, ReadOptional(group_path));
  return ResolveUser(spec, passwd, group, group_add);
}

}  // namespace runtime
}  // namespace containerd
}  // namespace berth
