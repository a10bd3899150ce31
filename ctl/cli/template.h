// Go's text/template, as Docker's `--format`/`-f` strings use it, over JSON
// data: text and actions with pipelines, parentheses, variables
// (`$x := ...`, `$x = ...`, `$`), `if`/`else if`/`else`, `range` (arrays,
// maps in key order, integers; `$i, $v :=`; `break`, `continue`), `with`,
// comments, trim markers, literals; Go's builtins (and, or, not, len,
// index, slice, eq, ne, lt, le, gt, ge, print, printf, println, html, js,
// urlquery) and Docker's (json, join, split, lower, upper, title, pad,
// truncate). `define`/`template`/`block` are not supported.
//
// Go tells structs from maps, JSON does not. The evaluator takes an
// object for a struct unless it was reached through a field named in
// TemplateShapes::maps, so that, as in Docker:
//   {{.Config.NoSuchField}}  -> error "can't evaluate field NoSuchField"
//   {{.Config.Labels.nokey}} -> "<no value>"
// and prints a JSON null as the Go zero value of the field's type: "[]" for
// a slice named in TemplateShapes::slices, "map[]" for a map, "<nil>" for
// anything else (a nil pointer).
#ifndef BERTH_CTL_CLI_TEMPLATE_H_
#define BERTH_CTL_CLI_TEMPLATE_H_

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace berth::ctl {

namespace template_internal {
struct Tree;
}  // namespace template_internal

// The Go kind a JSON value stands for, where JSON cannot tell.
enum class GoKind : uint8_t {
  kPointer,      // objects are structs, null is a nil pointer: "<nil>"
  kMap,          // objects are maps, null a nil map: "map[]"
  kSlice,        // null is a nil slice: "[]"
  kString,       // a string ("" when absent)
  kEmptyStruct,  // struct{}, the values of Docker's set-like maps: "{}"
  kInterface,    // anything (raw JSON decoded into interface{})
};

// Which fields of the data are Go maps and slices (see the top comment).
struct TemplateShapes {
  // Map-typed fields, by name ("Labels") or by "Parent.Name" where the name
  // alone is ambiguous ("LogConfig.Config": Config is a struct elsewhere),
  // with the kind of their values (what `index` gives for a missing key).
  std::map<std::string, GoKind, std::less<>> maps;
  // Slice-typed fields whose null prints "[]".
  std::set<std::string, std::less<>> slices;

  // The shapes of Docker's API objects (containers, images, networks,
  // volumes, version, info) and of its list rows.
  static const TemplateShapes& Docker();
};

// A method of the data's root object, as Docker's list rows have them
// (`{{.Label "com.example.k"}}` on `ps` rows): called for `.Name ARGS`
// when the root has it, before any field of that name.
using TemplateMethod = std::function<absl::StatusOr<nlohmann::ordered_json>(
    const std::vector<nlohmann::ordered_json>& args)>;
using TemplateMethods = std::map<std::string, TemplateMethod>;

// The `Label` method of Docker's list rows (containers, images, networks,
// volumes): `{{.Label "k"}}` is the value of label k, "" when unset.
TemplateMethods LabelMethods(std::map<std::string, std::string> labels);

struct TemplateOptions {
  const TemplateShapes* shapes = &TemplateShapes::Docker();
  // Every object is a map and every number prints as written: the data as
  // Go's json.Unmarshal into interface{} gives it (Docker's raw inspect).
  bool raw_json = false;
  // Go's Option("missingkey=error"): a missing map key is an error
  // ("map has no entry for key").
  bool missing_key_error = false;
  // The Go type named in "can't evaluate field X in type T" for the root.
  std::string root_type = "struct";
  const TemplateMethods* methods = nullptr;  // the root's, may be null
  // Docker's table headers: json, split, join, title, lower, upper and
  // truncate return their first argument.
  bool header_functions = false;
  // `json` of the root escapes "<", ">" and "&" (\u003c...): Docker's list
  // rows marshal themselves with json.Marshal, which does.
  bool root_json_escapes_html = false;
};

class Template {
 public:
  // INVALID_ARGUMENT with Go's message, "template: NAME:LINE: ...", for a
  // malformed template. `name` is "" for Docker's formats, "version" for
  // `version --format`.
  static absl::StatusOr<Template> Parse(absl::string_view text,
                                        absl::string_view name = "");

  // Runs the template over `data`, appending to *out; on an error what was
  // printed before it stays in *out (as Go's writer keeps it). The error is
  // INVALID_ARGUMENT with Go's message: `template: :1:2: executing "" at
  // <.Foo>: can't evaluate field Foo in type struct`.
  absl::Status ExecuteTo(const nlohmann::ordered_json& data,
                         const TemplateOptions& options,
                         std::string* out) const;
  absl::StatusOr<std::string> Execute(
      const nlohmann::ordered_json& data,
      const TemplateOptions& options = TemplateOptions()) const;

 private:
  std::shared_ptr<const template_internal::Tree> tree_;
};

}  // namespace berth::ctl

#endif  // BERTH_CTL_CLI_TEMPLATE_H_
