#include "ctl/volume/volume_request.h"

#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "ctl/volume/volume_format.h"

namespace berth::ctl {
namespace {

// "KEY=VALUE" or "KEY" (an empty value), as Docker's MapOpts and
// ConvertKVStringsToMap split them.
std::pair<std::string, std::string> SplitKeyValue(const std::string& entry) {
  std::pair<std::string, std::string> kv =
      absl::StrSplit(entry, absl::MaxSplits('=', 1));
  return kv;
}

}  // namespace

absl::StatusOr<volume::v1::CreateVolumeRequest> BuildCreateVolumeRequest(
    const VolumeCreateFlags& flags) {
  volume::v1::CreateVolumeRequest request;
  std::string name = flags.name_flag;
  if (!flags.positional.empty()) {
    if (!name.empty()) {
      return absl::InvalidArgumentError(
          "conflicting options: cannot specify a volume-name through both "
          "--name and as a positional arg");
    }
    name = flags.positional[0];
  }
  request.set_name(name);
  request.set_driver(flags.driver);
  for (const std::string& option : flags.options) {
    auto [key, value] = SplitKeyValue(option);
    (*request.mutable_driver_options())[key] = value;
  }
  for (const std::string& label : flags.labels) {
    auto [key, value] = SplitKeyValue(label);
    (*request.mutable_labels())[key] = value;
  }
  return request;
}

absl::StatusOr<volume::v1::VolumeFilter> BuildVolumeFilter(
    const std::vector<FilterTerm>& terms) {
  volume::v1::VolumeFilter filter;
  for (const FilterTerm& term : terms) {
    if (term.name == "dangling") {
      std::optional<bool> dangling = FilterBool(term.value);
      // Docker's daemon takes one answer: "dangling=true" and
      // "dangling=false" together match nothing sensible.
      if (!dangling.has_value() ||
          (filter.has_dangling() && filter.dangling() != *dangling)) {
        return InvalidFilter(term.name, term.value);
      }
      filter.set_dangling(*dangling);
    } else if (term.name == "name") {
      filter.add_names(term.value);
    } else if (term.name == "driver") {
      filter.add_drivers(term.value);
    } else if (term.name == "label" || term.name == "label!") {
      types::v1::LabelFilter label =
          ParseLabelFilter(term.value, term.name == "label!");
      if (label.key() == kAnonymousVolumeLabel && label.value().empty()) {
        filter.set_anonymous(!label.negate());
      } else {
        *filter.add_labels() = std::move(label);
      }
    } else {
      return InvalidFilter(term.name);
    }
  }
  return filter;
}

absl::StatusOr<volume::v1::PruneVolumesRequest> BuildPruneVolumesRequest(
    bool all, const std::vector<FilterTerm>& terms, absl::Time now,
    absl::TimeZone zone) {
  volume::v1::PruneVolumesRequest request;
  request.set_all(all);
  // all= is the prune's own term; the rest are the common prune filters.
  std::vector<FilterTerm> common;
  for (const FilterTerm& term : terms) {
    if (term.name != "all") {
      common.push_back(term);
      continue;
    }
    if (all) {
      return absl::InvalidArgumentError(
          "conflicting options: cannot specify both --all and --filter all=1");
    }
    std::optional<bool> value = FilterBool(term.value);
    if (!value.has_value()) return InvalidFilter(term.name, term.value);
    request.set_all(request.all() || *value);
  }
  absl::StatusOr<types::v1::PruneFilter> filter =
      BuildPruneFilter(common, now, zone);
  if (!filter.ok()) return filter.status();
  *request.mutable_filter() = *std::move(filter);
  return request;
}

}  // namespace berth::ctl
