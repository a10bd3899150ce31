// ImageStore: writing images out (`save`) as a docker-archive, the layout
// `docker save` writes and `docker load` reads, or as an OCI image layout.
#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "services/imaged/formats/docker_archive.h"
#include "services/imaged/formats/media_types.h"
#include "services/imaged/formats/oci_layout.h"
#include "services/imaged/image_records.h"
#include "services/imaged/image_store.h"
#include "services/imaged/reference/reference.h"
#include "services/imaged/tar_writer.h"

namespace berth::imaged {
namespace {

using image::v1::Image;

// An image to save and the tag it is saved under ("" for an id).
struct SaveItem {
  Image image;
  std::string tag;
};

std::string Hex(const std::string& digest) { return digest.substr(7); }

}  // namespace

absl::StatusOr<std::vector<std::string>> ImageStore::ResolveAll(
    const std::vector<std::string>& names) const {
  if (names.empty()) {
    return absl::InvalidArgumentError("name at least one image to save");
  }
  std::vector<std::string> ids;
  for (const std::string& name : names) {
    ASSIGN_OR_RETURN(Image image, Find(name));
    ids.push_back(image.id());
  }
  return ids;
}

absl::Status ImageStore::Save(const std::vector<std::string>& names,
                              image::v1::ArchiveFormat format, bool gzip,
                              const ByteSink& sink) {
  std::vector<SaveItem> items;
  for (const std::string& name : names) {
    ASSIGN_OR_RETURN(Image image, Find(name));
    // A name that is a tag of the image is kept as its tag in the archive.
    std::string tag;
    absl::StatusOr<Reference> ref = ParseReference(name);
    if (ref.ok() && ref->digest.empty()) {
      for (const std::string& t : image.repo_tags()) {
        if (t == ref->Familiar()) tag = t;
      }
    }
    items.push_back({std::move(image), tag});
  }
  TarWriter tar(sink, absl::Now(), gzip);
  std::set<std::string> written;  // paths already in the archive
  auto add_blob = [&](const std::string& name,
                      const std::string& digest) -> absl::Status {
    if (!written.insert(name).second) return absl::OkStatus();
    return tar.AddFile(name, blobs_.PathOf(digest));
  };

  if (format == image::v1::ARCHIVE_FORMAT_OCI) {
    RETURN_IF_ERROR(tar.AddBytes("oci-layout", formats::OciLayoutFile()));
    RETURN_IF_ERROR(tar.AddDirectory("blobs"));
    RETURN_IF_ERROR(tar.AddDirectory("blobs/sha256"));
    std::vector<formats::Descriptor> index;
    for (const SaveItem& item : items) {
      const Image& image = item.image;
      RETURN_IF_ERROR(add_blob("blobs/sha256/" + Hex(image.id()), image.id()));
      for (const auto& layer : image.layers()) {
        RETURN_IF_ERROR(
            add_blob("blobs/sha256/" + Hex(layer.digest()), layer.digest()));
      }
      RETURN_IF_ERROR(add_blob("blobs/sha256/" + Hex(image.manifest_digest()),
                               image.manifest_digest()));
      formats::Descriptor descriptor;
      descriptor.media_type = image.manifest_media_type();
      descriptor.digest = image.manifest_digest();
      ASSIGN_OR_RETURN(descriptor.size, blobs_.SizeOf(image.manifest_digest()));
      if (!item.tag.empty()) {
        ASSIGN_OR_RETURN(Reference ref, ParseReference(item.tag));
        descriptor.annotations["io.containerd.image.name"] = ref.String();
        descriptor.annotations[formats::kRefNameAnnotation] = ref.tag;
      }
      index.push_back(std::move(descriptor));
    }
    RETURN_IF_ERROR(tar.AddBytes("index.json", formats::SerializeOciIndex(index)));
    RETURN_IF_ERROR(tar.Finish());
    for (const SaveItem& item : items) Emit(item.image.id(), "save", item.image.id());
    return absl::OkStatus();
  }

  // One manifest entry per image, with every tag it was asked under, as
  // Docker writes it (a load then tags it with all of them at once).
  std::vector<std::pair<const Image*, std::vector<std::string>>> entries;
  for (const SaveItem& item : items) {
    auto same = std::find_if(entries.begin(), entries.end(), [&](const auto& e) {
      return e.first->id() == item.image.id();
    });
    if (same == entries.end()) {
      entries.push_back({&item.image, {}});
      same = entries.end() - 1;
    }
    if (!item.tag.empty() &&
        std::find(same->second.begin(), same->second.end(), item.tag) ==
            same->second.end()) {
      same->second.push_back(item.tag);
    }
  }
  std::vector<formats::DockerManifestEntry> manifest;
  std::vector<std::pair<std::string, std::pair<std::string, std::string>>>
      repositories;
  for (const auto& [image_ptr, tags] : entries) {
    const Image& image = *image_ptr;
    formats::DockerManifestEntry entry;
    entry.config = Hex(image.id()) + ".json";
    RETURN_IF_ERROR(add_blob(entry.config, image.id()));
    std::string parent_hex;
    for (const auto& layer : image.layers()) {
      // Docker names each layer directory by a v1 id; the chain id is as
      // unique, and stable across saves.
      const std::string dir = Hex(layer.chain_id());
      if (written.insert(dir).second) {
        RETURN_IF_ERROR(tar.AddDirectory(dir));
        RETURN_IF_ERROR(tar.AddBytes(dir + "/VERSION", "1.0"));
        RETURN_IF_ERROR(tar.AddBytes(
            dir + "/json", formats::SerializeLegacyLayerJson(
                               dir, parent_hex, FromTimestamp(image.created()))));
      }
      RETURN_IF_ERROR(add_blob(dir + "/layer.tar", layer.digest()));
      entry.layers.push_back(dir + "/layer.tar");
      parent_hex = dir;
    }
    for (const std::string& tag : tags) {
      entry.repo_tags.push_back(tag);
      ASSIGN_OR_RETURN(Reference ref, ParseReference(tag));
      repositories.push_back({ref.FamiliarName(), {ref.tag, parent_hex}});
    }
    manifest.push_back(std::move(entry));
  }
  RETURN_IF_ERROR(
      tar.AddBytes("manifest.json", formats::SerializeDockerManifest(manifest)));
  if (!repositories.empty()) {
    RETURN_IF_ERROR(tar.AddBytes("repositories",
                                 formats::SerializeRepositories(repositories)));
  }
  RETURN_IF_ERROR(tar.Finish());
  for (const SaveItem& item : items) Emit(item.image.id(), "save", item.image.id());
  return absl::OkStatus();
}

}  // namespace berth::imaged
