#include "services/imaged/image_index.h"

#include <fnmatch.h>

#include <algorithm>
#include <map>
#include <set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/proto_util.h"
#include "common/status_macros.h"
#include "services/imaged/reference/reference.h"

namespace berth::imaged {
namespace {

using image::v1::Image;

bool Newer(const Image& a, const Image& b) {
  if (a.created().seconds() != b.created().seconds()) {
    return a.created().seconds() > b.created().seconds();
  }
  if (a.created().nanos() != b.created().nanos()) {
    return a.created().nanos() > b.created().nanos();
  }
  return a.id() > b.id();
}

// Docker's reference filter: a glob against each tag, in familiar and full
// form, with and without the tag. The tags any pattern matches: Docker lists
// an image under those only.
std::vector<std::string> TagsMatching(
    const Image& image, const google::protobuf::RepeatedPtrField<std::string>& patterns) {
  std::vector<std::string> matching;
  for (const std::string& tag : image.repo_tags()) {
    absl::StatusOr<Reference> ref = ParseReference(tag);
    if (!ref.ok()) continue;
    const bool matches = std::any_of(
        patterns.begin(), patterns.end(), [&](const std::string& pattern) {
          for (const std::string& form : {ref->Familiar(), ref->FamiliarName(),
                                          ref->String(), ref->Name()}) {
            if (fnmatch(pattern.c_str(), form.c_str(), 0) == 0) return true;
          }
          return false;
        });
    if (matches) matching.push_back(tag);
  }
  return matching;
}

}  // namespace

ImageIndex::ImageIndex(ServiceCore& core, const ContentStore& blobs)
    : core_(core), blobs_(blobs), images_(ImagesTable()) {}

absl::Status ImageIndex::AddLiveBlobs(std::set<std::string>* live) const {
  return images_.ForEach(core_.store(), [&](const Image& image) {
    live->insert(image.id());
    live->insert(image.manifest_digest());
    return true;
  });
}

absl::Status ImageIndex::ForEach(
    const std::function<bool(const Image&)>& fn) const {
  return images_.ForEach(core_.store(), fn);
}

absl::StatusOr<Image> ImageIndex::Get(const std::string& id) const {
  return images_.Get(core_.store(), id);
}

absl::StatusOr<Image> ImageIndex::FindById(const std::string& prefix) const {
  std::vector<Image> matches;
  RETURN_IF_ERROR(core_.store().Scan(
      images_.name(), absl::StrCat("sha256:", prefix),
      [&](absl::string_view key, absl::string_view) {
        absl::StatusOr<Image> image = images_.Get(core_.store(), key);
        if (image.ok()) matches.push_back(*std::move(image));
        return matches.size() < 2;
      }));
  if (matches.empty()) return absl::NotFoundError("no image with that id");
  if (matches.size() > 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("short id ", prefix, " is ambiguous: it matches ",
                     matches[0].id(), " and ", matches[1].id(),
                     "; give more digits"));
  }
  return matches[0];
}

absl::StatusOr<Image> ImageIndex::Find(const std::string& name) const {
  if (name.empty()) {
    return absl::InvalidArgumentError("no image given: name an image");
  }
  absl::StatusOr<Reference> ref = ParseReference(name);
  if (ref.ok()) {
    absl::StatusOr<Image> found =
        ref->digest.empty()
            ? images_.GetBy(core_.store(), "tag", ref->Familiar())
            : [&]() -> absl::StatusOr<Image> {
                ASSIGN_OR_RETURN(Keys ids,
                                 images_.FindAll(core_.store(), "digest",
                                                 absl::StrCat(ref->FamiliarName(),
                                                              "@", ref->digest)));
                if (ids.empty()) return absl::NotFoundError("no such digest");
                return images_.Get(core_.store(), ids.front());
              }();
    if (found.ok() || !absl::IsNotFound(found.status())) return found;
  }
  const std::string prefix = IdPrefix(name);
  if (!prefix.empty()) {
    absl::StatusOr<Image> found = FindById(prefix);
    if (found.ok() || !absl::IsNotFound(found.status())) return found;
  }
  return absl::NotFoundError(absl::StrCat("No such image: ", name));
}

namespace {

// Docker's disk-usage figures over every image: each image's bytes in layers
// another image uses too, and the bytes of all distinct layers.
struct LayerSharing {
  std::map<std::string, int64_t> shared_size;  // by image id
  int64_t layers_size = 0;
};

LayerSharing ShareLayers(const std::vector<Image>& images) {
  std::map<std::string, int> users;
  std::map<std::string, int64_t> sizes;
  for (const Image& image : images) {
    std::set<std::string> own;
    for (const image::v1::LayerInfo& layer : image.layers()) {
      if (!own.insert(layer.chain_id()).second) continue;
      ++users[layer.chain_id()];
      sizes[layer.chain_id()] = layer.unpacked_size();
    }
  }
  LayerSharing sharing;
  for (const auto& [chain_id, size] : sizes) sharing.layers_size += size;
  for (const Image& image : images) {
    std::set<std::string> own;
    int64_t shared = 0;
    for (const image::v1::LayerInfo& layer : image.layers()) {
      if (own.insert(layer.chain_id()).second && users[layer.chain_id()] > 1) {
        shared += layer.unpacked_size();
      }
    }
    sharing.shared_size[image.id()] = shared;
  }
  return sharing;
}

}  // namespace

absl::StatusOr<image::v1::ListImagesResponse> ImageIndex::List(
    const image::v1::ListImagesRequest& request) const {
  const image::v1::ImageFilter& filter = request.filter();
  std::vector<Image> all;
  RETURN_IF_ERROR(images_.ForEach(core_.store(), [&](const Image& image) {
    all.push_back(image);
    return true;
  }));
  std::set<std::string> parents;
  for (const Image& image : all) {
    if (!image.parent().empty()) parents.insert(image.parent());
  }
  absl::Time before = absl::InfiniteFuture(), since = absl::InfinitePast();
  if (!filter.before().empty()) {
    ASSIGN_OR_RETURN(Image pivot, Find(filter.before()));
    before = absl::FromUnixSeconds(pivot.created().seconds()) +
             absl::Nanoseconds(pivot.created().nanos());
  }
  if (!filter.since().empty()) {
    ASSIGN_OR_RETURN(Image pivot, Find(filter.since()));
    since = absl::FromUnixSeconds(pivot.created().seconds()) +
            absl::Nanoseconds(pivot.created().nanos());
  }

  std::vector<Image> selected;
  for (Image image : all) {
    const bool dangling = image.repo_tags().empty();
    // Untagged parents are build intermediates, shown only with -a.
    if (dangling && !request.all() && parents.count(image.id()) != 0) continue;
    if (filter.has_dangling() && filter.dangling() != dangling) continue;
    if (!filter.references().empty()) {
      std::vector<std::string> tags = TagsMatching(image, filter.references());
      if (tags.empty()) continue;
      *image.mutable_repo_tags() = {tags.begin(), tags.end()};
    }
    if (!MatchesLabels(image.config().labels(), filter.labels())) continue;
    absl::Time created = absl::FromUnixSeconds(image.created().seconds()) +
                         absl::Nanoseconds(image.created().nanos());
    if (created >= before || created <= since) continue;
    selected.push_back(image);
  }
  std::sort(selected.begin(), selected.end(), Newer);

  image::v1::ListImagesResponse response;
  LayerSharing sharing;
  if (request.shared_size()) {
    sharing = ShareLayers(all);
    response.set_layers_size(sharing.layers_size);
  }
  for (const Image& image : selected) {
    image::v1::ImageSummary* summary = response.add_images();
    summary->set_id(image.id());
    summary->set_parent(image.parent());
    *summary->mutable_repo_tags() = image.repo_tags();
    *summary->mutable_repo_digests() = image.repo_digests();
    *summary->mutable_created() = image.created();
    summary->set_size(image.size());
    summary->set_shared_size(
        request.shared_size() ? sharing.shared_size[image.id()] : -1);
    *summary->mutable_labels() = image.config().labels();
  }
  return response;
}

absl::StatusOr<std::string> ImageIndex::Tag(const std::string& source,
                                            const std::string& target) {
  ASSIGN_OR_RETURN(Reference ref, ParseTagReference(target));
  const std::string tag = ref.Familiar();
  RETURN_IF_ERROR(core_.store().Update([&](Transaction& txn) -> absl::Status {
    // Read inside the batch so a concurrent tag or removal is seen.
    ASSIGN_OR_RETURN(Image image, Find(source));
    ASSIGN_OR_RETURN(image, images_.Get(txn, image.id()));
    if (std::find(image.repo_tags().begin(), image.repo_tags().end(), tag) !=
        image.repo_tags().end()) {
      return absl::OkStatus();
    }
    RETURN_IF_ERROR(TakeTag(txn, tag, image.id()));
    image.add_repo_tags(tag);
    *image.mutable_last_tag_time() = image.added_at();
    const int64_t now_us = absl::ToUnixMicros(absl::Now());
    image.mutable_last_tag_time()->set_seconds(now_us / 1000000);
    image.mutable_last_tag_time()->set_nanos((now_us % 1000000) * 1000);
    return images_.Put(txn, image);
  }));
  ASSIGN_OR_RETURN(Image tagged, Find(tag));
  core_.log().info("tagged image {} as {}", tagged.id(), tag);
  return tagged.id();
}

absl::StatusOr<image::v1::ImageHistoryResponse> ImageIndex::History(
    const std::string& name) const {
  ASSIGN_OR_RETURN(Image image, Find(name));
  ASSIGN_OR_RETURN(std::string config_json, blobs_.Read(image.id()));
  ASSIGN_OR_RETURN(std::vector<image::v1::HistoryEntry> entries,
                   HistoryFromConfig(config_json, {image.layers().begin(),
                                                   image.layers().end()}));
  // The step that made a local image is its last history entry; the image
  // itself and each local parent name their step, the rest are unknown.
  std::vector<const Image*> owners(entries.size(), nullptr);
  std::vector<Image> chain = {image};
  while (!chain.back().parent().empty()) {
    absl::StatusOr<Image> parent =
        images_.Get(core_.store(), chain.back().parent());
    if (!parent.ok()) break;
    chain.push_back(*std::move(parent));
  }
  for (const Image& step : chain) {
    absl::StatusOr<std::string> step_config = blobs_.Read(step.id());
    if (!step_config.ok()) continue;
    absl::StatusOr<std::vector<image::v1::HistoryEntry>> step_history =
        HistoryFromConfig(*step_config);
    if (!step_history.ok() || step_history->empty()) continue;
    const size_t index = step_history->size() - 1;
    if (index < owners.size() && owners[index] == nullptr) {
      owners[index] = &step;
    }
  }
  image::v1::ImageHistoryResponse response;
  for (size_t i = entries.size(); i-- > 0;) {
    image::v1::HistoryEntry* entry = response.add_entries();
    *entry = entries[i];
    if (owners[i] != nullptr) {
      entry->set_id(owners[i]->id());
      *entry->mutable_tags() = owners[i]->repo_tags();
    } else {
      entry->set_id("<missing>");
    }
  }
  return response;
}

absl::StatusOr<std::vector<std::string>> ImageIndex::ChildrenOf(
    const std::string& image_id) const {
  std::vector<std::string> children;
  RETURN_IF_ERROR(images_.ForEach(core_.store(), [&](const Image& image) {
    if (image.parent() == image_id) children.push_back(image.id());
    return true;
  }));
  return children;
}

absl::StatusOr<bool> ImageIndex::UsesLayer(const std::string& chain_id) const {
  ASSIGN_OR_RETURN(Keys users, images_.FindAll(core_.store(), "layer", chain_id));
  return !users.empty();
}

absl::Status ImageIndex::TakeTag(Transaction& txn, const std::string& tag,
                                 const std::string& image_id) {
  absl::StatusOr<std::string> owner =
      txn.Get(absl::StrCat(images_.name(), "/tag"), tag);
  if (!owner.ok() || *owner == image_id) return absl::OkStatus();
  ASSIGN_OR_RETURN(Image previous, images_.Get(txn, *owner));
  auto* tags = previous.mutable_repo_tags();
  tags->erase(std::remove(tags->begin(), tags->end(), tag), tags->end());
  return images_.Put(txn, previous);
}

absl::Status ImageIndex::Untag(Image image, const std::string& tag) {
  return core_.store().Update([&](Transaction& txn) {
    auto* tags = image.mutable_repo_tags();
    tags->erase(std::remove(tags->begin(), tags->end(), tag), tags->end());
    return images_.Put(txn, image);
  });
}

absl::Status ImageIndex::Put(Transaction& txn, std::vector<Image> images) {
  for (Image& image : images) {
    // A second load of the same image keeps its tags and adds the new.
    if (absl::StatusOr<Image> stored = images_.Get(txn, image.id());
        stored.ok()) {
      std::set<std::string> have(image.repo_tags().begin(),
                                 image.repo_tags().end());
      for (const std::string& tag : stored->repo_tags()) {
        if (have.insert(tag).second) image.add_repo_tags(tag);
      }
      std::set<std::string> digests(image.repo_digests().begin(),
                                    image.repo_digests().end());
      for (const std::string& digest : stored->repo_digests()) {
        if (digests.insert(digest).second) image.add_repo_digests(digest);
      }
      image.set_parent(image.parent().empty() ? stored->parent()
                                              : image.parent());
    }
    for (const std::string& tag : image.repo_tags()) {
      RETURN_IF_ERROR(TakeTag(txn, tag, image.id()));
    }
    RETURN_IF_ERROR(images_.Put(txn, image));
  }
  return absl::OkStatus();
}

absl::Status ImageIndex::Delete(const std::string& id) {
  return core_.store().Update(
      [&](Transaction& txn) { return images_.Delete(txn, id); });
}

}  // namespace berth::imaged
