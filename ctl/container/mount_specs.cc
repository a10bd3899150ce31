#include "ctl/container/mount_specs.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/proto_util.h"
#include "common/storage_opts.h"
#include "common/tree_archive/tree_paths.h"
#include "ctl/container/container_args.h"

namespace berth::ctl {
namespace {

using types::v1::Mount;

// Go's filepath.Abs for a relative path: cleaned, against `cwd`.
std::string Absolute(absl::string_view path, absl::string_view cwd) {
  return tree_archive::CleanPath(absl::StrCat(cwd, "/", path));
}

// Go's strconv.ParseBool.
std::optional<bool> ParseGoBool(absl::string_view value) {
  for (const char* yes : {"1", "t", "T", "TRUE", "true", "True"}) {
    if (value == yes) return true;
  }
  for (const char* no : {"0", "f", "F", "FALSE", "false", "False"}) {
    if (value == no) return false;
  }
  return std::nullopt;
}

// One record of Go's encoding/csv (as Docker reads --mount): fields split
// at commas, a field that starts with '"' quoted ("" is a quote inside).
absl::StatusOr<std::vector<std::string>> ReadCsvRecord(absl::string_view line) {
  if (line.empty()) return absl::InvalidArgumentError("EOF");
  std::vector<std::string> fields;
  size_t i = 0;
  while (true) {
    std::string field;
    if (i < line.size() && line[i] == '"') {
      ++i;
      while (true) {
        if (i >= line.size()) {
          return absl::InvalidArgumentError(absl::StrCat(
              "parse error on line 1, column ", i + 1,
              ": extraneous or missing \" in quoted-field"));
        }
        if (line[i] != '"') {
          field += line[i++];
        } else if (i + 1 < line.size() && line[i + 1] == '"') {
          field += '"';
          i += 2;
        } else {
          ++i;
          break;
        }
      }
      if (i < line.size() && line[i] != ',') {
        return absl::InvalidArgumentError(
            absl::StrCat("parse error on line 1, column ", i + 1,
                         ": extraneous or missing \" in quoted-field"));
      }
    } else {
      const size_t end = std::min(line.find(',', i), line.size());
      field = std::string(line.substr(i, end - i));
      if (const size_t quote = field.find('"'); quote != std::string::npos) {
        return absl::InvalidArgumentError(
            absl::StrCat("parse error on line 1, column ", i + quote + 1,
                         ": bare \" in non-quoted-field"));
      }
      i = end;
    }
    fields.push_back(std::move(field));
    if (i >= line.size()) return fields;
    ++i;  // the comma
  }
}

// `volume-label`/`volume-opt` values, as Docker's setValueOnMap: "K=V" or
// "K" (empty value); an empty key is dropped.
void SetOnMap(absl::string_view entry,
              google::protobuf::Map<std::string, std::string>* map) {
  std::pair<std::string, std::string> kv =
      absl::StrSplit(entry, absl::MaxSplits('=', 1));
  if (!kv.first.empty()) (*map)[kv.first] = kv.second;
}

// What a --mount value sets besides the Mount itself: which type-specific
// options it named (Docker refuses them for another type even when unset).
struct MountOptionsSeen {
  bool bind = false;
  bool volume = false;
  bool tmpfs = false;
  bool image = false;
};

// One `key[=value]` field of --mount, split; `key` lower-cased as Docker
// does.
struct MountField {
  const std::string& text;
  std::string key;
  std::string value;
  bool has_value = false;

  // A boolean option: true when bare, else Go's ParseBool of its value. The
  // problem in Docker's words, or "".
  std::string Boolean(bool* out) const {
    if (!has_value) {
      *out = true;
      return "";
    }
    std::optional<bool> parsed = ParseGoBool(value);
    if (!parsed.has_value()) {
      return absl::StrCat("invalid value for ", key, ": ", value);
    }
    *out = *parsed;
    return "";
  }
  std::string InvalidValue() const {
    return absl::StrCat("invalid value for ", key, ": ", value);
  }
};

std::string ApplyBindField(const MountField& f, Mount::BindOptions* bind) {
  if (f.key == "bind-propagation") {
    std::optional<Mount::Propagation> mode =
        PropagationNamed(absl::AsciiStrToLower(f.value));
    if (!mode.has_value()) {
      return absl::StrCat("invalid propagation mode: ", f.value);
    }
    bind->set_propagation(*mode);
    return "";
  }
  if (f.key == "bind-nonrecursive") {
    bool non_recursive = false;
    std::string problem = f.Boolean(&non_recursive);
    bind->set_non_recursive(non_recursive);
    return problem;
  }
  // bind-recursive: the contract has no read-only recursion modes.
  if (f.value == "disabled") {
    bind->set_non_recursive(true);
  } else if (f.value == "writable" || f.value == "readonly") {
    return f.InvalidValue() + " (Berth supports \"enabled\" and \"disabled\")";
  } else if (f.value != "enabled") {
    return f.InvalidValue() +
           " (must be \"enabled\", \"disabled\", \"writable\", or "
           "\"readonly\")";
  }
  return "";
}

std::string ApplyVolumeField(const MountField& f,
                             Mount::VolumeOptions* volume) {
  if (f.key == "volume-subpath") {
    volume->set_subpath(f.value);
  } else if (f.key == "volume-nocopy") {
    bool no_copy = false;
    std::string problem = f.Boolean(&no_copy);
    volume->set_no_copy(no_copy);
    return problem;
  } else if (f.key == "volume-label") {
    SetOnMap(f.value, volume->mutable_labels());
  } else if (f.key == "volume-driver") {
    volume->set_driver(f.value);
  } else {  // volume-opt
    SetOnMap(f.value, volume->mutable_driver_options());
  }
  return "";
}

std::string ApplyTmpfsField(const MountField& f, Mount::TmpfsOptions* tmpfs) {
  if (f.key == "tmpfs-size") {
    absl::StatusOr<int64_t> bytes = ParseRamBytes(f.value);
    if (!bytes.ok()) return f.InvalidValue();
    tmpfs->set_size_bytes(*bytes);
  } else {  // tmpfs-mode
    std::optional<uint32_t> mode = ParseOctalMode(f.value);
    if (!mode.has_value()) return f.InvalidValue();
    tmpfs->set_mode(*mode);
  }
  return "";
}

// One field of --mount into `mount`; the problem in Docker's words, or "".
std::string ApplyMountField(const std::string& text, absl::string_view cwd,
                            std::string* type, Mount* mount,
                            MountOptionsSeen* seen) {
  std::pair<std::string, std::string> kv =
      absl::StrSplit(text, absl::MaxSplits('=', 1));
  const MountField f{text, absl::AsciiStrToLower(kv.first), kv.second,
                     text.find('=') != std::string::npos};
  const std::string& key = f.key;
  if (!f.has_value && key != "readonly" && key != "ro" &&
      key != "volume-nocopy" && key != "bind-nonrecursive") {
    return absl::StrCat("invalid field '", text, "' must be a key=value pair");
  }
  if (key == "type") {
    *type = absl::AsciiStrToLower(f.value);
  } else if (key == "source" || key == "src") {
    // As Docker: only a path starting with "." is taken as relative.
    mount->set_source(absl::StartsWith(f.value, ".") ? Absolute(f.value, cwd)
                                                     : f.value);
  } else if (key == "target" || key == "dst" || key == "destination") {
    mount->set_target(f.value);
  } else if (key == "readonly" || key == "ro") {
    bool read_only = false;
    std::string problem = f.Boolean(&read_only);
    mount->set_read_only(read_only);
    return problem;
  } else if (key == "consistency") {
    // Docker for Mac's; Linux ignores it.
  } else if (key == "bind-propagation" || key == "bind-nonrecursive" ||
             key == "bind-recursive") {
    seen->bind = true;
    return ApplyBindField(f, mount->mutable_bind_options());
  } else if (key == "volume-subpath" || key == "volume-nocopy" ||
             key == "volume-label" || key == "volume-driver" ||
             key == "volume-opt") {
    seen->volume = true;
    return ApplyVolumeField(f, mount->mutable_volume_options());
  } else if (key == "tmpfs-size" || key == "tmpfs-mode") {
    seen->tmpfs = true;
    return ApplyTmpfsField(f, mount->mutable_tmpfs_options());
  } else if (key == "image-subpath") {
    seen->image = true;
  } else {
    return absl::StrCat("unexpected key '", key, "' in '", text, "'");
  }
  return "";
}

// Docker's checks after the fields, then the daemon's that need no state.
std::string CheckMount(const std::string& type, const MountOptionsSeen& seen,
                       Mount* mount) {
  if (type.empty()) return "type is required";
  if (mount->target().empty()) return "target is required";
  const std::pair<bool, const char*> families[] = {
      {seen.volume && type != "volume", "volume"},
      {seen.image && type != "image", "image"},
      {seen.bind && type != "bind", "bind"},
      {seen.tmpfs && type != "tmpfs", "tmpfs"}};
  for (const auto& [mixed, family] : families) {
    if (mixed) {
      return absl::StrCat("cannot mix '", family,
                          "-*' options with mount type '", type, "'");
    }
  }
  const std::string config =
      absl::StrCat("invalid mount config for type \"", type, "\": ");
  if (type == "bind") {
    mount->set_type(Mount::TYPE_BIND);
    if (mount->source().empty()) {
      return config + "field Source must not be empty";
    }
  } else if (type == "volume") {
    mount->set_type(Mount::TYPE_VOLUME);
  } else if (type == "tmpfs") {
    mount->set_type(Mount::TYPE_TMPFS);
    if (!mount->source().empty()) {
      return config + "field Source must not be specified";
    }
  } else {
    return absl::StrCat(config, "mount type unknown",
                        type == "image" ? " to Berth" : "");
  }
  if (!absl::StartsWith(mount->target(), "/")) {
    return absl::StrCat(config, "invalid mount path: '", mount->target(),
                        "' mount path must be absolute");
  }
  return "";
}

// --mount's value into a Mount; the problem unframed.
absl::StatusOr<Mount> ParseMount(absl::string_view value,
                                 absl::string_view cwd) {
  absl::StatusOr<std::vector<std::string>> fields = ReadCsvRecord(value);
  if (!fields.ok()) return fields.status();
  Mount mount;
  std::string type = "volume";
  MountOptionsSeen seen;
  for (const std::string& field : *fields) {
    const std::string problem =
        ApplyMountField(field, cwd, &type, &mount, &seen);
    if (!problem.empty()) return absl::InvalidArgumentError(problem);
  }
  const std::string problem = CheckMount(type, seen, &mount);
  if (!problem.empty()) return absl::InvalidArgumentError(problem);
  return mount;
}

}  // namespace

absl::StatusOr<VolumeFlag> ParseVolumeFlag(absl::string_view value,
                                           absl::string_view cwd) {
  if (value.empty()) {
    return absl::InvalidArgumentError("invalid empty volume spec");
  }
  const std::vector<absl::string_view> parts = absl::StrSplit(value, ':');
  // Docker reads a value of one or two characters as a path, colons or not.
  if (value.size() <= 2 || parts.size() == 1) {
    return VolumeFlag{true, std::string(value)};
  }
  for (size_t i = 0; i < parts.size(); ++i) {
    // Docker's parser sees the first three sections before it counts.
    if (i == 3) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid spec: ", value, ": too many colons"));
    }
    if (parts[i].empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "invalid spec: ", value, ": empty section between colons"));
    }
  }
  if (absl::StartsWith(parts[0], ".")) {
    return VolumeFlag{
        false, absl::StrCat(Absolute(parts[0], cwd),
                            value.substr(parts[0].size()))};
  }
  return VolumeFlag{false, std::string(value)};
}

absl::StatusOr<Mount> ParseMountFlag(absl::string_view value,
                                     absl::string_view cwd) {
  absl::StatusOr<Mount> mount = ParseMount(value, cwd);
  if (!mount.ok()) {
    return FlagValueError("--mount", value, mount.status().message());
  }
  return mount;
}

std::string MountFlagProblem(const std::string& value) {
  // The working directory only changes a relative source, never validity.
  absl::StatusOr<Mount> mount = ParseMount(value, "/");
  return mount.ok() ? "" : std::string(mount.status().message());
}

absl::StatusOr<Mount> ParseTmpfsFlag(absl::string_view value) {
  absl::StatusOr<Mount> mount = ParseTmpfsSpec(value);
  if (!mount.ok()) return FlagValueError("--tmpfs", value, mount.status().message());
  return mount;
}

absl::StatusOr<container::v1::DeviceMapping> ParseDeviceFlag(
    absl::string_view value) {
  // A permission set: some of r, w and m, each at most once.
  auto is_mode = [](absl::string_view mode) {
    if (mode.empty()) return false;
    std::string seen;
    for (char c : mode) {
      if ((c != 'r' && c != 'w' && c != 'm') || absl::StrContains(seen, c)) {
        return false;
      }
      seen += c;
    }
    return true;
  };
  const std::vector<std::string> parts = absl::StrSplit(value, ':');
  if (parts.size() > 3 || parts[0].empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad format for path: ", value));
  }
  container::v1::DeviceMapping device;
  std::string container_path;  // as typed, for the absolute-path check
  std::string permissions = "rwm";
  if (parts.size() == 1 || (parts.size() == 2 && is_mode(parts[1]))) {
    // HOST or HOST:PERMISSIONS: the same path inside, cleaned as Docker's.
    container_path = parts[0];
    device.set_path_on_host(tree_archive::CleanPath(parts[0]));
    device.set_path_in_container(device.path_on_host());
    if (parts.size() == 2) permissions = parts[1];
  } else if (parts.size() == 2) {
    container_path = parts[1];
    device.set_path_on_host(parts[0]);
    device.set_path_in_container(tree_archive::CleanPath(parts[1]));
  } else {
    if (!is_mode(parts[2])) {
      return absl::InvalidArgumentError(
          absl::StrCat("bad mode specified: ", parts[2]));
    }
    container_path = parts[1];
    device.set_path_on_host(parts[0]);
    device.set_path_in_container(parts[1]);
    permissions = parts[2];
  }
  if (!absl::StartsWith(container_path, "/")) {
    return absl::InvalidArgumentError(
        absl::StrCat(container_path, " is not an absolute path"));
  }
  device.set_cgroup_permissions(permissions);
  return device;
}

}  // namespace berth::ctl
