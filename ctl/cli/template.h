// The part of Go's text/template that `--format` strings use in Docker:
// text with actions `{{.Field.Sub}}`, `{{json .Config}}`, `{{index .Labels
// "key"}}`, `{{join .Args " "}}`, `{{upper .Name}}`, `{{lower ...}}`,
// `{{split .X ","}}`, `{{len .Mounts}}`, `{{print ...}}`, `{{println ...}}`,
// pipelines (`{{.Name | upper}}`) and trim markers (`{{- x -}}`). No
// control structures (if/range). The data is JSON: fields are object keys.
#ifndef BERTH_CTL_CLI_TEMPLATE_H_
#define BERTH_CTL_CLI_TEMPLATE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace berth::ctl {

class Template {
 public:
  // INVALID_ARGUMENT "template parsing error: ..." for a malformed template.
  static absl::StatusOr<Template> Parse(absl::string_view text);

  // Runs the template over `data`. A missing key prints "<no value>", as Go
  // does for maps. INVALID_ARGUMENT for a field of a non-object, a bad
  // index or wrong arguments.
  absl::StatusOr<std::string> Execute(const nlohmann::ordered_json& data) const;

  struct Arg {
    enum Kind { kField, kString, kNumber, kFunction } kind;
    std::vector<std::string> path;  // kField: keys; empty for "."
    std::string text;               // kString, kNumber, kFunction
  };
  using Command = std::vector<Arg>;
  struct Node {
    std::string text;               // literal text when pipeline is empty
    std::vector<Command> pipeline;  // an action
    std::string source;             // the action as written, for errors
  };

 private:
  std::vector<Node> nodes_;
};

// Go's fmt %v of a JSON value as Docker's templates print it: strings bare,
// arrays "[a b]", objects "map[k:v]" (keys sorted), null "<nil>".
std::string GoPrint(const nlohmann::ordered_json& value);

// Docker's `--format` handling before a template is parsed: "\t" and "\n"
// written as two characters become a tab and a newline.
std::string UnescapeFormat(absl::string_view format);

// A listing's `--format`, as Docker's formatter runs it: "table TEMPLATE"
// prints the template over `header` as a header line, then over every row,
// aligned as a table (cells split at tabs); any other template prints each
// row followed by a newline. `format` has not been unescaped yet.
absl::StatusOr<std::string> RenderRows(
    absl::string_view format, const std::vector<nlohmann::ordered_json>& rows,
    const nlohmann::ordered_json& header);

}  // namespace berth::ctl

#endif  // BERTH_CTL_CLI_TEMPLATE_H_
