// How imaged stores its records: the three tables and their indexes, and
// conversions between stored blobs and record fields.
#ifndef BERTH_SERVICES_IMAGED_IMAGE_RECORDS_H_
#define BERTH_SERVICES_IMAGED_IMAGE_RECORDS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "berth/image/store/v1/records.pb.h"
#include "berth/image/v1/image_types.pb.h"
#include "common/proto_util.h"
#include "common/table.h"
#include "google/protobuf/timestamp.pb.h"

namespace berth::imaged {

// imaged's private record messages.
namespace records = ::berth::image::store::v1;

// "images": key image id. Indexes: "tag" (unique; familiar "repo:tag"),
// "digest" ("repo@sha256:..."), "layer" (chain ids of its layers).
Table<image::v1::Image> ImagesTable();
// "layers": key chain id.
Table<records::LayerRecord> LayersTable();
// "snapshots": key snapshot key. Indexes: "image" (image id), "layer"
// (chain ids it pins).
Table<records::SnapshotRecord> SnapshotsTable();

// OCI chain id: the diff id of a bottom layer, else
// sha256(parent chain id + " " + diff id).
std::string ChainId(const std::string& parent_chain_id,
                    const std::string& diff_id);

// History entries of an image config JSON, oldest first, sizes filled in
// from `layers` (in layer order) for the entries that made a layer.
absl::StatusOr<std::vector<image::v1::HistoryEntry>> HistoryFromConfig(
    const std::string& config_json,
    const std::vector<image::v1::LayerInfo>& layers = {});

}  // namespace berth::imaged

#endif  // BERTH_SERVICES_IMAGED_IMAGE_RECORDS_H_
