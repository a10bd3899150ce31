// What Docker's CLI does around a `--format` template (docker/cli's
// formatter.Context, inspect.TemplateInspector, version and info), so that
// every Berth command with --format/-f behaves alike: the same unescaping,
// `table` and `json` directives, tabwriter layouts, outputs and error words.
#ifndef BERTH_CTL_CLI_DOCKER_TEMPLATE_H_
#define BERTH_CTL_CLI_DOCKER_TEMPLATE_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ctl/cli/template.h"
#include "nlohmann/json.hpp"

namespace berth::ctl {

// Docker's templateString: a leading "table" dropped, spaces (only) trimmed
// at both ends, and "\t" and "\n" written as two characters made a tab and
// a newline. "json" alone is "{{json .}}".
std::string DockerTemplateText(absl::string_view format);

// True for "table" and "table TEMPLATE".
bool IsTableFormat(absl::string_view format);

// One row of a listing: what its template sees (and `{{json .}}` prints)
// and the methods of the row (`{{.Label "k"}}`).
struct TemplateRow {
  nlohmann::ordered_json fields;
  TemplateMethods methods;
};

struct ListTemplate {
  std::string format;             // as the user gave it (not "" nor "table")
  nlohmann::ordered_json header;  // field name -> column title
  std::string row_type;           // Go type of a row, for messages
};

// A listing through its template, as Docker's formatter.Context writes it:
// each row followed by "\n"; for "table ..." the header line first
// (the template over `header` with Docker's header functions, errors
// ignored) and everything through the tabwriter (min width 10, padding 3).
// INVALID_ARGUMENT "template parsing error: ..." when the template does not
// parse or a row fails (Docker words both so).
absl::StatusOr<std::string> RenderListTemplate(
    const ListTemplate& list, const std::vector<TemplateRow>& rows);

// Checks a listing's template before the daemon is asked, as `docker ps`
// does: "failed to parse template: ..." or, executed over `empty_row`,
// "failed to execute template: ...".
absl::Status ValidateListTemplate(const ListTemplate& list,
                                  const TemplateRow& empty_row);

// Docker's TemplateInspector (inspect, image inspect, container inspect):
// each item through the template as a typed object; when that fails, again
// over the raw JSON (objects as maps, missing keys an error) as Docker's
// fallback does. `out` gets each item's text and "\n" (just "\n" when no
// item printed); `errors` gets "template parsing error: ..." per failed
// item. Parse errors are returned (Docker exits 64 for them).
absl::Status RenderInspectTemplate(
    absl::string_view format, const std::vector<nlohmann::ordered_json>& items,
    std::string* out, std::vector<absl::Status>* errors);

// The JSON array inspect prints: 4-space indent, Go's escaping, "[]" when
// nothing was found; ends with a newline.
std::string RenderInspectArray(const std::vector<nlohmann::ordered_json>& items);

// What an inspect prints for what it found: the JSON array without a
// format (or with "json"), else RenderInspectTemplate's text, whose parse
// error is returned. Call it with no items first to refuse a bad template
// before any lookup, as Docker does.
absl::Status RenderInspected(absl::string_view format,
                             const std::vector<nlohmann::ordered_json>& items,
                             std::string* out, std::vector<absl::Status>* errors);

// `version --format` and `info --format`: the template (named `name`:
// "version" or "") over one document, then "\n"; `version` runs it through
// a tabwriter (min width 20, padding 1) as Docker does. On an execution
// error `out` holds what printed and the error is returned as Go words it;
// a parse error is "template parsing error: ..." and sets *parse_error
// (Docker exits 64 for it).
absl::StatusOr<std::string> RenderDocumentTemplate(
    absl::string_view format, absl::string_view name,
    const nlohmann::ordered_json& document, bool tabwriter,
    std::string* partial, bool* parse_error);

}  // namespace berth::ctl

#endif  // BERTH_CTL_CLI_DOCKER_TEMPLATE_H_
