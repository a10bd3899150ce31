#include "services/imaged/image_records.h"

#include "absl/strings/str_cat.h"
#include "common/sha256.h"
#include "common/status_macros.h"
#include "services/imaged/formats/image_config.h"

namespace berth::imaged {

using image::v1::Image;
using records::LayerRecord;
using records::SnapshotRecord;

Table<Image> ImagesTable() {
  return Table<Image>(
      "images", [](const Image& image) { return image.id(); },
      {{"tag", true,
        [](const Image& image) {
          return Keys(image.repo_tags().begin(), image.repo_tags().end());
        }},
       {"digest", false,
        [](const Image& image) {
          return Keys(image.repo_digests().begin(), image.repo_digests().end());
        }},
       {"layer", false, [](const Image& image) {
          Keys keys;
          for (const auto& layer : image.layers()) keys.push_back(layer.chain_id());
          return keys;
        }}});
}

Table<LayerRecord> LayersTable() {
  return Table<LayerRecord>(
      "layers", [](const LayerRecord& layer) { return layer.info().chain_id(); });
}

Table<SnapshotRecord> SnapshotsTable() {
  return Table<SnapshotRecord>(
      "snapshots",
      [](const SnapshotRecord& snapshot) { return snapshot.rootfs().key(); },
      {{"image", false,
        [](const SnapshotRecord& snapshot) {
          return Keys{snapshot.rootfs().image_id()};
        }},
       {"layer", false, [](const SnapshotRecord& snapshot) {
          return Keys(snapshot.chain_ids().begin(), snapshot.chain_ids().end());
        }}});
}

std::string ChainId(const std::string& parent_chain_id,
                    const std::string& diff_id) {
  if (parent_chain_id.empty()) return diff_id;
  return Sha256Digest(absl::StrCat(parent_chain_id, " ", diff_id));
}

absl::StatusOr<std::vector<image::v1::HistoryEntry>> HistoryFromConfig(
    const std::string& config_json,
    const std::vector<image::v1::LayerInfo>& layers) {
  ASSIGN_OR_RETURN(formats::ImageConfigDoc doc,
                   formats::ParseImageConfig(config_json));
  std::vector<image::v1::HistoryEntry> entries;
  size_t layer_index = 0;
  for (const formats::ConfigHistory& step : doc.history) {
    image::v1::HistoryEntry entry;
    if (step.created != absl::InfinitePast()) {
      *entry.mutable_created() = ToTimestamp(step.created);
    }
    entry.set_created_by(step.created_by);
    entry.set_comment(step.comment);
    entry.set_author(step.author);
    entry.set_empty_layer(step.empty_layer);
    if (!step.empty_layer) {
      if (layer_index < layers.size()) {
        entry.set_size(layers[layer_index].unpacked_size());
      }
      ++layer_index;
    }
    entries.push_back(std::move(entry));
  }
  // Configs without history (some hand-made ones) get one entry per layer.
  if (doc.history.empty()) {
    for (const image::v1::LayerInfo& layer : layers) {
      image::v1::HistoryEntry entry;
      if (doc.has_created) *entry.mutable_created() = ToTimestamp(doc.created);
      entry.set_size(layer.unpacked_size());
      entries.push_back(std::move(entry));
    }
  }
  return entries;
}

}  // namespace berth::imaged
