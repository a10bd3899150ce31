// What the image commands print, from the image service's answers, in
// Docker's words and layouts (`docker images`, `docker image inspect`,
// `docker history`, `docker rmi`, `docker image prune`, `docker load`), and
// the `--filter` terms of `berth images`. Pure functions: the commands in
// image_commands.cc call the service and print these.
#ifndef BERTH_CTL_IMAGE_IMAGE_FORMAT_H_
#define BERTH_CTL_IMAGE_IMAGE_FORMAT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "berth/image/v1/image.pb.h"
#include "ctl/cli/args.h"
#include "nlohmann/json.hpp"

namespace berth::ctl {

// `berth images --filter`: dangling=true|false (also 1|0),
// reference=PATTERN (repeatable, ORed), label=KEY[=VALUE] (repeatable,
// ANDed), before=IMAGE, since=IMAGE. Any other name, or a bad dangling
// value, is Docker's "invalid filter '...'" (INVALID_ARGUMENT).
absl::StatusOr<image::v1::ImageFilter> BuildImageFilter(
    const std::vector<FilterTerm>& terms);

// One line of `berth images`: an image appears once per repository:tag
// (and per digest with --digests), or once as <none> <none> when untagged.
struct ImageRow {
  std::string repository;
  std::string tag;
  std::string digest;
  const image::v1::ImageSummary* image = nullptr;
};

// Docker's rows for one image, tags in the order given, grouped by
// repository in the order repositories first appear.
std::vector<ImageRow> ImageRows(const image::v1::ImageSummary& image,
                                bool digests);

// One row as `images --format json` prints it and templates see it, keys
// sorted as Go marshals a map; SharedSize and UniqueSize are "N/A" unless
// imaged computed the shared size.
nlohmann::ordered_json ImageRowJson(const ImageRow& row, bool no_trunc,
                                    absl::Time now, absl::TimeZone zone);

struct ImageListOptions {
  // "" or "table", "json", "table TEMPLATE" or a template.
  std::string format;
  bool quiet = false;     // ids only, each once
  bool digests = false;   // a DIGEST column
  bool no_trunc = false;  // full "sha256:..." ids
};

// The whole output of `berth images`; `now` and `zone` give CREATED ("2
// weeks ago") and the JSON CreatedAt. INVALID_ARGUMENT for a bad template
// ("template parsing error: ...").
absl::StatusOr<std::string> RenderImageList(
    const image::v1::ListImagesResponse& response,
    const ImageListOptions& options, absl::Time now, absl::TimeZone zone);

// One image as Docker's `image inspect` shows it (ordered as Docker does).
nlohmann::ordered_json ImageInspectJson(const image::v1::Image& image);

struct HistoryOptions {
  // "" or "table", "json", "table TEMPLATE" or a template.
  std::string format;
  bool human = true;  // sizes and dates for people (-H, default on)
  bool quiet = false;
  bool no_trunc = false;
};

// The whole output of `berth history`. INVALID_ARGUMENT for a bad
// template.
absl::StatusOr<std::string> RenderHistory(
    const image::v1::ImageHistoryResponse& response,
    const HistoryOptions& options, absl::Time now, absl::TimeZone zone);

// "Untagged: busybox:latest" and "Deleted: sha256:..." lines of `rmi`.
std::string RenderRemoved(const image::v1::RemoveImageResponse& response);

// `image prune`: PrunedImagesSection, then "Total reclaimed space: 1.2MB".
std::string RenderPruned(const image::v1::PruneImagesResponse& response);

// "Deleted Images:" with "untagged: "/"deleted: " lines and a blank line
// when anything went, else "" (also `system prune`'s images part).
std::string PrunedImagesSection(
    const image::v1::PruneImagesResponse& response);

// `load`: "Loaded image: busybox:latest" per tag, "Loaded image ID:
// sha256:..." for an image without tags.
std::string RenderLoaded(const image::v1::LoadResult& result);

}  // namespace berth::ctl

#endif  // BERTH_CTL_IMAGE_IMAGE_FORMAT_H_
