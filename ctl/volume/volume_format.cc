#include "ctl/volume/volume_format.h"

#include <map>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ctl/cli/format.h"

namespace berth::ctl {
namespace {

using nlohmann::ordered_json;
using StringMap = google::protobuf::Map<std::string, std::string>;

// Docker's `volume ls` table and quiet formats.
constexpr char kDefaultTableFormat[] = "table {{.Driver}}\\t{{.Name}}";
constexpr char kQuietFormat[] = "{{.Name}}";
constexpr char kNotAvailable[] = "N/A";

std::map<std::string, std::string> Sorted(const StringMap& map) {
  return std::map<std::string, std::string>(map.begin(), map.end());
}

// The labels as Docker's daemon would show them (see kAnonymousVolumeLabel).
std::map<std::string, std::string> DockerLabels(const volume::v1::Volume& v) {
  std::map<std::string, std::string> labels = Sorted(v.labels());
  if (v.anonymous()) labels.emplace(kAnonymousVolumeLabel, "");
  return labels;
}

ordered_json MapJson(const std::map<std::string, std::string>& map) {
  ordered_json out = ordered_json::object();
  for (const auto& [key, value] : map) out[key] = value;
  return out;
}

ordered_json ListHeader() {
  return ordered_json{
      {"Availability", "AVAILABILITY"}, {"Driver", "DRIVER"},
      {"Group", "GROUP"},               {"ID", "ID"},
      {"Labels", "LABELS"},             {"Links", "LINKS"},
      {"Mountpoint", "MOUNTPOINT"},     {"Name", "VOLUME NAME"},
      {"Scope", "SCOPE"},               {"Size", "SIZE"},
      {"Status", "STATUS"}};
}

// The end of a digit run starting at `i`.
size_t DigitsEnd(absl::string_view s, size_t i) {
  while (i < s.size() && absl::ascii_isdigit(static_cast<unsigned char>(s[i]))) {
    ++i;
  }
  return i;
}

}  // namespace

ordered_json VolumeInspectJson(const volume::v1::Volume& volume,
                               absl::TimeZone zone) {
  ordered_json out = ordered_json::object();
  // Docker's CreatedAt is omitempty.
  if (volume.has_created()) {
    out["CreatedAt"] = FormatRfc3339(
        absl::FromUnixSeconds(volume.created().seconds()), zone);
  }
  out["Driver"] = volume.driver().empty() ? "local" : volume.driver();
  out["Labels"] = MapJson(DockerLabels(volume));
  out["Mountpoint"] = volume.mountpoint();
  out["Name"] = volume.name();
  out["Options"] = volume.anonymous() && volume.options().empty()
                       ? ordered_json(nullptr)
                       : MapJson(Sorted(volume.options()));
  out["Scope"] = volume.scope().empty() ? "local" : volume.scope();
  return out;
}

TemplateRow VolumeRow(const volume::v1::Volume& volume, bool with_usage) {
  const std::map<std::string, std::string> docker_labels = DockerLabels(volume);
  std::vector<std::string> labels;
  for (const auto& [key, value] : docker_labels) {
    labels.push_back(absl::StrCat(key, "=", value));
  }
  std::string links = kNotAvailable;
  std::string size = kNotAvailable;
  if (with_usage) {
    links = absl::StrCat(volume.usage().ref_count());
    if (volume.usage().size() >= 0) {
      size = HumanSize(static_cast<double>(volume.usage().size()));
    }
  }
  ordered_json fields{
      {"Availability", kNotAvailable},
      {"Driver", volume.driver().empty() ? "local" : volume.driver()},
      {"Group", kNotAvailable},
      {"Labels", absl::StrJoin(labels, ",")},
      {"Links", links},
      {"Mountpoint", volume.mountpoint()},
      {"Name", volume.name()},
      {"Scope", volume.scope().empty() ? "local" : volume.scope()},
      {"Size", size},
      {"Status", kNotAvailable},
  };
  return TemplateRow{std::move(fields), LabelMethods(docker_labels)};
}

absl::StatusOr<std::string> RenderVolumeList(
    const std::vector<const volume::v1::Volume*>& volumes,
    const VolumeListOptions& options) {
  std::string format = options.format;
  if (format.empty() || format == "table") {
    format = options.quiet ? kQuietFormat : kDefaultTableFormat;
  }
  std::vector<TemplateRow> rows;
  for (const volume::v1::Volume* volume : volumes) {
    rows.push_back(VolumeRow(*volume, /*with_usage=*/false));
  }
  return RenderListTemplate(
      ListTemplate{format, ListHeader(), "*formatter.volumeContext"}, rows);
}

bool NaturalLess(absl::string_view a, absl::string_view b) {
  size_t i = 0;
  size_t j = 0;
  while (i < a.size() && j < b.size()) {
    const bool digit_a = absl::ascii_isdigit(static_cast<unsigned char>(a[i]));
    const bool digit_b = absl::ascii_isdigit(static_cast<unsigned char>(b[j]));
    // A digit sorts before any other character.
    if (digit_a != digit_b) return digit_a;
    if (!digit_a) {
      if (a[i] != b[j]) return a[i] < b[j];
      ++i;
      ++j;
      continue;
    }
    // Two numbers: leading zeros aside, the shorter is smaller, then the
    // digits decide, then the one with fewer leading zeros.
    const size_t zeros_a = a.find_first_not_of('0', i);
    const size_t zeros_b = b.find_first_not_of('0', j);
    const size_t start_a = zeros_a == absl::string_view::npos ? a.size() : zeros_a;
    const size_t start_b = zeros_b == absl::string_view::npos ? b.size() : zeros_b;
    const size_t end_a = DigitsEnd(a, start_a);
    const size_t end_b = DigitsEnd(b, start_b);
    const absl::string_view number_a = a.substr(start_a, end_a - start_a);
    const absl::string_view number_b = b.substr(start_b, end_b - start_b);
    if (number_a.size() != number_b.size()) {
      return number_a.size() < number_b.size();
    }
    if (number_a != number_b) return number_a < number_b;
    if (start_a - i != start_b - j) return start_a - i < start_b - j;
    i = end_a;
    j = end_b;
  }
  // Equal so far: the one that ended first is smaller.
  return a.size() - i < b.size() - j;
}

std::string PrunedVolumesSection(
    const volume::v1::PruneVolumesResponse& response) {
  if (response.deleted().empty()) return "";
  std::string out = "Deleted Volumes:\n";
  for (const std::string& name : response.deleted()) {
    absl::StrAppend(&out, name, "\n");
  }
  return out + "\n";
}

std::string RenderPrunedVolumes(
    const volume::v1::PruneVolumesResponse& response) {
  const int64_t reclaimed =
      response.deleted().empty() ? 0 : response.space_reclaimed();
  return PrunedVolumesSection(response) + ReclaimedSpaceLine(reclaimed);
}

}  // namespace berth::ctl
