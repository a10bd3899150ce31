// ImageStore: rootfs snapshots, the writable views of images containers run
// on, and committing one back into an image.
#include <sys/stat.h>
#include <unistd.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/fs_util.h"
#include "common/root_lock.h"
#include "common/status_macros.h"
#include "services/imaged/formats/changes.h"
#include "services/imaged/formats/image_config.h"
#include "services/imaged/image_records.h"
#include "services/imaged/image_store.h"
#include "services/imaged/layer/diff.h"
#include "services/imaged/layer/pack.h"
#include "services/imaged/reference/reference.h"

namespace berth::imaged {
namespace {

using image::v1::Image;
using records::SnapshotRecord;

// The kernel takes mount options of at most one page.
constexpr size_t kMaxMountOptions = 4000;

absl::Status CheckKey(const std::string& key) {
  bool valid = !key.empty() && key.size() <= 128 && key != "." && key != "..";
  for (char c : key) {
    valid = valid && (absl::ascii_isalnum(c) || c == '_' || c == '.' || c == '-');
  }
  if (valid) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      "invalid rootfs key \"", key,
      "\": use 1 to 128 characters of A-Z, a-z, 0-9, '_', '.' and '-'"));
}

}  // namespace

absl::StatusOr<image::v1::PrepareRootfsResponse> ImageStore::PrepareRootfs(
    const image::v1::PrepareRootfsRequest& request) {
  RETURN_IF_ERROR(CheckKey(request.key()));
  absl::MutexLock lock(&layers_mu_);
  ASSIGN_OR_RETURN(Image image, Find(request.image()));
  if (snapshots_.Get(core_.store(), request.key()).ok()) {
    return absl::AlreadyExistsError(absl::StrCat(
        "rootfs snapshot ", request.key(), " already exists"));
  }
  const std::string dir = absl::StrCat(root_, "/snapshots/", request.key());
  RETURN_IF_ERROR(RemoveTree(dir));  // a leftover without a record
  RETURN_IF_ERROR(MakeDirs(dir + "/upper", 0755));
  RETURN_IF_ERROR(MakeDirs(dir + "/work", 0700));
  if (request.has_upper_owner()) {
    // The container's root in its user namespace must own the top of its
    // writable layer (the image layers below are idmapped instead).
    const std::string upper = dir + "/upper";
    if (lchown(upper.c_str(), request.upper_owner().uid(),
               request.upper_owner().gid()) != 0) {
      const absl::Status failed = ErrnoStatus(errno, "chown", upper);
      RemoveTree(dir).IgnoreError();
      return failed;
    }
  }

  SnapshotRecord record;
  image::v1::Rootfs* rootfs = record.mutable_rootfs();
  rootfs->set_key(request.key());
  rootfs->set_image_id(image.id());
  *rootfs->mutable_created() = ToTimestamp(absl::Now());
  *rootfs->mutable_labels() = request.labels();
  rootfs->set_lease(request.lease());
  image::v1::OverlayMount* mount = rootfs->mutable_mount();
  for (auto it = image.layers().rbegin(); it != image.layers().rend(); ++it) {
    mount->add_lower_dirs(LayerLink(it->chain_id()));
  }
  for (const auto& layer : image.layers()) {
    record.add_chain_ids(layer.chain_id());
  }
  if (image.layers().empty()) {
    // overlayfs needs a lower layer; an image without layers gets an empty one.
    RETURN_IF_ERROR(MakeDirs(dir + "/empty", 0755));
    mount->add_lower_dirs(dir + "/empty");
  }
  mount->set_upper_dir(dir + "/upper");
  mount->set_work_dir(dir + "/work");
  mount->set_options(absl::StrCat(
      "lowerdir=", absl::StrJoin(mount->lower_dirs(), ":"),
      ",upperdir=", mount->upper_dir(), ",workdir=", mount->work_dir()));
  if (mount->options().size() > kMaxMountOptions) {
    RemoveTree(dir).IgnoreError();
    return absl::FailedPreconditionError(absl::StrCat(
        "image ", image.id(), " has too many layers (", image.layers_size(),
        ") for one overlay mount"));
  }
  absl::Status recorded = core_.store().Update([&](Transaction& txn) {
    if (snapshots_.Get(txn, request.key()).ok()) {
      return absl::AlreadyExistsError(absl::StrCat(
          "rootfs snapshot ", request.key(), " already exists"));
    }
    return snapshots_.Put(txn, record);
  });
  if (!recorded.ok()) {
    RemoveTree(dir).IgnoreError();
    return recorded;
  }
  core_.log().info("prepared rootfs {} of image {}", request.key(), image.id());
  image::v1::PrepareRootfsResponse response;
  *response.mutable_rootfs() = record.rootfs();
  *response.mutable_config() = image.config();
  return response;
}

absl::StatusOr<image::v1::InspectRootfsResponse> ImageStore::InspectRootfs(
    const std::string& key, bool with_size) const {
  RETURN_IF_ERROR(CheckKey(key));
  absl::StatusOr<SnapshotRecord> record = snapshots_.Get(core_.store(), key);
  if (absl::IsNotFound(record.status())) {
    return absl::NotFoundError(absl::StrCat("no rootfs snapshot ", key));
  }
  RETURN_IF_ERROR(record.status());
  image::v1::InspectRootfsResponse response;
  *response.mutable_rootfs() = record->rootfs();
  absl::StatusOr<Image> image =
      images_.Get(core_.store(), record->rootfs().image_id());
  if (image.ok()) *response.mutable_config() = image->config();
  if (with_size) {
    ASSIGN_OR_RETURN(int64_t size, TreeSize(record->rootfs().mount().upper_dir()));
    response.set_upper_size(size);
  }
  return response;
}

absl::Status ImageStore::RemoveRootfs(const std::string& key,
                                      bool ignore_missing,
                                      const std::string& lease) {
  RETURN_IF_ERROR(CheckKey(key));
  absl::MutexLock lock(&layers_mu_);
  absl::StatusOr<SnapshotRecord> record = snapshots_.Get(core_.store(), key);
  if (absl::IsNotFound(record.status())) {
    if (ignore_missing) return absl::OkStatus();
    return absl::NotFoundError(absl::StrCat("no rootfs snapshot ", key));
  }
  RETURN_IF_ERROR(record.status());
  // The overlay lives in its container's mount namespace, invisible from
  // here: the lease its holder took at PrepareRootfs is what says it is in
  // use.
  const std::string& held = record->rootfs().lease();
  if (!held.empty() && held != lease) {
    return absl::FailedPreconditionError(absl::StrCat(
        "rootfs snapshot ", key, " is leased by \"", held,
        "\" and may be in use; remove it through its holder (for a "
        "container: berth rm)"));
  }
  RETURN_IF_ERROR(core_.store().Update(
      [&](Transaction& txn) { return snapshots_.Delete(txn, key); }));
  RETURN_IF_ERROR(RemoveTree(absl::StrCat(root_, "/snapshots/", key)));
  std::vector<std::string> deleted;
  int64_t reclaimed = 0;
  RETURN_IF_ERROR(CollectLayers({record->chain_ids().begin(),
                                 record->chain_ids().end()},
                                &deleted, &reclaimed));
  core_.log().info("removed rootfs {}", key);
  return absl::OkStatus();
}

absl::StatusOr<image::v1::DiffRootfsResponse> ImageStore::DiffRootfs(
    const std::string& key) const {
  ASSIGN_OR_RETURN(image::v1::InspectRootfsResponse snapshot,
                   InspectRootfs(key));
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

absl::StatusOr<image::v1::CommitRootfsResponse> ImageStore::CommitRootfs(
    const image::v1::CommitRootfsRequest& request) {
  std::vector<std::string> tags;
  if (!request.reference().empty()) {
    ASSIGN_OR_RETURN(Reference ref, ParseTagReference(request.reference()));
    tags.push_back(ref.Familiar());
  }
  ASSIGN_OR_RETURN(image::v1::InspectRootfsResponse snapshot,
                   InspectRootfs(request.key()));
  absl::MutexLock lock(&layers_mu_);
  absl::StatusOr<Image> base =
      images_.Get(core_.store(), snapshot.rootfs().image_id());
  if (!base.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the image of rootfs ", request.key(), " (",
        snapshot.rootfs().image_id(), ") was removed; it cannot be committed"));
  }
  ASSIGN_OR_RETURN(std::string base_json, blobs_.Read(base->id()));
  ASSIGN_OR_RETURN(formats::ImageConfigDoc doc,
                   formats::ParseImageConfig(base_json));
  if (request.has_config()) doc.config = request.config();
  RETURN_IF_ERROR(formats::ApplyChanges(
      {request.changes().begin(), request.changes().end()}, &doc.config));

  ASSIGN_OR_RETURN(std::string tar_path, NewTempFile("commit-"));
  absl::StatusOr<layer::PackResult> packed = layer::PackDirectory(
      snapshot.rootfs().mount().upper_dir(), tar_path);
  if (!packed.ok()) {
    unlink(tar_path.c_str());
    return packed.status();
  }
  std::vector<StagedLayer> layers;
  for (const auto& info : base->layers()) {
    ASSIGN_OR_RETURN(records::LayerRecord record,
                     layers_.Get(core_.store(), info.chain_id()));
    layers.push_back({record, false});
  }
  const std::string parent_chain =
      layers.empty() ? "" : layers.back().record.info().chain_id();
  absl::StatusOr<StagedLayer> top =
      StageLayer({tar_path, packed->diff_id}, parent_chain, "commit", nullptr);
  unlink(tar_path.c_str());
  RETURN_IF_ERROR(top.status());
  layers.push_back(*top);

  const absl::Time now = absl::Now();
  doc.created = now;
  doc.has_created = true;
  doc.author = request.author();
  doc.comment = request.comment();
  doc.container = request.container_id();
  doc.diff_ids.push_back(packed->diff_id);
  formats::ConfigHistory step;
  step.created = now;
  step.created_by = request.created_by();
  step.author = request.author();
  step.comment = request.comment();
  doc.history.push_back(step);

  absl::StatusOr<Image> image =
      MakeImage(formats::SerializeImageConfig(doc), layers, tags);
  if (image.ok()) image->set_parent(base->id());
  absl::Status committed =
      image.ok() ? CommitImages({*image}, {*top}) : image.status();
  if (!committed.ok()) {
    DiscardStaged({*top});
    return committed;
  }
  core_.log().info("committed rootfs {} as image {}", request.key(),
                   image->id());
  image::v1::CommitRootfsResponse response;
  response.set_image_id(image->id());
  return response;
}

absl::StatusOr<image::v1::ListRootfsResponse> ImageStore::ListRootfs(
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

}  // namespace berth::imaged
