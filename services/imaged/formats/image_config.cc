#include "services/imaged/formats/image_config.h"

#include <limits>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/sha256.h"
#include "common/status_macros.h"
#include "services/imaged/formats/json_util.h"

namespace berth::imaged::formats {
namespace {

using internal::Json;
using internal::ObjectReader;
using internal::OrderedJson;

constexpr char kWhat[] = "image config";

using StringField = google::protobuf::RepeatedPtrField<std::string>;

void Assign(const std::vector<std::string>& values, StringField* field) {
  *field = StringField(values.begin(), values.end());
}

// Healthcheck durations are Go time.Duration values: int64 nanoseconds.
// Zero means "inherit" and stays unset, as the serializer leaves it out.
using DurationField = google::protobuf::Duration* (types::v1::Healthcheck::*)();

absl::Status ReadDuration(const ObjectReader& reader, const char* key,
                          types::v1::Healthcheck* health, DurationField field) {
  int64_t nanos = 0;
  RETURN_IF_ERROR(reader.Int64(key, &nanos));
  if (nanos != 0) {
    google::protobuf::Duration* duration = (health->*field)();
    duration->set_seconds(nanos / 1000000000);
    duration->set_nanos(static_cast<int32_t>(nanos % 1000000000));
  }
  return absl::OkStatus();
}

int64_t DurationNanos(const google::protobuf::Duration& duration) {
  return absl::ToInt64Nanoseconds(absl::Seconds(duration.seconds()) +
                                  absl::Nanoseconds(duration.nanos()));
}

absl::Status ParseHealthcheck(const ObjectReader& reader,
                              types::v1::Healthcheck* health) {
  std::vector<std::string> test;
  RETURN_IF_ERROR(reader.StringList("Test", &test));
  Assign(test, health->mutable_test());
  using types::v1::Healthcheck;
  RETURN_IF_ERROR(
      ReadDuration(reader, "Interval", health, &Healthcheck::mutable_interval));
  RETURN_IF_ERROR(
      ReadDuration(reader, "Timeout", health, &Healthcheck::mutable_timeout));
  RETURN_IF_ERROR(ReadDuration(reader, "StartPeriod", health,
                               &Healthcheck::mutable_start_period));
  RETURN_IF_ERROR(ReadDuration(reader, "StartInterval", health,
                               &Healthcheck::mutable_start_interval));
  int64_t retries = 0;
  RETURN_IF_ERROR(reader.Int64("Retries", &retries));
  if (retries < std::numeric_limits<int32_t>::min() ||
      retries > std::numeric_limits<int32_t>::max()) {
    return reader.Error("Retries", "is out of range");
  }
  health->set_retries(static_cast<int32_t>(retries));
  return absl::OkStatus();
}

// The "config" object: the runtime defaults of the image's containers.
absl::Status ParseRuntimeConfig(const ObjectReader& reader,
                                image::v1::ImageConfig* config) {
  std::vector<std::string> list;
  RETURN_IF_ERROR(reader.String("User", config->mutable_user()));
  RETURN_IF_ERROR(reader.KeySet("ExposedPorts", &list));
  Assign(list, config->mutable_exposed_ports());
  list.clear();
  RETURN_IF_ERROR(reader.StringList("Env", &list));
  Assign(list, config->mutable_env());
  list.clear();
  RETURN_IF_ERROR(reader.StringOrList("Entrypoint", &list));
  Assign(list, config->mutable_entrypoint());
  list.clear();
  RETURN_IF_ERROR(reader.StringOrList("Cmd", &list));
  Assign(list, config->mutable_cmd());
  list.clear();
  RETURN_IF_ERROR(reader.KeySet("Volumes", &list));
  Assign(list, config->mutable_volumes());
  list.clear();
  RETURN_IF_ERROR(reader.String("WorkingDir", config->mutable_working_dir()));
  std::map<std::string, std::string> labels;
  RETURN_IF_ERROR(reader.StringMap("Labels", &labels));
  config->mutable_labels()->insert(labels.begin(), labels.end());
  RETURN_IF_ERROR(reader.String("StopSignal", config->mutable_stop_signal()));
  std::optional<ObjectReader> health;
  RETURN_IF_ERROR(reader.Object("Healthcheck", &health));
  if (health.has_value()) {
    RETURN_IF_ERROR(ParseHealthcheck(*health, config->mutable_healthcheck()));
  }
  RETURN_IF_ERROR(reader.StringOrList("Shell", &list));
  Assign(list, config->mutable_shell());
  list.clear();
  RETURN_IF_ERROR(reader.StringList("OnBuild", &list));
  Assign(list, config->mutable_on_build());
  bool args_escaped = false;
  RETURN_IF_ERROR(reader.Bool("ArgsEscaped", &args_escaped));
  config->set_args_escaped(args_escaped);
  return absl::OkStatus();
}

absl::Status ParseRootFs(const ObjectReader& top,
                         std::vector<std::string>* diff_ids) {
  std::optional<ObjectReader> rootfs;
  RETURN_IF_ERROR(top.Object("rootfs", &rootfs));
  if (!rootfs.has_value()) return top.Error("rootfs", "is missing");
  std::string type;
  RETURN_IF_ERROR(rootfs->String("type", &type));
  if (type != "layers") {
    return rootfs->Error("type", absl::StrCat("must be \"layers\", not ",
                                              internal::QuoteForError(type)));
  }
  RETURN_IF_ERROR(rootfs->StringList("diff_ids", diff_ids));
  for (size_t i = 0; i < diff_ids->size(); ++i) {
    if (!IsSha256Digest((*diff_ids)[i])) {
      return rootfs->Error(
          absl::StrCat("diff_ids[", i, "]"),
          absl::StrCat("is not a sha256 digest (\"sha256:\" and 64 lowercase "
                       "hex digits): ",
                       internal::QuoteForError((*diff_ids)[i])));
    }
  }
  return absl::OkStatus();
}

absl::Status ParseHistory(const ObjectReader& top,
                          std::vector<ConfigHistory>* history) {
  const Json* entries = nullptr;
  RETURN_IF_ERROR(top.Array("history", &entries));
  if (entries == nullptr) return absl::OkStatus();
  for (size_t i = 0; i < entries->size(); ++i) {
    ASSIGN_OR_RETURN(ObjectReader entry,
                     ObjectReader::Open((*entries)[i], kWhat,
                                        absl::StrCat("history[", i, "]")));
    ConfigHistory step;
    bool has_created = false;
    RETURN_IF_ERROR(entry.Time("created", &step.created, &has_created));
    RETURN_IF_ERROR(entry.String("created_by", &step.created_by));
    RETURN_IF_ERROR(entry.String("author", &step.author));
    RETURN_IF_ERROR(entry.String("comment", &step.comment));
    RETURN_IF_ERROR(entry.Bool("empty_layer", &step.empty_layer));
    history->push_back(std::move(step));
  }
  return absl::OkStatus();
}

OrderedJson ListJson(const StringField& values) {
  OrderedJson list = OrderedJson::array();
  for (const std::string& value : values) list.push_back(value);
  return list;
}

// {"80/tcp": {}, ...}: Go's map[string]struct{}, keys sorted as Go does.
OrderedJson SetJson(const StringField& values) {
  OrderedJson set = OrderedJson::object();
  for (const std::string& value :
       std::set<std::string>(values.begin(), values.end())) {
    set[value] = OrderedJson::object();
  }
  return set;
}

OrderedJson HealthcheckJson(const types::v1::Healthcheck& health) {
  OrderedJson json = OrderedJson::object();
  if (health.test_size() > 0) json["Test"] = ListJson(health.test());
  auto put_duration = [&json](const char* key,
                              const google::protobuf::Duration& duration) {
    int64_t nanos = DurationNanos(duration);
    if (nanos != 0) json[key] = nanos;
  };
  put_duration("Interval", health.interval());
  put_duration("Timeout", health.timeout());
  put_duration("StartPeriod", health.start_period());
  put_duration("StartInterval", health.start_interval());
  if (health.retries() != 0) json["Retries"] = health.retries();
  return json;
}

OrderedJson RuntimeConfigJson(const image::v1::ImageConfig& config) {
  OrderedJson json = OrderedJson::object();
  if (!config.user().empty()) json["User"] = config.user();
  if (config.exposed_ports_size() > 0) {
    json["ExposedPorts"] = SetJson(config.exposed_ports());
  }
  if (config.env_size() > 0) json["Env"] = ListJson(config.env());
  if (config.entrypoint_size() > 0) {
    json["Entrypoint"] = ListJson(config.entrypoint());
  }
  if (config.cmd_size() > 0) json["Cmd"] = ListJson(config.cmd());
  if (config.volumes_size() > 0) json["Volumes"] = SetJson(config.volumes());
  if (!config.working_dir().empty()) json["WorkingDir"] = config.working_dir();
  if (!config.labels().empty()) {
    OrderedJson labels = OrderedJson::object();
    for (const auto& [key, value] : std::map<std::string, std::string>(
             config.labels().begin(), config.labels().end())) {
      labels[key] = value;
    }
    json["Labels"] = std::move(labels);
  }
  if (!config.stop_signal().empty()) json["StopSignal"] = config.stop_signal();
  if (config.has_healthcheck()) {
    json["Healthcheck"] = HealthcheckJson(config.healthcheck());
  }
  if (config.shell_size() > 0) json["Shell"] = ListJson(config.shell());
  if (config.on_build_size() > 0) json["OnBuild"] = ListJson(config.on_build());
  if (config.args_escaped()) json["ArgsEscaped"] = true;
  return json;
}

OrderedJson HistoryJson(const ConfigHistory& step) {
  OrderedJson json = OrderedJson::object();
  if (step.created != absl::InfinitePast()) {
    json["created"] = internal::FormatTime(step.created);
  }
  if (!step.author.empty()) json["author"] = step.author;
  if (!step.created_by.empty()) json["created_by"] = step.created_by;
  if (!step.comment.empty()) json["comment"] = step.comment;
  if (step.empty_layer) json["empty_layer"] = true;
  return json;
}

}  // namespace

bool operator==(const ConfigHistory& a, const ConfigHistory& b) {
  return a.created == b.created && a.created_by == b.created_by &&
         a.author == b.author && a.comment == b.comment &&
         a.empty_layer == b.empty_layer;
}

absl::StatusOr<ImageConfigDoc> ParseImageConfig(absl::string_view json) {
  ASSIGN_OR_RETURN(Json root, internal::ParseJson(json, kWhat));
  ASSIGN_OR_RETURN(ObjectReader top, ObjectReader::Open(root, kWhat, ""));
  ImageConfigDoc doc;
  RETURN_IF_ERROR(top.String("architecture", &doc.architecture));
  RETURN_IF_ERROR(top.String("os", &doc.os));
  RETURN_IF_ERROR(top.String("variant", &doc.variant));
  RETURN_IF_ERROR(top.String("os.version", &doc.os_version));
  RETURN_IF_ERROR(top.Time("created", &doc.created, &doc.has_created));
  RETURN_IF_ERROR(top.String("author", &doc.author));
  RETURN_IF_ERROR(top.String("comment", &doc.comment));
  RETURN_IF_ERROR(top.String("container", &doc.container));
  RETURN_IF_ERROR(top.String("docker_version", &doc.docker_version));
  std::optional<ObjectReader> config;
  RETURN_IF_ERROR(top.Object("config", &config));
  if (config.has_value()) {
    RETURN_IF_ERROR(ParseRuntimeConfig(*config, &doc.config));
  }
  RETURN_IF_ERROR(ParseRootFs(top, &doc.diff_ids));
  RETURN_IF_ERROR(ParseHistory(top, &doc.history));
  return doc;
}

std::string SerializeImageConfig(const ImageConfigDoc& doc) {
  // Top-level keys in the sorted order Docker writes them in.
  OrderedJson json = OrderedJson::object();
  json["architecture"] = doc.architecture;
  if (!doc.author.empty()) json["author"] = doc.author;
  if (!doc.comment.empty()) json["comment"] = doc.comment;
  json["config"] = RuntimeConfigJson(doc.config);
  if (!doc.container.empty()) json["container"] = doc.container;
  if (doc.has_created) json["created"] = internal::FormatTime(doc.created);
  if (!doc.docker_version.empty()) json["docker_version"] = doc.docker_version;
  if (!doc.history.empty()) {
    OrderedJson history = OrderedJson::array();
    for (const ConfigHistory& step : doc.history) {
      history.push_back(HistoryJson(step));
    }
    json["history"] = std::move(history);
  }
  json["os"] = doc.os;
  if (!doc.os_version.empty()) json["os.version"] = doc.os_version;
  OrderedJson rootfs = OrderedJson::object();
  rootfs["type"] = "layers";
  if (!doc.diff_ids.empty()) {
    OrderedJson diff_ids = OrderedJson::array();
    for (const std::string& diff_id : doc.diff_ids) diff_ids.push_back(diff_id);
    rootfs["diff_ids"] = std::move(diff_ids);
  }
  json["rootfs"] = std::move(rootfs);
  if (!doc.variant.empty()) json["variant"] = doc.variant;
  return internal::DumpJson(json);
}

}  // namespace berth::imaged::formats
