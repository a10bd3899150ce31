#include "ctl/cli/template.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "ctl/cli/format.h"

namespace berth::ctl {
namespace {

using nlohmann::ordered_json;

absl::Status ParseError(absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("template parsing error: template: :1: ", what));
}

absl::Status ExecError(absl::string_view source, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(
      "template: :1: executing \"\" at <", source, ">: ", what));
}

bool IsFunction(absl::string_view name) {
  static constexpr const char* kFunctions[] = {
      "json", "index", "join", "upper", "lower", "split",
      "len",  "print", "println", "title"};
  for (const char* function : kFunctions) {
    if (name == function) return true;
  }
  return false;
}

// Splits an action's text into words: quoted strings stay whole, "|"
// stands alone.
absl::StatusOr<std::vector<std::string>> Words(absl::string_view text) {
  std::vector<std::string> words;
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == '|') {
      words.push_back("|");
      ++i;
    } else if (c == '"' || c == '`') {
      std::string word(1, '"');
      size_t j = i + 1;
      for (; j < text.size() && text[j] != c; ++j) {
        if (c == '"' && text[j] == '\\' && j + 1 < text.size()) {
          const char e = text[++j];
          word += e == 'n' ? '\n' : e == 't' ? '\t' : e;
        } else {
          word += text[j];
        }
      }
      if (j >= text.size()) return ParseError("unterminated quoted string");
      words.push_back(std::move(word));
      i = j + 1;
    } else {
      size_t j = i;
      while (j < text.size() &&
             !std::isspace(static_cast<unsigned char>(text[j])) &&
             text[j] != '|') {
        ++j;
      }
      words.emplace_back(text.substr(i, j - i));
      i = j;
    }
  }
  return words;
}

absl::StatusOr<Template::Arg> ParseArg(const std::string& word) {
  Template::Arg arg{Template::Arg::kString, {}, ""};
  if (word[0] == '"') {
    arg.text = word.substr(1);
    return arg;
  }
  if (word[0] == '.') {
    arg.kind = Template::Arg::kField;
    if (word != ".") {
      for (absl::string_view key : absl::StrSplit(word.substr(1), '.')) {
        if (key.empty()) return ParseError(absl::StrCat("bad field ", word));
        arg.path.emplace_back(key);
      }
    }
    return arg;
  }
  int64_t number = 0;
  if (absl::SimpleAtoi(word, &number)) {
    arg.kind = Template::Arg::kNumber;
    arg.text = word;
    return arg;
  }
  if (IsFunction(word)) {
    arg.kind = Template::Arg::kFunction;
    arg.text = word;
    return arg;
  }
  return ParseError(absl::StrCat("function \"", word, "\" not defined"));
}

std::string Dump(const ordered_json& value) {
  return value.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

// Go's %v spacing for print: a space between operands when neither is a
// string.
std::string GoSprint(const std::vector<ordered_json>& values) {
  std::string out;
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0 && !values[i].is_string() && !values[i - 1].is_string()) {
      out += ' ';
    }
    out += GoPrint(values[i]);
  }
  return out;
}

absl::StatusOr<ordered_json> Call(const std::string& name,
                                  const std::vector<ordered_json>& args,
                                  absl::string_view source) {
  auto want = [&](size_t n) -> absl::Status {
    if (args.size() == n) return absl::OkStatus();
    return ExecError(source,
                     absl::StrCat("wrong number of args for ", name,
                                  ": want ", n, " got ", args.size()));
  };
  if (name == "json") {
    if (absl::Status s = want(1); !s.ok()) return s;
    return ordered_json(Dump(args[0]));
  }
  if (name == "print") return ordered_json(GoSprint(args));
  if (name == "println") {
    std::string out;
    for (size_t i = 0; i < args.size(); ++i) {
      absl::StrAppend(&out, i > 0 ? " " : "", GoPrint(args[i]));
    }
    return ordered_json(out + "\n");
  }
  if (name == "len") {
    if (absl::Status s = want(1); !s.ok()) return s;
    if (args[0].is_string()) {
      return ordered_json(args[0].get<std::string>().size());
    }
    if (args[0].is_array() || args[0].is_object()) {
      return ordered_json(args[0].size());
    }
    if (args[0].is_null()) return ordered_json(0);
    return ExecError(source, "len of a value that has no length");
  }
  if (name == "index") {
    if (args.empty()) return ExecError(source, "index needs arguments");
    ordered_json value = args[0];
    for (size_t i = 1; i < args.size(); ++i) {
      if (value.is_object() && args[i].is_string()) {
        auto it = value.find(args[i].get<std::string>());
        value = it == value.end() ? ordered_json() : *it;
      } else if (value.is_array() && args[i].is_number_integer()) {
        const int64_t n = args[i].get<int64_t>();
        if (n < 0 || static_cast<size_t>(n) >= value.size()) {
          return ExecError(source, absl::StrCat("index out of range: ", n));
        }
        value = value[static_cast<size_t>(n)];
      } else if (value.is_null()) {
        value = ordered_json();
      } else {
        return ExecError(source, "can't index item");
      }
    }
    return value;
  }
  if (name == "join") {
    if (absl::Status s = want(2); !s.ok()) return s;
    if (!args[1].is_string() || !(args[0].is_array() || args[0].is_null())) {
      return ExecError(source, "join wants a list and a separator");
    }
    std::vector<std::string> parts;
    if (args[0].is_array()) {
      for (const ordered_json& item : args[0]) parts.push_back(GoPrint(item));
    }
    return ordered_json(absl::StrJoin(parts, args[1].get<std::string>()));
  }
  if (name == "split") {
    if (absl::Status s = want(2); !s.ok()) return s;
    if (!args[0].is_string() || !args[1].is_string()) {
      return ExecError(source, "split wants two strings");
    }
    std::vector<std::string> parts = absl::StrSplit(
        args[0].get<std::string>(), args[1].get<std::string>());
    return ordered_json(parts);
  }
  // upper, lower, title: one string.
  if (absl::Status s = want(1); !s.ok()) return s;
  std::string text = GoPrint(args[0]);
  if (name == "upper") return ordered_json(absl::AsciiStrToUpper(text));
  if (name == "lower") return ordered_json(absl::AsciiStrToLower(text));
  bool start = true;
  for (char& c : text) {
    if (start) c = absl::ascii_toupper(c);
    start = std::isspace(static_cast<unsigned char>(c));
  }
  return ordered_json(text);
}

absl::StatusOr<ordered_json> Evaluate(const Template::Arg& arg,
                                      const ordered_json& data,
                                      absl::string_view source) {
  switch (arg.kind) {
    case Template::Arg::kString:
      return ordered_json(arg.text);
    case Template::Arg::kNumber: {
      int64_t number = 0;
      (void)absl::SimpleAtoi(arg.text, &number);
      return ordered_json(number);
    }
    case Template::Arg::kFunction:
      return Call(arg.text, {}, source);
    case Template::Arg::kField:
      break;
  }
  const ordered_json* value = &data;
  static const ordered_json kMissing = ordered_json();
  for (const std::string& key : arg.path) {
    if (value->is_null()) return kMissing;
    if (!value->is_object()) {
      return ExecError(source, absl::StrCat("can't evaluate field ", key,
                                            " in type ", value->type_name()));
    }
    auto it = value->find(key);
    if (it == value->end()) return ordered_json("<no value>");
    value = &*it;
  }
  return *value;
}

}  // namespace

std::string GoPrint(const ordered_json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return "<nil>";
  if (value.is_array()) {
    std::vector<std::string> items;
    for (const ordered_json& item : value) items.push_back(GoPrint(item));
    return absl::StrCat("[", absl::StrJoin(items, " "), "]");
  }
  if (value.is_object()) {
    std::map<std::string, std::string> sorted;
    for (auto it = value.begin(); it != value.end(); ++it) {
      sorted[it.key()] = GoPrint(it.value());
    }
    std::vector<std::string> items;
    for (const auto& [key, item] : sorted) {
      items.push_back(absl::StrCat(key, ":", item));
    }
    return absl::StrCat("map[", absl::StrJoin(items, " "), "]");
  }
  return Dump(value);
}

std::string UnescapeFormat(absl::string_view format) {
  return absl::StrReplaceAll(format, {{"\\t", "\t"}, {"\\n", "\n"}});
}

absl::StatusOr<Template> Template::Parse(absl::string_view text) {
  Template out;
  size_t pos = 0;
  bool trim_next = false;
  while (pos <= text.size()) {
    const size_t open = text.find("{{", pos);
    std::string literal(text.substr(
        pos, open == absl::string_view::npos ? absl::string_view::npos
                                             : open - pos));
    if (trim_next) literal = std::string(absl::StripLeadingAsciiWhitespace(literal));
    if (open == absl::string_view::npos) {
      if (!literal.empty()) out.nodes_.push_back({literal, {}, ""});
      break;
    }
    const size_t close = text.find("}}", open + 2);
    if (close == absl::string_view::npos) return ParseError("unclosed action");
    absl::string_view action = text.substr(open + 2, close - open - 2);
    if (absl::StartsWith(action, "- ") || action == "-") {
      literal = std::string(absl::StripTrailingAsciiWhitespace(literal));
      action.remove_prefix(1);
    }
    trim_next = false;
    if (absl::EndsWith(action, " -")) {
      trim_next = true;
      action.remove_suffix(1);
    }
    if (!literal.empty()) out.nodes_.push_back({literal, {}, ""});
    absl::StatusOr<std::vector<std::string>> words = Words(action);
    if (!words.ok()) return words.status();
    if (words->empty()) return ParseError("missing value for command");
    Node node;
    node.source = std::string(absl::StripAsciiWhitespace(action));
    node.pipeline.emplace_back();
    for (const std::string& word : *words) {
      if (word == "|") {
        if (node.pipeline.back().empty()) return ParseError("missing command");
        node.pipeline.emplace_back();
        continue;
      }
      if (word == "if" || word == "range" || word == "end" ||
          word == "with" || word == "else") {
        return ParseError(absl::StrCat("\"", word, "\" is not supported"));
      }
      absl::StatusOr<Arg> arg = ParseArg(word);
      if (!arg.ok()) return arg.status();
      node.pipeline.back().push_back(*std::move(arg));
    }
    if (node.pipeline.back().empty()) return ParseError("missing command");
    out.nodes_.push_back(std::move(node));
    pos = close + 2;
  }
  return out;
}

absl::StatusOr<std::string> Template::Execute(const ordered_json& data) const {
  std::string out;
  for (const Node& node : nodes_) {
    if (node.pipeline.empty()) {
      out += node.text;
      continue;
    }
    std::optional<ordered_json> piped;
    for (const Command& command : node.pipeline) {
      const Arg& head = command.front();
      std::vector<ordered_json> args;
      for (size_t i = head.kind == Arg::kFunction ? 1 : 0; i < command.size();
           ++i) {
        absl::StatusOr<ordered_json> value =
            Evaluate(command[i], data, node.source);
        if (!value.ok()) return value.status();
        args.push_back(*std::move(value));
      }
      if (piped.has_value()) args.push_back(*piped);
      if (head.kind == Arg::kFunction) {
        absl::StatusOr<ordered_json> result =
            Call(head.text, args, node.source);
        if (!result.ok()) return result.status();
        piped = *std::move(result);
      } else {
        if (args.size() != 1) {
          return ExecError(node.source, "can't give argument to non-function");
        }
        piped = args[0];
      }
    }
    out += GoPrint(*piped);
  }
  return out;
}

absl::StatusOr<std::string> RenderRows(absl::string_view format,
                                       const std::vector<ordered_json>& rows,
                                       const ordered_json& header) {
  const bool table = absl::StartsWith(format, "table");
  if (table) format.remove_prefix(5);
  const std::string text =
      UnescapeFormat(absl::StripAsciiWhitespace(format));
  absl::StatusOr<Template> tmpl = Template::Parse(text);
  if (!tmpl.ok()) return tmpl.status();
  if (!table) {
    std::string out;
    for (const ordered_json& row : rows) {
      absl::StatusOr<std::string> line = tmpl->Execute(row);
      if (!line.ok()) return line.status();
      absl::StrAppend(&out, *line, "\n");
    }
    return out;
  }
  absl::StatusOr<std::string> head = tmpl->Execute(header);
  if (!head.ok()) return head.status();
  Table out(absl::StrSplit(*head, '\t'));
  for (const ordered_json& row : rows) {
    absl::StatusOr<std::string> line = tmpl->Execute(row);
    if (!line.ok()) return line.status();
    out.AddRow(absl::StrSplit(*line, '\t'));
  }
  return out.Render();
}

}  // namespace berth::ctl
