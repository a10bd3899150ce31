#include "services/containerd/mount_plan.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/proto_util.h"
#include "common/status_macros.h"
#include "common/storage_opts.h"

namespace berth::containerd {

using container::v1::MountPoint;
using types::v1::Mount;

namespace {

absl::Status InvalidSpec(absl::string_view raw) {
  return absl::InvalidArgumentError(
      absl::StrCat("invalid volume specification: '", raw, "'"));
}

absl::Status MountConfigError(absl::string_view type, absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("invalid mount config for type \"", type, "\": ", what));
}

const char* TypeName(Mount::Type type) {
  switch (type) {
    case Mount::TYPE_BIND: return "bind";
    case Mount::TYPE_VOLUME: return "volume";
    case Mount::TYPE_TMPFS: return "tmpfs";
    default: return "";
  }
}

// `path` without "." parts, repeated or trailing slashes ("/a/./b/" is
// "/a/b"); ".." is kept for the rootfs resolution to judge.
std::string CleanTarget(absl::string_view path) {
  std::vector<absl::string_view> parts;
  for (absl::string_view part : absl::StrSplit(path, '/', absl::SkipEmpty())) {
    if (part != ".") parts.push_back(part);
  }
  return absl::StrCat("/", absl::StrJoin(parts, "/"));
}

absl::Status CheckTarget(absl::string_view type, absl::string_view target) {
  if (target.empty()) return MountConfigError(type, "field Target must not be empty");
  if (target[0] != '/') {
    return MountConfigError(
        type, absl::StrCat("invalid mount path: '", target,
                           "' mount path must be absolute"));
  }
  if (CleanTarget(target) == "/") {
    return absl::InvalidArgumentError(
        "invalid specification: destination can't be '/'");
  }
  return absl::OkStatus();
}

// The options of a `-v` mode, each kind at most once (Docker's
// ValidMountMode).
struct VolumeMode {
  bool read_only = false;
  bool no_copy = false;
  std::optional<Mount::Propagation> propagation;
};

absl::StatusOr<VolumeMode> ParseMode(absl::string_view mode) {
  VolumeMode parsed;
  int access = 0, label = 0, copy = 0, propagation = 0, consistency = 0;
  for (absl::string_view word : absl::StrSplit(mode, ',')) {
    if (word == "ro" || word == "rw") {
      parsed.read_only = word == "ro";
      ++access;
    } else if (word == "z" || word == "Z") {
      ++label;  // SELinux relabelling: accepted, nothing to relabel here
    } else if (word == "nocopy") {
      parsed.no_copy = true;
      ++copy;
    } else if (std::optional<Mount::Propagation> p = PropagationNamed(word)) {
      parsed.propagation = p;
      ++propagation;
    } else if (word == "consistent" || word == "cached" || word == "delegated") {
      ++consistency;  // macOS file sharing hints: meaningless on Linux
    } else {
      return absl::InvalidArgumentError(absl::StrCat("invalid mode: ", mode));
    }
  }
  if (access > 1 || label > 1 || copy > 1 || propagation > 1 || consistency > 1) {
    return absl::InvalidArgumentError(absl::StrCat("invalid mode: ", mode));
  }
  return parsed;
}

bool IsMode(absl::string_view text) { return ParseMode(text).ok(); }

MountPoint AnonymousVolume(const std::string& target) {
  MountPoint point;
  point.set_type(Mount::TYPE_VOLUME);
  point.set_destination(target);
  point.set_driver("local");
  point.set_rw(true);
  Mount* spec = point.mutable_spec();
  spec->set_type(Mount::TYPE_VOLUME);
  spec->set_target(target);
  return point;
}

}  // namespace

bool IsVolumeName(absl::string_view name) {
  if (name.empty() || name.size() > 255 || !absl::ascii_isalnum(name[0])) {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return absl::ascii_isalnum(c) || c == '_' || c == '.' || c == '-';
  });
}

absl::StatusOr<MountPoint> ParseVolumeSpec(absl::string_view raw) {
  std::vector<absl::string_view> parts = absl::StrSplit(raw, ':');
  absl::string_view source, target, mode;
  switch (parts.size()) {
    case 1:
      target = parts[0];
      break;
    case 2:
      // "/ctr:ro" names no source: a volume cannot carry a mode alone.
      if (IsMode(parts[1])) return InvalidSpec(raw);
      source = parts[0];
      target = parts[1];
      break;
    case 3:
      source = parts[0];
      target = parts[1];
      mode = parts[2];
      break;
    default:
      return InvalidSpec(raw);
  }
  if (raw.empty() || (parts.size() > 1 && source.empty())) return InvalidSpec(raw);
  // "/ctr" alone and "SRC:/ctr" with a mode-looking third part are covered
  // above; anything else with ':' in the target is not a path Docker takes.
  VolumeMode parsed;
  if (parts.size() == 3) {
    absl::StatusOr<VolumeMode> from = ParseMode(mode);
    if (!from.ok()) return from.status();
    parsed = *from;
  }
  const bool bind = absl::StartsWith(source, "/");
  absl::Status target_ok = CheckTarget(bind ? "bind" : "volume", target);
  if (!target_ok.ok()) return target_ok;
  const std::string clean = CleanTarget(target);
  if (source.empty()) {
    MountPoint point = AnonymousVolume(clean);
    return point;
  }
  MountPoint point;
  point.set_destination(clean);
  point.set_mode(std::string(mode));
  point.set_rw(!parsed.read_only);
  Mount* spec = point.mutable_spec();
  spec->set_target(clean);
  spec->set_read_only(parsed.read_only);
  if (bind) {
    if (parsed.no_copy) {
      return absl::InvalidArgumentError(absl::StrCat("invalid mode: ", mode));
    }
    const Mount::Propagation propagation =
        parsed.propagation.value_or(Mount::PROPAGATION_RPRIVATE);
    point.set_type(Mount::TYPE_BIND);
    point.set_source(std::string(source));
    point.set_propagation(propagation);
    spec->set_type(Mount::TYPE_BIND);
    spec->set_source(std::string(source));
    spec->mutable_bind_options()->set_propagation(propagation);
    // `-v` makes a missing host directory; `--mount` refuses it.
    spec->mutable_bind_options()->set_create_host_path(true);
    return point;
  }
  if (!IsVolumeName(source)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "create ", source, ": \"", source,
        "\" includes invalid characters for a local volume name, only "
        "\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass "
        "a host directory, use absolute path"));
  }
  if (parsed.propagation.has_value()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid mode: ", mode, " (propagation applies to bind mounts only)"));
  }
  point.set_type(Mount::TYPE_VOLUME);
  point.set_name(std::string(source));
  point.set_driver("local");
  if (mode.empty()) point.set_mode("z");
  spec->set_type(Mount::TYPE_VOLUME);
  spec->set_source(std::string(source));
  spec->mutable_volume_options()->set_no_copy(parsed.no_copy);
  return point;
}

absl::StatusOr<MountPoint> PlanStructuredMount(const Mount& mount) {
  const char* type = TypeName(mount.type());
  if (*type == '\0') {
    return absl::InvalidArgumentError(
        "invalid mount config: mount type unknown: use bind, volume or tmpfs");
  }
  absl::Status target_ok = CheckTarget(type, mount.target());
  if (!target_ok.ok()) return target_ok;
  auto extra = [&](absl::string_view field) {
    return MountConfigError(type, absl::StrCat("field ", field, " must not be specified"));
  };
  if (mount.type() != Mount::TYPE_BIND && mount.has_bind_options()) {
    return extra("BindOptions");
  }
  if (mount.type() != Mount::TYPE_VOLUME && mount.has_volume_options()) {
    return extra("VolumeOptions");
  }
  if (mount.type() != Mount::TYPE_TMPFS && mount.has_tmpfs_options()) {
    return extra("TmpfsOptions");
  }
  MountPoint point;
  point.set_type(mount.type());
  point.set_destination(CleanTarget(mount.target()));
  point.set_rw(!mount.read_only());
  *point.mutable_spec() = mount;
  point.mutable_spec()->set_target(point.destination());
  switch (mount.type()) {
    case Mount::TYPE_BIND:
      if (mount.source().empty()) {
        return MountConfigError(type, "field Source must not be empty");
      }
      if (mount.source()[0] != '/') {
        return MountConfigError(
            type, absl::StrCat("invalid mount path: '", mount.source(),
                               "' mount path must be absolute"));
      }
      point.set_source(mount.source());
      point.set_propagation(
          mount.bind_options().propagation() == Mount::PROPAGATION_UNSPECIFIED
              ? Mount::PROPAGATION_RPRIVATE
              : mount.bind_options().propagation());
      point.mutable_spec()->mutable_bind_options()->set_propagation(
          point.propagation());
      break;
    case Mount::TYPE_VOLUME: {
      if (!mount.source().empty() && !IsVolumeName(mount.source())) {
        return MountConfigError(
            type, absl::StrCat("invalid volume name \"", mount.source(),
                               "\": only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are "
                               "allowed"));
      }
      const std::vector<absl::string_view> parts =
          absl::StrSplit(mount.volume_options().subpath(), '/');
      if (std::find(parts.begin(), parts.end(), "..") != parts.end() ||
          absl::StartsWith(mount.volume_options().subpath(), "/")) {
        return MountConfigError(
            type, absl::StrCat("subpath \"", mount.volume_options().subpath(),
                               "\" must be relative and stay inside the volume"));
      }
      point.set_name(mount.source());
      point.set_driver(mount.volume_options().driver().empty()
                           ? "local"
                           : mount.volume_options().driver());
      if (point.driver() != "local") {
        return MountConfigError(
            type, absl::StrCat("volume driver \"", point.driver(),
                               "\" is not available: use local"));
      }
      point.set_mode("z");
      break;
    }
    case Mount::TYPE_TMPFS:
      if (!mount.source().empty()) {
        return MountConfigError(type, "field Source must not be specified");
      }
      if (mount.tmpfs_options().size_bytes() < 0) {
        return MountConfigError(type, "tmpfs size must not be negative");
      }
      if (absl::Status options = TmpfsSettingsOf(mount).status(); !options.ok()) {
        return MountConfigError(type, options.message());
      }
      if (mount.tmpfs_options().mode() > 07777) {
        return MountConfigError(
            type, absl::StrCat("invalid tmpfs mode ", absl::StrFormat("%o", mount.tmpfs_options().mode())));
      }
      break;
    default:
      break;
  }
  return point;
}

absl::StatusOr<VolumesFrom> ParseVolumesFrom(absl::string_view raw) {
  std::vector<absl::string_view> parts = absl::StrSplit(raw, ':');
  if (parts.size() > 2 || parts[0].empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid --volumes-from \"", raw, "\": use CONTAINER[:ro|rw]"));
  }
  VolumesFrom from{std::string(parts[0]), ""};
  if (parts.size() == 2) {
    if (parts[1] != "ro" && parts[1] != "rw") {
      return absl::InvalidArgumentError(absl::StrCat("invalid mode: ", parts[1]));
    }
    from.access = std::string(parts[1]);
  }
  return from;
}

std::vector<MountPoint> InheritedMounts(const container::v1::Container& from,
                                        const std::string& access) {
  std::vector<MountPoint> inherited;
  for (const MountPoint& mount : from.mounts()) {
    if (mount.type() == Mount::TYPE_TMPFS) continue;
    MountPoint copy = mount;
    if (!access.empty()) {
      copy.set_rw(access == "rw");
      copy.mutable_spec()->set_read_only(access == "ro");
    }
    // The volume is held, not made, by the new container.
    copy.mutable_spec()->mutable_volume_options()->set_no_copy(true);
    if (copy.type() != Mount::TYPE_VOLUME) copy.mutable_spec()->clear_volume_options();
    inherited.push_back(std::move(copy));
  }
  return inherited;
}

absl::StatusOr<std::vector<MountPoint>> TmpfsMountPoints(
    const container::v1::HostConfig& host) {
  std::vector<std::string> targets;
  for (const auto& [target, options] : host.tmpfs()) targets.push_back(target);
  std::sort(targets.begin(), targets.end());
  std::vector<MountPoint> points;
  for (const std::string& target : targets) {
    const std::string& options = host.tmpfs().at(target);
    absl::StatusOr<Mount> mount =
        ParseTmpfsSpec(options.empty() ? target : absl::StrCat(target, ":", options));
    if (!mount.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "invalid --tmpfs \"", target, "\": ", mount.status().message()));
    }
    ASSIGN_OR_RETURN(MountPoint point, PlanStructuredMount(*mount));
    points.push_back(std::move(point));
  }
  return points;
}

absl::StatusOr<std::vector<MountPoint>> PlanMounts(
    const container::v1::HostConfig& host,
    const std::vector<std::string>& image_volumes,
    const std::vector<MountPoint>& inherited) {
  std::vector<MountPoint> planned;
  std::map<std::string, size_t> at;  // destination -> index in planned
  auto place = [&](MountPoint point) {
    auto it = at.find(point.destination());
    if (it != at.end()) {
      planned[it->second] = std::move(point);
    } else {
      at[point.destination()] = planned.size();
      planned.push_back(std::move(point));
    }
  };
  ASSIGN_OR_RETURN(const std::vector<MountPoint> tmpfs, TmpfsMountPoints(host));
  std::set<std::string> given;  // -v, --mount and --tmpfs targets
  for (const MountPoint& point : tmpfs) {
    if (!given.insert(point.destination()).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("Duplicate mount point: ", point.destination()));
    }
  }
  for (const MountPoint& point : inherited) {
    if (given.count(point.destination()) == 0) place(point);
  }
  auto place_given = [&](MountPoint point) -> absl::Status {
    if (!given.insert(point.destination()).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("Duplicate mount point: ", point.destination()));
    }
    place(std::move(point));
    return absl::OkStatus();
  };
  for (const std::string& bind : host.binds()) {
    absl::StatusOr<MountPoint> point = ParseVolumeSpec(bind);
    if (!point.ok()) return point.status();
    absl::Status placed = place_given(*std::move(point));
    if (!placed.ok()) return placed;
  }
  for (const Mount& mount : host.mounts()) {
    absl::StatusOr<MountPoint> point = PlanStructuredMount(mount);
    if (!point.ok()) return point.status();
    absl::Status placed = place_given(*std::move(point));
    if (!placed.ok()) return placed;
  }
  for (const std::string& volume : image_volumes) {
    if (volume.empty() || volume[0] != '/') continue;  // not a path: ignored, as Docker
    const std::string target = CleanTarget(volume);
    if (target == "/" || at.count(target) > 0 || given.count(target) > 0) continue;
    place(AnonymousVolume(target));
  }
  return planned;
}

absl::StatusOr<TmpfsSettings> TmpfsSettingsOf(const Mount& mount) {
  static const std::set<absl::string_view> kFlags = {
      "noexec", "nosuid", "nodev", "noatime", "nodiratime", "relatime",
      "strictatime", "sync", "dirsync"};
  static const std::set<absl::string_view> kDataKeys = {
      "uid", "gid", "nr_inodes", "nr_blocks", "mpol", "huge", "size"};
  std::set<std::string> flags = {"noexec", "nosuid", "nodev"};
  std::vector<std::string> data;
  const types::v1::Mount::TmpfsOptions& options = mount.tmpfs_options();
  if (options.size_bytes() > 0) data.push_back(absl::StrCat("size=", options.size_bytes()));
  data.push_back(absl::StrFormat("mode=%o", options.mode() != 0 ? options.mode() : 01777));
  for (const std::string& word : options.options()) {
    const size_t eq = word.find('=');
    if (eq != std::string::npos && kDataKeys.count(absl::string_view(word).substr(0, eq))) {
      data.push_back(word);
    } else if (word == "exec" || word == "suid" || word == "dev") {
      flags.erase(absl::StrCat("no", word));
    } else if (kFlags.count(word) > 0) {
      flags.insert(word);
    } else if (word == "rw" || word == "async" || word == "atime" ||
               word == "diratime" || word == "norelatime" ||
               word == "nostrictatime" || word == "rprivate" ||
               word == "private") {
      // The kernel's defaults (a fresh tmpfs is private already).
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown tmpfs option \"", word,
          "\": use size=, mode=, uid=, gid=, nr_inodes= or mount flags such as "
          "noexec, exec, nosuid, nodev, noatime"));
    }
  }
  return TmpfsSettings{absl::StrJoin(data, ","), {flags.begin(), flags.end()}};
}

namespace {

::berth::shim::v1::Propagation ShimPropagation(Mount::Propagation propagation) {
  switch (propagation) {
    case Mount::PROPAGATION_PRIVATE: return ::berth::shim::v1::PROPAGATION_PRIVATE;
    case Mount::PROPAGATION_SHARED: return ::berth::shim::v1::PROPAGATION_SHARED;
    case Mount::PROPAGATION_RSHARED: return ::berth::shim::v1::PROPAGATION_RSHARED;
    case Mount::PROPAGATION_SLAVE: return ::berth::shim::v1::PROPAGATION_SLAVE;
    case Mount::PROPAGATION_RSLAVE: return ::berth::shim::v1::PROPAGATION_RSLAVE;
    default: return ::berth::shim::v1::PROPAGATION_RPRIVATE;
  }
}

}  // namespace

absl::Status AddShimMounts(const container::v1::Container& container,
                           ::berth::shim::v1::Spec* spec) {
  ASSIGN_OR_RETURN(std::vector<MountPoint> points,
                   TmpfsMountPoints(container.host_config()));
  points.insert(points.end(), container.mounts().begin(), container.mounts().end());
  const std::vector<MountPoint> ordered = InMountOrder(std::move(points));
  std::set<std::string> targets;
  for (const MountPoint& point : ordered) targets.insert(point.destination());
  // The /etc files, but one the user mounts over, sorted in with the
  // user's mounts below: a volume on /etc comes before /etc/hosts.
  std::vector<::berth::shim::v1::Mount> all;
  for (const ::berth::shim::v1::Mount& etc : spec->mounts()) {
    if (targets.count(etc.destination()) == 0) all.push_back(etc);
  }
  spec->clear_mounts();
  ::berth::shim::v1::Propagation root = ::berth::shim::v1::PROPAGATION_RPRIVATE;
  for (const MountPoint& point : ordered) {
    ::berth::shim::v1::Mount* mount = &all.emplace_back();
    mount->set_destination(point.destination());
    mount->set_read_only(!point.rw());
    if (point.type() == Mount::TYPE_TMPFS) {
      absl::StatusOr<TmpfsSettings> tmpfs = TmpfsSettingsOf(point.spec());
      if (!tmpfs.ok()) return tmpfs.status();
      mount->set_tmpfs(true);
      mount->set_tmpfs_data(tmpfs->data);
      for (const std::string& flag : tmpfs->flags) mount->add_tmpfs_flags(flag);
      continue;
    }
    if (point.source().empty()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the mount on ", point.destination(), " has no host path"));
    }
    mount->set_source(point.source());
    if (point.type() == Mount::TYPE_VOLUME) {
      mount->set_source_subpath(point.spec().volume_options().subpath());
    }
    mount->set_non_recursive(point.spec().bind_options().non_recursive());
    const ::berth::shim::v1::Propagation propagation =
        ShimPropagation(point.propagation());
    mount->set_propagation(propagation);
    // Slave or shared propagation needs a tree still tied to the host's.
    if (propagation == ::berth::shim::v1::PROPAGATION_SHARED ||
        propagation == ::berth::shim::v1::PROPAGATION_RSHARED) {
      root = ::berth::shim::v1::PROPAGATION_RSHARED;
    } else if ((propagation == ::berth::shim::v1::PROPAGATION_SLAVE ||
                propagation == ::berth::shim::v1::PROPAGATION_RSLAVE) &&
               root != ::berth::shim::v1::PROPAGATION_RSHARED) {
      root = ::berth::shim::v1::PROPAGATION_RSLAVE;
    }
  }
  auto depth = [](const ::berth::shim::v1::Mount& m) {
    return std::count(m.destination().begin(), m.destination().end(), '/');
  };
  std::stable_sort(all.begin(), all.end(),
                   [&](const ::berth::shim::v1::Mount& a,
                       const ::berth::shim::v1::Mount& b) { return depth(a) < depth(b); });
  for (::berth::shim::v1::Mount& mount : all) *spec->add_mounts() = std::move(mount);
  spec->set_root_propagation(root);
  return absl::OkStatus();
}

std::vector<MountPoint> InMountOrder(std::vector<MountPoint> ordered) {
  auto depth = [](const MountPoint& m) {
    return std::count(m.destination().begin(), m.destination().end(), '/');
  };
  std::stable_sort(ordered.begin(), ordered.end(),
                   [&](const MountPoint& a, const MountPoint& b) {
                     return depth(a) < depth(b);
                   });
  return ordered;
}

}  // namespace berth::containerd
