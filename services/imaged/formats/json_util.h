// Internal to //services/imaged/formats: reading and writing the JSON of the
// image formats with nlohmann-json without letting an exception escape, and
// errors that name the offending field ("image config: field \"config.Env\"
// must be an array of strings, not number").
#ifndef BERTH_SERVICES_IMAGED_FORMATS_JSON_UTIL_H_
#define BERTH_SERVICES_IMAGED_FORMATS_JSON_UTIL_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace berth::imaged::formats::internal {

using Json = nlohmann::json;
// Keeps keys in insertion order, so writers choose Docker's key order.
using OrderedJson = nlohmann::ordered_json;

// Deepest nesting of arrays and objects accepted. The formats need 4 levels;
// the limit keeps hostile input from exhausting the stack.
inline constexpr int kMaxJsonDepth = 64;

// Parses `text` as one JSON document. `what` names the document in errors
// ("image config"). INVALID_ARGUMENT for invalid JSON, documents over
// kMaxJsonDocumentSize and nesting deeper than kMaxJsonDepth.
absl::StatusOr<Json> ParseJson(absl::string_view text, absl::string_view what);

// Compact JSON. Strings that are not valid UTF-8 get U+FFFD for the bad
// bytes instead of an exception.
std::string DumpJson(const OrderedJson& value);

// RFC 3339 in UTC with as many fractional digits as needed, up to
// nanoseconds, as Go's time.RFC3339Nano: "2024-01-02T03:04:05.123456789Z".
// Times outside years 0001..9999 are clamped to that range.
std::string FormatTime(absl::Time time);
// Parses RFC 3339 with any UTC offset and optional fractional seconds.
bool ParseTime(absl::string_view text, absl::Time* time);

// `text` in double quotes for an error message: C-escaped and cut to at most
// 128 bytes ("..." marks a cut), so hostile input cannot bloat a message.
std::string QuoteForError(absl::string_view text);

// "string", "number", "object", ... for error messages.
std::string TypeName(const Json& value);

// Typed access to the fields of one JSON object. Absent keys and JSON null
// leave the output unchanged, as Go's encoding/json does; a value of the
// wrong type is INVALID_ARGUMENT naming the field by its path.
class ObjectReader {
 public:
  // Fails unless `value` is an object. `path` names `value` inside the
  // document ("" for the root, "config", "history[2]").
  static absl::StatusOr<ObjectReader> Open(const Json& value,
                                           absl::string_view what,
                                           std::string path);

  // "config.Env" for key "Env" under path "config".
  std::string FieldPath(absl::string_view key) const;
  // INVALID_ARGUMENT: `<what>: field "<path.key>" <message>`.
  absl::Status Error(absl::string_view key, absl::string_view message) const;
  // Whether `key` is there at all (null counts).
  bool Has(const char* key) const { return object_->contains(key); }
  // The value at `key`, or nullptr when it is absent or null.
  const Json* Find(const char* key) const;

  absl::Status String(const char* key, std::string* out) const;
  // As String, but absent, null or "" is an error.
  absl::Status RequiredString(const char* key, std::string* out) const;
  absl::Status Bool(const char* key, bool* out) const;
  // Integers only (no fractions, no exponents beyond int64).
  absl::Status Int64(const char* key, int64_t* out) const;
  absl::Status StringList(const char* key, std::vector<std::string>* out) const;
  // Docker's StrSlice: an array of strings, or one string as a list of one.
  absl::Status StringOrList(const char* key,
                            std::vector<std::string>* out) const;
  // An object of strings (null values read as "", as Go does).
  absl::Status StringMap(const char* key,
                         std::map<std::string, std::string>* out) const;
  // An object used as a set, {"80/tcp": {}}: its keys, sorted. Values must
  // be objects (or null).
  absl::Status KeySet(const char* key, std::vector<std::string>* out) const;
  // An RFC 3339 string. *present is set when the field was there.
  absl::Status Time(const char* key, absl::Time* out, bool* present) const;
  // A nested object; nullopt when absent or null.
  absl::Status Object(const char* key, std::optional<ObjectReader>* out) const;
  // An array; *out is nullptr when absent or null.
  absl::Status Array(const char* key, const Json** out) const;

  const std::string& what() const { return what_; }

 private:
  ObjectReader(const Json* object, absl::string_view what, std::string path);

  const Json* object_;
  std::string what_;
  std::string path_;
};

}  // namespace berth::imaged::formats::internal

#endif  // BERTH_SERVICES_IMAGED_FORMATS_JSON_UTIL_H_
