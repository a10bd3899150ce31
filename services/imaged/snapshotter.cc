#include "services/imaged/snapshotter.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/fs_util.h"
#include "common/proto_util.h"
#include "common/root_lock.h"
#include "common/status_macros.h"
#include "services/imaged/layer/diff.h"

namespace berth::imaged {
namespace {

using image::v1::Image;
using records::SnapshotRecord;

// The kernel takes mount options of at most one page.
constexpr size_t kMaxMountOptions = 4000;

}  // namespace

Snapshotter::Snapshotter(ServiceCore& core, LayerStore& layers,
                         ProjectQuota& quota)
    : core_(core),
      root_(core.identity().root),
      layers_(layers),
      quota_(quota),
      snapshots_(SnapshotsTable()) {}

absl::Status Snapshotter::Init() {
  return MakeDirs(root_ + "/snapshots", 0700);
}

absl::StatusOr<int> Snapshotter::Reconcile() {
  std::set<std::string> live;
  RETURN_IF_ERROR(snapshots_.ForEach(
      core_.store(), [&](const SnapshotRecord& snapshot) {
        live.insert(snapshot.rootfs().key());
        return true;
      }));
  return RemoveEntriesExcept(
      root_ + "/snapshots",
      [&](const std::string& name) { return live.count(name) != 0; });
}

std::string Snapshotter::DirOf(const std::string& key) const {
  return absl::StrCat(root_, "/snapshots/", key);
}

absl::StatusOr<uint32_t> Snapshotter::FreeProjectId() {
  ASSIGN_OR_RETURN(const uint32_t base, quota_.ProjectOf(root_ + "/snapshots"));
  std::set<uint32_t> taken;
  RETURN_IF_ERROR(snapshots_.ForEach(
      core_.store(), [&](const SnapshotRecord& snapshot) {
        if (snapshot.quota_project_id() != 0) {
          taken.insert(snapshot.quota_project_id());
        }
        return true;
      }));
  for (uint32_t id = base + 1; id != 0; ++id) {
    if (taken.count(id) == 0) return id;
  }
  return absl::ResourceExhaustedError(absl::StrCat(
      "no free project id above ", base, " for a writable layer's quota"));
}

absl::Status Snapshotter::CheckKey(const std::string& key) {
  bool valid = !key.empty() && key.size() <= 128 && key != "." && key != "..";
  for (char c : key) {
    valid = valid && (absl::ascii_isalnum(c) || c == '_' || c == '.' || c == '-');
  }
  if (valid) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      "invalid rootfs key \"", key,
      "\": use 1 to 128 characters of A-Z, a-z, 0-9, '_', '.' and '-'"));
}

absl::StatusOr<image::v1::Rootfs> Snapshotter::Prepare(
    const image::v1::PrepareRootfsRequest& request, const Image& image) {
  RETURN_IF_ERROR(CheckKey(request.key()));
  if (snapshots_.Get(core_.store(), request.key()).ok()) {
    return absl::AlreadyExistsError(absl::StrCat(
        "rootfs snapshot ", request.key(), " already exists"));
  }
  uint32_t project = 0;
  if (request.size_limit_bytes() > 0) {
    // Refused before anything is made, so a failed create leaves nothing.
    RETURN_IF_ERROR(quota_.CheckSupported(root_ + "/snapshots"));
    ASSIGN_OR_RETURN(project, FreeProjectId());
  }
  const std::string dir = DirOf(request.key());
  RETURN_IF_ERROR(RemoveTree(dir));  // a leftover without a record
  // Undoes the directory and the quota of a snapshot that failed.
  auto discard = [&](absl::Status failed) {
    RemoveTree(dir).IgnoreError();
    if (project != 0) quota_.Clear(root_ + "/snapshots", project).IgnoreError();
    return failed;
  };
  RETURN_IF_ERROR(MakeDirs(dir, 0755));
  if (project != 0) {
    // On the snapshot's directory, before upper/ and work/ exist, so both
    // inherit the project: overlayfs copies up through work/ and renames
    // into upper/, which fails (EXDEV) between different projects.
    absl::Status limited = quota_.Set(dir, project, request.size_limit_bytes());
    if (!limited.ok()) return discard(limited);
  }
  if (absl::Status made = MakeDirs(dir + "/upper", 0755); !made.ok()) {
    return discard(made);
  }
  if (absl::Status made = MakeDirs(dir + "/work", 0700); !made.ok()) {
    return discard(made);
  }
  if (request.has_upper_owner()) {
    // The container's root in its user namespace must own the top of its
    // writable layer (the image layers below are idmapped instead).
    const std::string upper = dir + "/upper";
    if (lchown(upper.c_str(), request.upper_owner().uid(),
               request.upper_owner().gid()) != 0) {
      return discard(ErrnoStatus(errno, "chown", upper));
    }
  }

  SnapshotRecord record;
  image::v1::Rootfs* rootfs = record.mutable_rootfs();
  rootfs->set_key(request.key());
  rootfs->set_image_id(image.id());
  *rootfs->mutable_created() = ToTimestamp(absl::Now());
  *rootfs->mutable_labels() = request.labels();
  rootfs->set_lease(request.lease());
  rootfs->set_size_limit_bytes(request.size_limit_bytes());
  record.set_quota_project_id(project);
  image::v1::OverlayMount* mount = rootfs->mutable_mount();
  for (auto it = image.layers().rbegin(); it != image.layers().rend(); ++it) {
    mount->add_lower_dirs(layers_.Link(it->chain_id()));
  }
  for (const auto& layer : image.layers()) {
    record.add_chain_ids(layer.chain_id());
  }
  if (image.layers().empty()) {
    // overlayfs needs a lower layer; an image without layers gets an empty one.
    if (absl::Status made = MakeDirs(dir + "/empty", 0755); !made.ok()) {
      return discard(made);
    }
    mount->add_lower_dirs(dir + "/empty");
  }
  mount->set_upper_dir(dir + "/upper");
  mount->set_work_dir(dir + "/work");
  mount->set_options(absl::StrCat(
      "lowerdir=", absl::StrJoin(mount->lower_dirs(), ":"),
      ",upperdir=", mount->upper_dir(), ",workdir=", mount->work_dir()));
  if (mount->options().size() > kMaxMountOptions) {
    return discard(absl::FailedPreconditionError(absl::StrCat(
        "image ", image.id(), " has too many layers (", image.layers_size(),
        ") for one overlay mount")));
  }
  absl::Status recorded = core_.store().Update([&](Transaction& txn) {
    if (snapshots_.Get(txn, request.key()).ok()) {
      return absl::AlreadyExistsError(absl::StrCat(
          "rootfs snapshot ", request.key(), " already exists"));
    }
    return snapshots_.Put(txn, record);
  });
  if (!recorded.ok()) return discard(recorded);
  if (project != 0) {
    core_.log().info("prepared rootfs {} of image {}, limited to {} bytes "
                     "(project {})",
                     request.key(), image.id(), request.size_limit_bytes(),
                     project);
  } else {
    core_.log().info("prepared rootfs {} of image {}", request.key(),
                     image.id());
  }
  return record.rootfs();
}

absl::StatusOr<image::v1::InspectRootfsResponse> Snapshotter::Inspect(
    const std::string& key, bool with_size) const {
  RETURN_IF_ERROR(CheckKey(key));
  absl::StatusOr<SnapshotRecord> record = snapshots_.Get(core_.store(), key);
  if (absl::IsNotFound(record.status())) {
    return absl::NotFoundError(absl::StrCat("no rootfs snapshot ", key));
  }
  RETURN_IF_ERROR(record.status());
  image::v1::InspectRootfsResponse response;
  *response.mutable_rootfs() = record->rootfs();
  if (with_size) {
    ASSIGN_OR_RETURN(int64_t size, TreeSize(record->rootfs().mount().upper_dir()));
    response.set_upper_size(size);
  }
  return response;
}

absl::Status Snapshotter::Remove(const std::string& key, bool ignore_missing,
                                 const std::string& lease) {
  RETURN_IF_ERROR(CheckKey(key));
  absl::StatusOr<SnapshotRecord> record = snapshots_.Get(core_.store(), key);
  if (absl::IsNotFound(record.status())) {
    if (ignore_missing) return absl::OkStatus();
    return absl::NotFoundError(absl::StrCat("no rootfs snapshot ", key));
  }
  RETURN_IF_ERROR(record.status());
  // The overlay lives in its container's mount namespace, invisible from
  // here: the lease its holder took at Prepare is what says it is in use.
  const std::string& held = record->rootfs().lease();
  if (!held.empty() && held != lease) {
    return absl::FailedPreconditionError(absl::StrCat(
        "rootfs snapshot ", key, " is leased by \"", held,
        "\" and may be in use; remove it through its holder (for a "
        "container: berth rm)"));
  }
  RETURN_IF_ERROR(core_.store().Update(
      [&](Transaction& txn) { return snapshots_.Delete(txn, key); }));
  RETURN_IF_ERROR(RemoveTree(DirOf(key)));
  if (const uint32_t project = record->quota_project_id(); project != 0) {
    // Not a failure of the removal, which is done: the next snapshot given
    // this id sets its own limit anyway.
    absl::Status cleared = quota_.Clear(root_ + "/snapshots", project);
    if (!cleared.ok()) {
      core_.log().warn("rootfs {}: clearing the quota of project {}: {}", key,
                       project, std::string(cleared.message()));
    }
  }
  std::vector<std::string> deleted;
  int64_t reclaimed = 0;
  RETURN_IF_ERROR(layers_.Collect(
      {record->chain_ids().begin(), record->chain_ids().end()}, &deleted,
      &reclaimed));
  core_.log().info("removed rootfs {}", key);
  return absl::OkStatus();
}

absl::StatusOr<image::v1::DiffRootfsResponse> Snapshotter::Diff(
    const std::string& key) const {
  ASSIGN_OR_RETURN(image::v1::InspectRootfsResponse snapshot, Inspect(key));
  const image::v1::OverlayMount& mount = snapshot.rootfs().mount();
  ASSIGN_OR_RETURN(std::vector<layer::Change> changes,
                   layer::DiffUpperDir(mount.upper_dir(),
                                       {mount.lower_dirs().begin(),
                                        mount.lower_dirs().end()}));
  image::v1::DiffRootfsResponse response;
  for (const layer::Change& change : changes) {
    types::v1::FileChange* out = response.add_changes();
    out->set_path(change.path);
    out->set_kind(change.kind == layer::Change::kAdded
                      ? types::v1::FileChange::KIND_ADDED
                  : change.kind == layer::Change::kDeleted
                      ? types::v1::FileChange::KIND_DELETED
                      : types::v1::FileChange::KIND_CHANGED);
  }
  return response;
}

absl::StatusOr<image::v1::ListRootfsResponse> Snapshotter::List(
    const image::v1::ListRootfsRequest& request) const {
  image::v1::ListRootfsResponse response;
  RETURN_IF_ERROR(snapshots_.ForEach(
      core_.store(), [&](const SnapshotRecord& record) {
        const image::v1::Rootfs& rootfs = record.rootfs();
        if (!request.image_id().empty() && rootfs.image_id() != request.image_id()) {
          return true;
        }
        if (!MatchesLabels(rootfs.labels(), request.labels())) return true;
        *response.add_snapshots() = rootfs;
        return true;
      }));
  return response;
}

int64_t Snapshotter::CountFor(const std::string& image_id) const {
  absl::StatusOr<Keys> keys =
      snapshots_.FindAll(core_.store(), "image", image_id);
  return keys.ok() ? static_cast<int64_t>(keys->size()) : 0;
}

absl::StatusOr<bool> Snapshotter::Pins(const std::string& chain_id) const {
  ASSIGN_OR_RETURN(Keys users,
                   snapshots_.FindAll(core_.store(), "layer", chain_id));
  return !users.empty();
}

}  // namespace berth::imaged
