#include "ctl/cli/docker_template.h"

#include "ctl/cli/format.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "ctl/cli/tabwriter.h"

namespace berth::ctl {
namespace {

using nlohmann::ordered_json;

absl::Status Prefixed(absl::string_view prefix, const absl::Status& status) {
  return absl::InvalidArgumentError(absl::StrCat(prefix, status.message()));
}

absl::StatusOr<Template> ParseDockerFormat(absl::string_view format,
                                           absl::string_view name = "") {
  return Template::Parse(DockerTemplateText(format), name);
}

}  // namespace

bool IsTableFormat(absl::string_view format) {
  return absl::StartsWith(format, "table");
}

std::string DockerTemplateText(absl::string_view format) {
  if (format == "json") return "{{json .}}";
  if (format == "table") return "";
  absl::ConsumePrefix(&format, "table");
  while (!format.empty() && format.front() == ' ') format.remove_prefix(1);
  while (!format.empty() && format.back() == ' ') format.remove_suffix(1);
  return absl::StrReplaceAll(format, {{"\\t", "\t"}, {"\\n", "\n"}});
}

absl::StatusOr<std::string> RenderListTemplate(
    const ListTemplate& list, const std::vector<TemplateRow>& rows) {
  absl::StatusOr<Template> tmpl = ParseDockerFormat(list.format);
  if (!tmpl.ok()) return Prefixed("template parsing error: ", tmpl.status());
  std::string body;
  TemplateOptions options;
  options.root_type = list.row_type;
  options.root_json_escapes_html = true;
  for (const TemplateRow& row : rows) {
    options.methods = &row.methods;
    absl::Status status = tmpl->ExecuteTo(row.fields, options, &body);
    if (!status.ok()) return Prefixed("template parsing error: ", status);
    body += '\n';
  }
  if (!IsTableFormat(list.format)) return body;
  TemplateOptions header_options;
  header_options.header_functions = true;
  std::string text;
  // Docker ignores a header's errors and keeps what printed before them.
  (void)tmpl->ExecuteTo(list.header, header_options, &text);
  text += '\n';
  text += body;
  return GoTabwrite(text, 10, 3);
}

absl::Status ValidateListTemplate(const ListTemplate& list,
                                  const TemplateRow& empty_row) {
  absl::StatusOr<Template> tmpl = ParseDockerFormat(list.format);
  if (!tmpl.ok()) return Prefixed("failed to parse template: ", tmpl.status());
  TemplateOptions options;
  options.root_type = list.row_type;
  options.root_json_escapes_html = true;
  options.methods = &empty_row.methods;
  std::string discarded;
  absl::Status status = tmpl->ExecuteTo(empty_row.fields, options, &discarded);
  if (!status.ok()) return Prefixed("failed to execute template: ", status);
  return absl::OkStatus();
}

absl::Status RenderInspectTemplate(absl::string_view format,
                                   const std::vector<ordered_json>& items,
                                   std::string* out,
                                   std::vector<absl::Status>* errors) {
  // Inspect takes the format as given: no "table", no unescaping.
  absl::StatusOr<Template> tmpl = Template::Parse(format);
  if (!tmpl.ok()) return Prefixed("template parsing error: ", tmpl.status());
  std::string printed;
  for (const ordered_json& item : items) {
    std::string text;
    absl::Status typed = tmpl->ExecuteTo(item, TemplateOptions(), &text);
    if (!typed.ok()) {
      TemplateOptions raw;
      raw.raw_json = true;
      raw.missing_key_error = true;
      text.clear();
      absl::Status fallback = tmpl->ExecuteTo(item, raw, &text);
      if (!fallback.ok()) {
        errors->push_back(Prefixed("template parsing error: ", fallback));
        continue;
      }
    }
    absl::StrAppend(&printed, text, "\n");
  }
  *out = printed.empty() ? "\n" : printed;
  return absl::OkStatus();
}

absl::StatusOr<std::string> RenderDocumentTemplate(
    absl::string_view format, absl::string_view name,
    const ordered_json& document, bool tabwriter, std::string* partial,
    bool* parse_error) {
  *parse_error = false;
  absl::StatusOr<Template> tmpl = Template::Parse(
      format == "json" ? "{{json .}}" : std::string(format), name);
  if (!tmpl.ok()) {
    *parse_error = true;
    return Prefixed("template parsing error: ", tmpl.status());
  }
  std::string text;
  absl::Status status = tmpl->ExecuteTo(document, TemplateOptions(), &text);
  text += '\n';
  if (tabwriter) text = GoTabwrite(text, 20, 1);
  if (!status.ok()) {
    *partial = std::move(text);
    return status;
  }
  return text;
}

std::string RenderInspectArray(const std::vector<nlohmann::ordered_json>& items) {
  if (items.empty()) return "[]\n";
  nlohmann::ordered_json array = items;
  return absl::StrCat(GoJsonEscape(array.dump(
                          4, ' ', false,
                          nlohmann::ordered_json::error_handler_t::replace)),
                      "\n");
}

absl::Status RenderInspected(absl::string_view format,
                             const std::vector<nlohmann::ordered_json>& items,
                             std::string* out, std::vector<absl::Status>* errors) {
  if (format.empty() || format == "json") {
    *out = RenderInspectArray(items);
    return absl::OkStatus();
  }
  return RenderInspectTemplate(format, items, out, errors);
}

}  // namespace berth::ctl
