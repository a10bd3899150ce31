#include "services/imaged/formats/json_util.h"

#include <limits>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "services/imaged/formats/media_types.h"

namespace berth::imaged::formats::internal {
namespace {

// nlohmann's parser keeps its own stack, but walking and destroying a deep
// tree recurses; a linear scan bounds the depth before anything is built.
bool NestingWithin(absl::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return false;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return true;
}

// nlohmann prefixes its messages with "[json.exception.parse_error.101] ".
absl::string_view WithoutExceptionId(absl::string_view message) {
  if (!message.empty() && message.front() == '[') {
    size_t end = message.find("] ");
    if (end != absl::string_view::npos) return message.substr(end + 2);
  }
  return message;
}

}  // namespace

absl::StatusOr<Json> ParseJson(absl::string_view text, absl::string_view what) {
  if (text.size() > kMaxJsonDocumentSize) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": document is ", text.size(),
                     " bytes, more than the limit of ", kMaxJsonDocumentSize));
  }
  if (!NestingWithin(text, kMaxJsonDepth)) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, ": JSON is nested deeper than ", kMaxJsonDepth, " levels"));
  }
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": invalid JSON: ", WithoutExceptionId(e.what())));
  }
}

std::string DumpJson(const OrderedJson& value) {
  return value.dump(-1, ' ', /*ensure_ascii=*/false,
                    OrderedJson::error_handler_t::replace);
}

std::string FormatTime(absl::Time time) {
  static const absl::Time kMin =
      absl::FromCivil(absl::CivilSecond(1, 1, 1, 0, 0, 0), absl::UTCTimeZone());
  static const absl::Time kMax =
      absl::FromCivil(absl::CivilSecond(9999, 12, 31, 23, 59, 59),
                      absl::UTCTimeZone()) +
      absl::Nanoseconds(999999999);
  if (time < kMin) time = kMin;
  if (time > kMax) time = kMax;
  // absl::Time is finer than a nanosecond; Go's format stops there.
  time = absl::UnixEpoch() +
         absl::Floor(time - absl::UnixEpoch(), absl::Nanoseconds(1));
  return absl::FormatTime("%4Y-%m-%dT%H:%M:%E*SZ", time, absl::UTCTimeZone());
}

bool ParseTime(absl::string_view text, absl::Time* time) {
  std::string error;
  return absl::ParseTime(absl::RFC3339_full, std::string(text), time, &error);
}

std::string QuoteForError(absl::string_view text) {
  constexpr size_t kMaxQuoted = 128;
  if (text.size() <= kMaxQuoted) {
    return absl::StrCat("\"", absl::CHexEscape(text), "\"");
  }
  return absl::StrCat("\"", absl::CHexEscape(text.substr(0, kMaxQuoted)),
                      "...\"");
}

std::string TypeName(const Json& value) { return value.type_name(); }

ObjectReader::ObjectReader(const Json* object, absl::string_view what,
                           std::string path)
    : object_(object), what_(what), path_(std::move(path)) {}

absl::StatusOr<ObjectReader> ObjectReader::Open(const Json& value,
                                                absl::string_view what,
                                                std::string path) {
  if (!value.is_object()) {
    if (path.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, ": must be a JSON object, not ", TypeName(value)));
    }
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": field ", QuoteForError(path),
                     " must be an object, not ", TypeName(value)));
  }
  return ObjectReader(&value, what, std::move(path));
}

std::string ObjectReader::FieldPath(absl::string_view key) const {
  if (path_.empty()) return std::string(key);
  return absl::StrCat(path_, ".", key);
}

absl::Status ObjectReader::Error(absl::string_view key,
                                 absl::string_view message) const {
  // Keys come from the input; QuoteForError keeps a hostile one short.
  return absl::InvalidArgumentError(absl::StrCat(
      what_, ": field ", QuoteForError(FieldPath(key)), " ", message));
}

const Json* ObjectReader::Find(const char* key) const {
  auto it = object_->find(key);
  if (it == object_->end() || it->is_null()) return nullptr;
  return &*it;
}

absl::Status ObjectReader::String(const char* key, std::string* out) const {
  const Json* value = Find(key);
  if (value == nullptr) return absl::OkStatus();
  if (!value->is_string()) {
    return Error(key, absl::StrCat("must be a string, not ", TypeName(*value)));
  }
  *out = value->get<std::string>();
  return absl::OkStatus();
}

absl::Status ObjectReader::RequiredString(const char* key,
                                          std::string* out) const {
  if (Find(key) == nullptr) return Error(key, "is missing");
  std::string value;
  if (absl::Status status = String(key, &value); !status.ok()) return status;
  if (value.empty()) return Error(key, "is empty");
  *out = std::move(value);
  return absl::OkStatus();
}

absl::Status ObjectReader::Bool(const char* key, bool* out) const {
  const Json* value = Find(key);
  if (value == nullptr) return absl::OkStatus();
  if (!value->is_boolean()) {
    return Error(key,
                 absl::StrCat("must be a boolean, not ", TypeName(*value)));
  }
  *out = value->get<bool>();
  return absl::OkStatus();
}

absl::Status ObjectReader::Int64(const char* key, int64_t* out) const {
  const Json* value = Find(key);
  if (value == nullptr) return absl::OkStatus();
  if (!value->is_number_integer()) {
    return Error(key,
                 absl::StrCat("must be an integer, not ", TypeName(*value)));
  }
  if (value->is_number_unsigned()) {
    uint64_t unsigned_value = value->get<uint64_t>();
    if (unsigned_value >
        static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return Error(key, "is too large");
    }
    *out = static_cast<int64_t>(unsigned_value);
  } else {
    *out = value->get<int64_t>();
  }
  return absl::OkStatus();
}

absl::Status ObjectReader::StringList(const char* key,
                                      std::vector<std::string>* out) const {
  const Json* value = Find(key);
  if (value == nullptr) return absl::OkStatus();
  if (!value->is_array()) {
    return Error(key, absl::StrCat("must be an array of strings, not ",
                                   TypeName(*value)));
  }
  std::vector<std::string> list;
  list.reserve(value->size());
  for (size_t i = 0; i < value->size(); ++i) {
    const Json& element = (*value)[i];
    if (!element.is_string()) {
      return Error(absl::StrCat(key, "[", i, "]"),
                   absl::StrCat("must be a string, not ", TypeName(element)));
    }
    list.push_back(element.get<std::string>());
  }
  *out = std::move(list);
  return absl::OkStatus();
}

absl::Status ObjectReader::StringOrList(const char* key,
                                        std::vector<std::string>* out) const {
  const Json* value = Find(key);
  if (value != nullptr && value->is_string()) {
    *out = {value->get<std::string>()};
    return absl::OkStatus();
  }
  return StringList(key, out);
}

absl::Status ObjectReader::StringMap(
    const char* key, std::map<std::string, std::string>* out) const {
  const Json* value = Find(key);
  if (value == nullptr) return absl::OkStatus();
  if (!value->is_object()) {
    return Error(key, absl::StrCat("must be an object of strings, not ",
                                   TypeName(*value)));
  }
  std::map<std::string, std::string> map;
  for (const auto& [name, element] : value->items()) {
    if (element.is_null()) {
      map[name] = "";
    } else if (element.is_string()) {
      map[name] = element.get<std::string>();
    } else {
      return Error(absl::StrCat(key, ".", name),
                   absl::StrCat("must be a string, not ", TypeName(element)));
    }
  }
  *out = std::move(map);
  return absl::OkStatus();
}

absl::Status ObjectReader::KeySet(const char* key,
                                  std::vector<std::string>* out) const {
  const Json* value = Find(key);
  if (value == nullptr) return absl::OkStatus();
  if (!value->is_object()) {
    return Error(key,
                 absl::StrCat("must be an object, not ", TypeName(*value)));
  }
  std::vector<std::string> keys;
  for (const auto& [name, element] : value->items()) {
    if (!element.is_object() && !element.is_null()) {
      return Error(absl::StrCat(key, ".", name),
                   absl::StrCat("must be an object, not ", TypeName(element)));
    }
    keys.push_back(name);
  }
  *out = std::move(keys);
  return absl::OkStatus();
}

absl::Status ObjectReader::Time(const char* key, absl::Time* out,
                                bool* present) const {
  const Json* value = Find(key);
  if (value == nullptr) return absl::OkStatus();
  if (!value->is_string()) {
    return Error(key, absl::StrCat("must be an RFC 3339 time string, not ",
                                   TypeName(*value)));
  }
  const std::string& text = value->get_ref<const std::string&>();
  if (!ParseTime(text, out)) {
    return Error(
        key, absl::StrCat("is not an RFC 3339 time: ", QuoteForError(text)));
  }
  *present = true;
  return absl::OkStatus();
}

absl::Status ObjectReader::Object(const char* key,
                                  std::optional<ObjectReader>* out) const {
  const Json* value = Find(key);
  if (value == nullptr) {
    out->reset();
    return absl::OkStatus();
  }
  if (!value->is_object()) {
    return Error(key,
                 absl::StrCat("must be an object, not ", TypeName(*value)));
  }
  out->emplace(ObjectReader(value, what_, FieldPath(key)));
  return absl::OkStatus();
}

absl::Status ObjectReader::Array(const char* key, const Json** out) const {
  const Json* value = Find(key);
  if (value != nullptr && !value->is_array()) {
    return Error(key, absl::StrCat("must be an array, not ", TypeName(*value)));
  }
  *out = value;
  return absl::OkStatus();
}

}  // namespace berth::imaged::formats::internal
