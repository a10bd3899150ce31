#include "services/volumed/volume_driver.h"

#include <limits.h>
#include <stdlib.h>
#include <sys/mount.h>

#include <cerrno>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/fs_util.h"
#include "common/status_macros.h"
#include "common/storage_opts.h"

namespace berth::volumed {
namespace {

struct FlagWord {
  const char* word;
  bool clear;  // "rw" clears MS_RDONLY, "ro" sets it
  unsigned long flag;
};

// The flag words of mount(8) that Docker's local driver turns into MS_*
// flags; every other word of `o` is data for the filesystem.
constexpr FlagWord kFlagWords[] = {
    {"defaults", false, 0},         {"ro", false, MS_RDONLY},
    {"rw", true, MS_RDONLY},        {"suid", true, MS_NOSUID},
    {"nosuid", false, MS_NOSUID},   {"dev", true, MS_NODEV},
    {"nodev", false, MS_NODEV},     {"exec", true, MS_NOEXEC},
    {"noexec", false, MS_NOEXEC},   {"sync", false, MS_SYNCHRONOUS},
    {"async", true, MS_SYNCHRONOUS}, {"dirsync", false, MS_DIRSYNC},
    {"atime", true, MS_NOATIME},    {"noatime", false, MS_NOATIME},
    {"diratime", true, MS_NODIRATIME}, {"nodiratime", false, MS_NODIRATIME},
    {"relatime", false, MS_RELATIME}, {"norelatime", true, MS_RELATIME},
    {"strictatime", false, MS_STRICTATIME},
    {"bind", false, MS_BIND},       {"rbind", false, MS_BIND | MS_REC},
};

absl::Status Invalid(const std::string& key, const std::string& value,
                     const std::string& why) {
  return absl::InvalidArgumentError(
      absl::StrCat("invalid option ", key, "=", value, ": ", why));
}

// tmpfs reads k/m/g suffixes only; Docker users write "1.5g" or "1gb".
absl::StatusOr<std::string> TmpfsSize(const std::string& o,
                                      const std::string& value) {
  if (absl::EndsWith(value, "%")) {
    int percent = 0;
    if (absl::SimpleAtoi(value.substr(0, value.size() - 1), &percent) &&
        percent > 0 && percent <= 100) {
      return value;
    }
    return Invalid("o", o, absl::StrCat("bad tmpfs size \"", value, "\""));
  }
  absl::StatusOr<int64_t> bytes = ParseRamBytes(value);
  if (!bytes.ok() || *bytes <= 0) {
    return Invalid("o", o, absl::StrCat("bad tmpfs size \"", value, "\""));
  }
  return std::to_string(*bytes);
}

absl::Status ParseMountOptions(const std::string& o, DriverMount& mount) {
  std::vector<std::string> data;
  for (absl::string_view word : absl::StrSplit(o, ',', absl::SkipEmpty())) {
    bool is_flag = false;
    for (const FlagWord& flag : kFlagWords) {
      if (word != flag.word) continue;
      is_flag = true;
      if (flag.clear) {
        mount.flags &= ~flag.flag;
      } else {
        mount.flags |= flag.flag;
      }
    }
    if (is_flag) continue;
    if (mount.type == "tmpfs" && absl::StartsWith(word, "size=")) {
      ASSIGN_OR_RETURN(std::string size,
                       TmpfsSize(o, std::string(word.substr(5))));
      data.push_back(absl::StrCat("size=", size));
      continue;
    }
    data.emplace_back(word);
  }
  mount.data = absl::StrJoin(data, ",");
  return absl::OkStatus();
}

}  // namespace

bool DriverMount::bind() const { return (flags & MS_BIND) != 0; }

absl::StatusOr<std::string> NormalizeDriver(const std::string& driver) {
  if (driver.empty() || driver == kLocalDriver) return std::string(kLocalDriver);
  return absl::InvalidArgumentError(absl::StrCat(
      "volume driver \"", driver, "\" is not supported: only \"local\" is"));
}

absl::StatusOr<std::optional<DriverMount>> ParseDriverOptions(
    const google::protobuf::Map<std::string, std::string>& options) {
  for (const auto& [key, value] : options) {
    if (key != "type" && key != "device" && key != "o") {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid option: \"", key,
                       "\" (the local driver takes type, device and o)"));
    }
  }
  if (options.empty()) return std::nullopt;
  auto get = [&](const char* key) -> std::string {
    auto it = options.find(key);
    return it == options.end() ? "" : it->second;
  };
  DriverMount mount;
  mount.type = get("type");
  mount.source = get("device");
  if (mount.type.empty()) {
    return absl::InvalidArgumentError("missing required option: \"type\"");
  }
  if (mount.source.empty()) {
    // A tmpfs has no device; mount(8) shows the source as "tmpfs".
    if (mount.type != "tmpfs") {
      return absl::InvalidArgumentError("missing required option: \"device\"");
    }
    mount.source = "tmpfs";
  }
  RETURN_IF_ERROR(ParseMountOptions(get("o"), mount));
  if (mount.type == "none" && !mount.bind()) {
    return Invalid("type", "none", "a volume of type none needs o=bind");
  }
  if (mount.bind() && !absl::StartsWith(mount.source, "/")) {
    return Invalid("device", mount.source,
                   "a bind mount's device must be an absolute path");
  }
  return mount;
}

namespace {

class KernelMounter final : public Mounter {
 public:
  static constexpr int kMaxStackedMounts = 16;

  absl::Status Mount(const DriverMount& mount,
                     const std::string& target) override {
    if (!mount.bind()) {
      if (::mount(mount.source.c_str(), target.c_str(), mount.type.c_str(),
                  mount.flags, mount.data.empty() ? nullptr : mount.data.c_str()) != 0) {
        return ErrnoStatus(errno, absl::StrCat("mount ", mount.source, " on"),
                           target);
      }
      return absl::OkStatus();
    }
    const unsigned long bind = MS_BIND | (mount.flags & MS_REC);
    if (::mount(mount.source.c_str(), target.c_str(), nullptr, bind, nullptr) != 0) {
      return ErrnoStatus(errno, absl::StrCat("bind mount ", mount.source, " on"),
                         target);
    }
    // A bind mount takes ro, nosuid and the like only on a remount.
    const unsigned long rest = mount.flags & ~(MS_BIND | MS_REC);
    if (rest == 0) return absl::OkStatus();
    if (::mount(nullptr, target.c_str(), nullptr, MS_REMOUNT | MS_BIND | rest,
                nullptr) != 0) {
      const int err = errno;
      umount2(target.c_str(), MNT_DETACH);
      return ErrnoStatus(err, "remount", target);
    }
    return absl::OkStatus();
  }

  absl::Status Unmount(const std::string& target) override {
    // Detached as Docker's local driver does: a straggler holding a file
    // open does not keep the volume from going. Repeated until EINVAL (no
    // mount left), so mounts stacked by a crash all go before a removal
    // walks the directory (a bind mount's source must never be walked).
    for (int i = 0; i < kMaxStackedMounts; ++i) {
      if (umount2(target.c_str(), MNT_DETACH) == 0) continue;
      if (errno == EINVAL || errno == ENOENT) return absl::OkStatus();
      return ErrnoStatus(errno, "unmount", target);
    }
    return absl::InternalError(absl::StrCat(
        "unmount ", target, ": still mounted after ", kMaxStackedMounts,
        " unmounts"));
  }

  absl::StatusOr<bool> IsMounted(const std::string& target) override {
    // mountinfo shows resolved paths: a root under a symlink must match.
    char resolved[PATH_MAX];
    if (realpath(target.c_str(), resolved) == nullptr) {
      if (errno == ENOENT) return false;
      return ErrnoStatus(errno, "resolve", target);
    }
    ASSIGN_OR_RETURN(std::string table,
                     ReadFileToString("/proc/self/mountinfo", 64 << 20));
    for (absl::string_view line : absl::StrSplit(table, '\n')) {
      std::vector<absl::string_view> fields = absl::StrSplit(line, ' ');
      if (fields.size() > 4 && Unescape(fields[4]) == resolved) return true;
    }
    return false;
  }

 private:
  // mountinfo writes space, tab, newline and backslash as \ooo.
  static std::string Unescape(absl::string_view field) {
    std::string out;
    for (size_t i = 0; i < field.size(); ++i) {
      if (field[i] == '\\' && i + 3 < field.size() && IsOctal(field[i + 1]) &&
          IsOctal(field[i + 2]) && IsOctal(field[i + 3])) {
        out.push_back(static_cast<char>((field[i + 1] - '0') * 64 +
                                        (field[i + 2] - '0') * 8 +
                                        (field[i + 3] - '0')));
        i += 3;
        continue;
      }
      out.push_back(field[i]);
    }
    return out;
  }
  static bool IsOctal(char c) { return c >= '0' && c <= '7'; }
};

}  // namespace

std::unique_ptr<Mounter> NewKernelMounter() {
  return std::make_unique<KernelMounter>();
}

}  // namespace berth::volumed
