#include "ctl/image/image_format.h"
#include "ctl/cli/docker_json.h"

#include <map>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "ctl/cli/docker_template.h"
#include "ctl/cli/format.h"

namespace berth::ctl {
namespace {

using nlohmann::ordered_json;
using Strings = google::protobuf::RepeatedPtrField<std::string>;

constexpr char kNone[] = "<none>";

bool IsSet(const google::protobuf::Timestamp& ts) {
  return ts.seconds() != 0 || ts.nanos() != 0;
}

absl::Time ToTime(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

// Docker shows whole seconds in listings.
absl::Time ToSeconds(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds());
}

int64_t ToNanos(const google::protobuf::Duration& d) {
  return d.seconds() * 1000000000 + d.nanos();
}

std::string Dump(const ordered_json& value) {
  return GoJsonEscape(
      value.dump(-1, ' ', false, ordered_json::error_handler_t::replace));
}

// "repo:tag" -> {"repo", "tag"}; the tag is after the last ':' that follows
// the last '/', so a registry port is not taken for a tag.
bool SplitTagged(const std::string& reference, std::string* repository,
                 std::string* tag) {
  const size_t slash = reference.rfind('/');
  const size_t colon = reference.rfind(':');
  if (colon == std::string::npos ||
      (slash != std::string::npos && colon < slash)) {
    return false;
  }
  *repository = reference.substr(0, colon);
  *tag = reference.substr(colon + 1);
  return true;
}

// "repo@sha256:..." -> {"repo", "sha256:..."}.
bool SplitDigested(const std::string& reference, std::string* repository,
                   std::string* digest) {
  const size_t at = reference.find('@');
  if (at == std::string::npos) return false;
  *repository = reference.substr(0, at);
  *digest = reference.substr(at + 1);
  return true;
}

// Values grouped by key, keys in the order they first appear.
class Groups {
 public:
  void Add(const std::string& key, const std::string& value) {
    auto [it, added] = index_.try_emplace(key, groups_.size());
    if (added) groups_.push_back({key, {}});
    groups_[it->second].second.push_back(value);
  }
  const std::vector<std::string>* Find(const std::string& key) const {
    auto it = index_.find(key);
    return it == index_.end() ? nullptr : &groups_[it->second].second;
  }
  const std::vector<std::pair<std::string, std::vector<std::string>>>& all()
      const {
    return groups_;
  }

 private:
  std::map<std::string, size_t> index_;
  std::vector<std::pair<std::string, std::vector<std::string>>> groups_;
};

ordered_json ListOrNull(const Strings& values) {
  if (values.empty()) return nullptr;
  return ordered_json(std::vector<std::string>(values.begin(), values.end()));
}

// Go's map[string]struct{} as JSON: {"80/tcp": {}}, keys sorted.
ordered_json SetOrNull(const Strings& keys) {
  if (keys.empty()) return nullptr;
  std::set<std::string> sorted(keys.begin(), keys.end());
  ordered_json out = ordered_json::object();
  for (const std::string& key : sorted) out[key] = ordered_json::object();
  return out;
}

ordered_json HealthcheckJson(const types::v1::Healthcheck& check) {
  ordered_json out = ordered_json::object();
  if (!check.test().empty()) out["Test"] = ListOrNull(check.test());
  if (int64_t ns = ToNanos(check.interval())) out["Interval"] = ns;
  if (int64_t ns = ToNanos(check.timeout())) out["Timeout"] = ns;
  if (int64_t ns = ToNanos(check.start_period())) out["StartPeriod"] = ns;
  if (int64_t ns = ToNanos(check.start_interval())) out["StartInterval"] = ns;
  if (check.retries() != 0) out["Retries"] = check.retries();
  return out;
}

// The image fields of Docker's container.Config, in its order, with its
// nulls and omitted empties.
ordered_json ConfigJson(const image::v1::ImageConfig& config) {
  ordered_json out = ordered_json::object();
  out["User"] = config.user();
  if (!config.exposed_ports().empty()) {
    out["ExposedPorts"] = SetOrNull(config.exposed_ports());
  }
  out["Env"] = ListOrNull(config.env());
  out["Cmd"] = ListOrNull(config.cmd());
  if (config.has_healthcheck()) {
    ordered_json check = HealthcheckJson(config.healthcheck());
    if (!check.empty()) out["Healthcheck"] = check;
  }
  if (config.args_escaped()) out["ArgsEscaped"] = true;
  out["Volumes"] = SetOrNull(config.volumes());
  out["WorkingDir"] = config.working_dir();
  out["Entrypoint"] = ListOrNull(config.entrypoint());
  out["OnBuild"] = ListOrNull(config.on_build());
  out["Labels"] = MapOrNull(config.labels());
  if (!config.stop_signal().empty()) out["StopSignal"] = config.stop_signal();
  if (!config.shell().empty()) out["Shell"] = ListOrNull(config.shell());
  return out;
}

std::string ImageId(const std::string& id, bool no_trunc) {
  return no_trunc ? id : TruncateId(id);
}

std::string CreatedSince(const image::v1::ImageSummary& image, absl::Time now) {
  if (!IsSet(image.created())) return "N/A";
  return TimeAgo(ToSeconds(image.created()), now);
}

// Docker's column titles of the `images` and `history` fields.
ordered_json ImageListHeader() {
  return ordered_json{{"Containers", "CONTAINERS"},
                      {"CreatedAt", "CREATED AT"},
                      {"CreatedSince", "CREATED"},
                      {"Digest", "DIGEST"},
                      {"ID", "IMAGE ID"},
                      {"Repository", "REPOSITORY"},
                      {"SharedSize", "SHARED SIZE"},
                      {"Size", "SIZE"},
                      {"Tag", "TAG"},
                      {"UniqueSize", "UNIQUE SIZE"}};
}

ordered_json HistoryHeader() {
  return ordered_json{{"Comment", "COMMENT"},    {"CreatedAt", "CREATED AT"},
                      {"CreatedBy", "CREATED BY"}, {"CreatedSince", "CREATED"},
                      {"ID", "IMAGE"},           {"Size", "SIZE"}};
}

}  // namespace

ordered_json ImageRowJson(const ImageRow& row, bool no_trunc, absl::Time now,
                          absl::TimeZone zone) {
  const image::v1::ImageSummary& image = *row.image;
  // SharedSize and UniqueSize cost imaged a pass over the layers; like
  // `docker images`, the listing does not ask for them (`system df -v`
  // does).
  const bool shared_known = image.shared_size() >= 0;
  auto size_text = [](int64_t bytes) {
    return HumanSizeWithPrecision(static_cast<double>(bytes), 3);
  };
  return ordered_json{
      {"Containers", absl::StrCat(image.snapshots())},
      {"CreatedAt", FormatGoTime(ToSeconds(image.created()), zone)},
      {"CreatedSince", CreatedSince(image, now)},
      {"Digest", row.digest},
      {"ID", ImageId(image.id(), no_trunc)},
      {"Repository", row.repository},
      {"SharedSize", shared_known ? size_text(image.shared_size()) : "N/A"},
      {"Size", size_text(image.size())},
      {"Tag", row.tag},
      {"UniqueSize", shared_known
                         ? size_text(image.size() - image.shared_size())
                         : "N/A"},
      {"VirtualSize", HumanSize(static_cast<double>(image.size()))},
  };
}


absl::StatusOr<image::v1::ImageFilter> BuildImageFilter(
    const std::vector<FilterTerm>& terms) {
  image::v1::ImageFilter filter;
  std::set<std::string> dangling;
  for (const FilterTerm& term : terms) {
    if (term.name == "dangling") {
      dangling.insert(term.value);
    } else if (term.name == "reference") {
      filter.add_references(term.value);
    } else if (term.name == "label") {
      *filter.add_labels() = ParseLabelFilter(term.value, /*negate=*/false);
    } else if (term.name == "before") {
      filter.set_before(term.value);
    } else if (term.name == "since") {
      filter.set_since(term.value);
    } else {
      return InvalidFilter(term.name);
    }
  }
  if (!dangling.empty()) {
    const std::string value = absl::AsciiStrToLower(*dangling.begin());
    const bool is_true = value == "true" || value == "1";
    const bool is_false = value == "false" || value == "0";
    if (dangling.size() > 1 || (!is_true && !is_false)) {
      return InvalidFilter(
          "dangling", absl::StrJoin(dangling.begin(), dangling.end(), ","));
    }
    filter.set_dangling(is_true);
  }
  return filter;
}

std::vector<ImageRow> ImageRows(const image::v1::ImageSummary& image,
                                bool digests) {
  std::vector<ImageRow> rows;
  Groups tags;
  Groups repo_digests;
  std::string repository, value;
  for (const std::string& reference : image.repo_tags()) {
    if (SplitTagged(reference, &repository, &value))
      tags.Add(repository, value);
  }
  for (const std::string& reference : image.repo_digests()) {
    if (SplitDigested(reference, &repository, &value)) {
      repo_digests.Add(repository, value);
    }
  }
  if (tags.all().empty() && repo_digests.all().empty()) {
    rows.push_back({kNone, kNone, kNone, &image});
    return rows;
  }
  for (const auto& [repo, repo_tags] : tags.all()) {
    const std::vector<std::string>* known = repo_digests.Find(repo);
    for (const std::string& tag : repo_tags) {
      if (!digests || known == nullptr) {
        rows.push_back({repo, tag, kNone, &image});
        continue;
      }
      for (const std::string& digest : *known) {
        rows.push_back({repo, tag, digest, &image});
      }
    }
  }
  // Repositories known only by digest get rows of their own.
  for (const auto& [repo, known] : repo_digests.all()) {
    if (tags.Find(repo) != nullptr) continue;
    if (!digests) {
      rows.push_back({repo, kNone, "", &image});
      continue;
    }
    for (const std::string& digest : known) {
      rows.push_back({repo, kNone, digest, &image});
    }
  }
  return rows;
}

absl::StatusOr<std::string> RenderImageList(
    const image::v1::ListImagesResponse& response,
    const ImageListOptions& options, absl::Time now, absl::TimeZone zone) {
  std::vector<ImageRow> rows;
  for (const image::v1::ImageSummary& image : response.images()) {
    for (ImageRow& row : ImageRows(image, options.digests)) {
      rows.push_back(std::move(row));
    }
  }
  std::string out;
  if (options.format == "json") {
    for (const ImageRow& row : rows) {
      absl::StrAppend(
          &out, Dump(ImageRowJson(row, options.no_trunc, now, zone)), "\n");
    }
    return out;
  }
  if (options.quiet) {
    std::set<std::string> seen;
    for (const image::v1::ImageSummary& image : response.images()) {
      if (seen.insert(image.id()).second) {
        absl::StrAppend(&out, ImageId(image.id(), options.no_trunc), "\n");
      }
    }
    return out;
  }
  if (!options.format.empty() && options.format != "table") {
    std::vector<TemplateRow> template_rows;
    for (const ImageRow& row : rows) {
      template_rows.push_back(
          {ImageRowJson(row, options.no_trunc, now, zone), {}});
    }
    return RenderListTemplate(
        ListTemplate{options.format, ImageListHeader(),
                     "*formatter.ImageContext"},
        template_rows);
  }
  std::vector<std::string> header = {"REPOSITORY", "TAG"};
  if (options.digests) header.push_back("DIGEST");
  header.insert(header.end(), {"IMAGE ID", "CREATED", "SIZE"});
  Table table(std::move(header));
  for (const ImageRow& row : rows) {
    std::vector<std::string> cells = {row.repository, row.tag};
    if (options.digests) cells.push_back(row.digest);
    cells.insert(cells.end(), {ImageId(row.image->id(), options.no_trunc),
                               CreatedSince(*row.image, now),
                               HumanSizeWithPrecision(
                                   static_cast<double>(row.image->size()), 3)});
    table.AddRow(std::move(cells));
  }
  return table.Render();
}

ordered_json ImageInspectJson(const image::v1::Image& image) {
  ordered_json out = ordered_json::object();
  out["Id"] = image.id();
  out["RepoTags"] = std::vector<std::string>(image.repo_tags().begin(),
                                             image.repo_tags().end());
  out["RepoDigests"] = std::vector<std::string>(image.repo_digests().begin(),
                                                image.repo_digests().end());
  out["Parent"] = image.parent();
  out["Comment"] = image.comment();
  if (IsSet(image.created())) {
    out["Created"] = FormatRfc3339Nano(ToTime(image.created()));
  }
  if (!image.container().empty()) out["Container"] = image.container();
  out["Author"] = image.author();
  out["Config"] = ConfigJson(image.config());
  out["Architecture"] = image.platform().architecture();
  if (!image.platform().variant().empty()) {
    out["Variant"] = image.platform().variant();
  }
  out["Os"] = image.platform().os();
  out["Size"] = image.size();
  ordered_json rootfs = ordered_json::object();
  rootfs["Type"] =
      image.rootfs().type().empty() ? "layers" : image.rootfs().type();
  if (!image.rootfs().diff_ids().empty()) {
    rootfs["Layers"] = ListOrNull(image.rootfs().diff_ids());
  }
  out["RootFS"] = rootfs;
  // Go's zero time when the tags never changed, as Docker prints it.
  out["Metadata"] = ordered_json{
      {"LastTagTime", IsSet(image.last_tag_time())
                          ? FormatRfc3339Nano(ToTime(image.last_tag_time()))
                          : "0001-01-01T00:00:00Z"}};
  return out;
}

absl::StatusOr<std::string> RenderHistory(
    const image::v1::ImageHistoryResponse& response,
    const HistoryOptions& options, absl::Time now, absl::TimeZone zone) {
  const bool json = options.format == "json";
  const bool templated =
      !json && !options.format.empty() && options.format != "table";
  std::vector<TemplateRow> template_rows;
  // Docker leaves CREATED empty for steps dated before 2000 (clamped or
  // unknown build times).
  const absl::Time epoch =
      absl::FromCivil(absl::CivilSecond(2000, 1, 1), absl::UTCTimeZone());
  std::string out;
  Table table({"IMAGE", options.human ? "CREATED" : "CREATED AT", "CREATED BY",
               "SIZE", "COMMENT"});
  for (const image::v1::HistoryEntry& entry : response.entries()) {
    const std::string id = ImageId(entry.id(), options.no_trunc);
    if (options.quiet && !json && !templated) {
      absl::StrAppend(&out, id, "\n");
      continue;
    }
    const absl::Time created = ToSeconds(entry.created());
    const std::string created_at = FormatRfc3339(created, zone);
    std::string created_since = created_at;
    if (options.human) {
      created_since = created <= epoch ? "" : TimeAgo(created, now);
    }
    std::string created_by =
        absl::StrReplaceAll(entry.created_by(), {{"\t", " "}});
    if (!options.no_trunc) created_by = Ellipsis(created_by, 45);
    const std::string size =
        options.human
            ? HumanSizeWithPrecision(static_cast<double>(entry.size()), 3)
            : absl::StrCat(entry.size());
    ordered_json fields{{"Comment", entry.comment()},
                        {"CreatedAt", created_at},
                        {"CreatedBy", created_by},
                        {"CreatedSince", created_since},
                        {"ID", id},
                        {"Size", size}};
    if (json) {
      absl::StrAppend(&out, Dump(fields), "\n");
      continue;
    }
    if (templated) {
      template_rows.push_back({std::move(fields), {}});
      continue;
    }
    table.AddRow({id, created_since, created_by, size, entry.comment()});
  }
  if (templated) {
    return RenderListTemplate(
        ListTemplate{options.format, HistoryHeader(), "*image.historyContext"},
        template_rows);
  }
  if (json || options.quiet) return out;
  return table.Render();
}

std::string RenderRemoved(const image::v1::RemoveImageResponse& response) {
  std::string out;
  for (const std::string& ref : response.untagged()) {
    absl::StrAppend(&out, "Untagged: ", ref, "\n");
  }
  for (const std::string& id : response.deleted()) {
    absl::StrAppend(&out, "Deleted: ", id, "\n");
  }
  return out;
}

std::string PrunedImagesSection(
    const image::v1::PruneImagesResponse& response) {
  std::string out;
  if (!response.untagged().empty() || !response.deleted().empty()) {
    out = "Deleted Images:\n";
    for (const std::string& ref : response.untagged()) {
      absl::StrAppend(&out, "untagged: ", ref, "\n");
    }
    for (const std::string& id : response.deleted()) {
      absl::StrAppend(&out, "deleted: ", id, "\n");
    }
    out += "\n";
  }
  return out;
}

std::string RenderPruned(const image::v1::PruneImagesResponse& response) {
  return PrunedImagesSection(response) +
         ReclaimedSpaceLine(response.space_reclaimed());
}

std::string RenderLoaded(const image::v1::LoadResult& result) {
  std::string out;
  for (const image::v1::LoadedImage& image : result.images()) {
    for (const std::string& tag : image.repo_tags()) {
      absl::StrAppend(&out, "Loaded image: ", tag, "\n");
    }
    if (image.repo_tags().empty()) {
      absl::StrAppend(&out, "Loaded image ID: ", image.image_id(), "\n");
    }
  }
  return out;
}

}  // namespace berth::ctl
