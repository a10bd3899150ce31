// The values a Go template works on, as the evaluator (template_exec.cc)
// and the functions (template_funcs.cc) see them, and Go's fmt printing of
// them. Internal to the template library.
//
// Data are JSON, but Go tells structs from maps and slices from nil
// pointers; a Value carries what the evaluator knows of that (see
// TemplateShapes in template.h): whether an object is a map, and how a
// JSON null prints (a nil slice "[]", a nil map "map[]", a nil pointer
// "<nil>"). A missing map key is Go's invalid value: "<no value>".
#ifndef BERTH_CTL_CLI_TEMPLATE_VALUE_H_
#define BERTH_CTL_CLI_TEMPLATE_VALUE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ctl/cli/template.h"
#include "nlohmann/json.hpp"

namespace berth::ctl::template_internal {

using Json = nlohmann::ordered_json;

// A value: borrowed from the data or owned (computed), with what is known
// of its Go type: its kind, the kind of its elements (maps and slices), and
// the field it was read from (for "Parent.Name" shapes).
class Value {
 public:
  Value() = default;  // Go's invalid value: "<no value>"
  static Value Borrow(const Json& json, GoKind kind = GoKind::kPointer,
                      GoKind elem = GoKind::kPointer) {
    Value v;
    v.missing_ = false;
    v.json_ = &json;
    v.kind_ = kind;
    v.elem_ = elem;
    return v;
  }
  static Value Own(Json json, GoKind kind = GoKind::kPointer,
                   GoKind elem = GoKind::kPointer) {
    Value v;
    v.owned_ = std::make_shared<const Json>(std::move(json));
    v.missing_ = false;
    v.json_ = v.owned_.get();
    v.kind_ = kind;
    v.elem_ = elem;
    return v;
  }
  // Go's zero value of a kind: what `index` of a missing key gives.
  static Value Zero(GoKind kind);

  bool missing() const { return missing_; }
  const Json& json() const { return missing_ ? Null() : *json_; }
  GoKind kind() const { return kind_; }
  GoKind elem() const { return elem_; }
  bool is_map() const {
    return !missing_ && (kind_ == GoKind::kMap || kind_ == GoKind::kInterface);
  }
  bool is_struct() const { return !missing_ && json_->is_object() && !is_map(); }
  absl::string_view field() const { return field_; }
  void set_field(absl::string_view field) { field_ = field; }

 private:
  static const Json& Null();
  bool missing_ = true;
  const Json* json_ = nullptr;
  std::shared_ptr<const Json> owned_;
  GoKind kind_ = GoKind::kPointer;
  GoKind elem_ = GoKind::kPointer;
  absl::string_view field_;
};

// Go's truth (if, with, and, or, not): false, 0, "", empty
// slices and maps, nil and missing values are false; structs are true.
bool IsTrue(const Value& value);

// fmt.Sprint of one value: "<no value>" for a missing one, strings bare,
// slices "[a b]", maps "map[k:v]" sorted by key, structs "{v1 v2}", nulls
// as their kind prints.
std::string Print(const Value& value);
std::string PrintJson(const Json& json, GoKind kind = GoKind::kPointer);

// Go's name for a value's type in messages: "string", "int", "bool",
// "float64", "[]interface {}", "map[string]interface {}", "struct".
std::string TypeName(const Value& value);

// fmt.Sprint, fmt.Sprintln and fmt.Sprintf over values.
std::string Sprint(const std::vector<Value>& args);
std::string Sprintln(const std::vector<Value>& args);
std::string Sprintf(absl::string_view format, const std::vector<Value>& args);

// A template function: builtin or Docker's. Errors are INVALID_ARGUMENT
// with the text after "error calling NAME: ".
using Function = absl::StatusOr<Value> (*)(const std::vector<Value>& args);

// The function named `name`, or nullptr. `header` gives Docker's
// HeaderFunctions instead (json, split, join, title, lower, upper and
// truncate return their first argument unchanged, so that a table's header
// shows the column names).
Function FindFunction(absl::string_view name, bool header);
bool IsFunctionName(absl::string_view name);

}  // namespace berth::ctl::template_internal

#endif  // BERTH_CTL_CLI_TEMPLATE_VALUE_H_
