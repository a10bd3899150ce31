// The functions of templates: Go's builtins (text/template/funcs.go) and
// Docker's (docker/cli templates/templates.go), with their messages.
// `and` and `or` are evaluated lazily by the evaluator; their entries here
// serve calls of an already evaluated pipeline stage.
#include <algorithm>
#include <map>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "ctl/cli/template_value.h"

namespace berth::ctl::template_internal {
namespace {

using Args = std::vector<Value>;

absl::Status CallError(absl::string_view name, absl::string_view message) {
  return absl::InvalidArgumentError(
      absl::StrCat("error calling ", name, ": ", message));
}

absl::Status WantArgs(absl::string_view name, const Args& args, size_t want) {
  if (args.size() == want) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      "wrong number of args for ", name, ": want ", want, " got ", args.size()));
}

absl::Status WantAtLeast(absl::string_view name, const Args& args,
                         size_t want) {
  if (args.size() >= want) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("wrong number of args for ", name, ": want at least ", want,
                   " got ", args.size()));
}

// A typed parameter, as Go converts a value for a function's argument.
absl::StatusOr<std::string> StringArg(const Value& value) {
  if (value.json().is_string() && !value.missing()) {
    return value.json().get<std::string>();
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "wrong type for value; expected string; got ", TypeName(value)));
}

absl::StatusOr<int64_t> IntArg(const Value& value) {
  if (value.json().is_number_integer() && !value.missing()) {
    return value.json().get<int64_t>();
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "wrong type for value; expected int; got ", TypeName(value)));
}

// Docker's functions over one string argument.
template <std::string (*kTransform)(std::string)>
absl::StatusOr<Value> StringFunction(const char* name, const Args& args) {
  if (absl::Status s = WantArgs(name, args, 1); !s.ok()) return s;
  absl::StatusOr<std::string> text = StringArg(args[0]);
  if (!text.ok()) return text.status();
  return Value::Own(kTransform(*std::move(text)), GoKind::kString);
}

std::string ToLower(std::string s) { return absl::AsciiStrToLower(s); }
std::string ToUpper(std::string s) { return absl::AsciiStrToUpper(s); }

// strings.Title: the first letter of each word in upper case; words are
// separated by anything but letters, digits, '_' and non-ASCII bytes.
std::string ToTitle(std::string s) {
  bool at_separator = true;
  for (char& c : s) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (at_separator) c = absl::ascii_toupper(u);
    at_separator = u < 0x80 && !absl::ascii_isalnum(u) && u != '_';
  }
  return s;
}

absl::StatusOr<Value> JsonFunction(const Args& args) {
  if (absl::Status s = WantArgs("json", args, 1); !s.ok()) return s;
  return Value::Own(
      args[0].json().dump(-1, ' ', false, Json::error_handler_t::replace),
      GoKind::kString);
}

absl::StatusOr<Value> Split(const Args& args) {
  if (absl::Status s = WantArgs("split", args, 2); !s.ok()) return s;
  absl::StatusOr<std::string> text = StringArg(args[0]);
  if (!text.ok()) return text.status();
  absl::StatusOr<std::string> separator = StringArg(args[1]);
  if (!separator.ok()) return separator.status();
  std::vector<std::string> parts;
  if (separator->empty()) {
    for (char c : *text) parts.emplace_back(1, c);
  } else {
    parts = absl::StrSplit(*text, *separator);
  }
  return Value::Own(Json(parts), GoKind::kSlice, GoKind::kString);
}

absl::StatusOr<Value> Join(const Args& args) {
  if (absl::Status s = WantArgs("join", args, 2); !s.ok()) return s;
  absl::StatusOr<std::string> separator = StringArg(args[1]);
  if (!separator.ok()) return separator.status();
  const Json& elems = args[0].json();
  std::vector<std::string> parts;
  if (elems.is_array()) {
    for (const Json& item : elems) parts.push_back(PrintJson(item));
  } else if (elems.is_object() && args[0].is_map()) {
    for (const auto& item : elems.items()) {
      parts.push_back(PrintJson(item.value()));
    }
    std::sort(parts.begin(), parts.end());
  } else if (!elems.is_null()) {
    return CallError("join", absl::StrCat("expected slice, got ",
                                          TypeName(args[0])));
  }
  return Value::Own(absl::StrJoin(parts, *separator), GoKind::kString);
}

absl::StatusOr<Value> Pad(const Args& args) {
  if (absl::Status s = WantArgs("pad", args, 3); !s.ok()) return s;
  absl::StatusOr<std::string> text = StringArg(args[0]);
  if (!text.ok()) return text.status();
  absl::StatusOr<int64_t> prefix = IntArg(args[1]);
  if (!prefix.ok()) return prefix.status();
  absl::StatusOr<int64_t> suffix = IntArg(args[2]);
  if (!suffix.ok()) return suffix.status();
  if (text->empty()) return Value::Own("", GoKind::kString);
  return Value::Own(
      absl::StrCat(std::string(std::max<int64_t>(*prefix, 0), ' '), *text,
                   std::string(std::max<int64_t>(*suffix, 0), ' ')),
      GoKind::kString);
}

absl::StatusOr<Value> Truncate(const Args& args) {
  if (absl::Status s = WantArgs("truncate", args, 2); !s.ok()) return s;
  absl::StatusOr<std::string> text = StringArg(args[0]);
  if (!text.ok()) return text.status();
  absl::StatusOr<int64_t> length = IntArg(args[1]);
  if (!length.ok()) return length.status();
  if (static_cast<int64_t>(text->size()) < *length) {
    return Value::Own(*text, GoKind::kString);
  }
  if (*length < 0) {
    return CallError("truncate", absl::StrCat("slice bounds out of range [:",
                                              *length, "]"));
  }
  return Value::Own(text->substr(0, *length), GoKind::kString);
}

absl::StatusOr<Value> Len(const Args& args) {
  if (absl::Status s = WantArgs("len", args, 1); !s.ok()) return s;
  const Value& item = args[0];
  const Json& json = item.json();
  if (json.is_string()) {
    return Value::Own(static_cast<int64_t>(json.get_ref<const std::string&>().size()));
  }
  if (json.is_array() || (json.is_object() && item.is_map())) {
    return Value::Own(static_cast<int64_t>(json.size()));
  }
  if (json.is_null() && !item.missing() &&
      (item.kind() == GoKind::kSlice || item.kind() == GoKind::kMap)) {
    return Value::Own(int64_t{0});
  }
  if (item.missing()) return CallError("len", "len of untyped nil");
  if (json.is_null()) return CallError("len", "len of nil pointer");
  return CallError("len", absl::StrCat("len of type ", TypeName(item)));
}

// Go's index of arrays and strings: an int within [0, size).
absl::StatusOr<size_t> Position(const Value& index, size_t size,
                                absl::string_view name, bool slice) {
  if (!index.json().is_number_integer()) {
    return CallError(name, absl::StrCat("cannot index slice/array with type ",
                                        TypeName(index)));
  }
  const int64_t n = index.json().get<int64_t>();
  if (n < 0 || static_cast<size_t>(n) > size ||
      (!slice && static_cast<size_t>(n) == size)) {
    return CallError(name, absl::StrCat("index out of range: ", n));
  }
  return static_cast<size_t>(n);
}

absl::StatusOr<Value> Index(const Args& args) {
  if (absl::Status s = WantAtLeast("index", args, 1); !s.ok()) return s;
  Value item = args[0];
  for (size_t i = 1; i < args.size(); ++i) {
    const Json& json = item.json();
    if (item.missing() || (json.is_null() && item.kind() == GoKind::kPointer)) {
      return CallError("index", "index of untyped nil");
    }
    if (json.is_array() || json.is_string() ||
        (json.is_null() && item.kind() == GoKind::kSlice)) {
      const size_t size = json.is_null() ? 0 : json.size();
      const size_t string_size =
          json.is_string() ? json.get_ref<const std::string&>().size() : size;
      absl::StatusOr<size_t> at = Position(args[i], string_size, "index", false);
      if (!at.ok()) return at.status();
      if (json.is_string()) {
        item = Value::Own(static_cast<int64_t>(static_cast<unsigned char>(
            json.get_ref<const std::string&>()[*at])));
      } else {
        const GoKind elem = item.elem();
        item = item.missing() ? Value() : Value::Own(json[*at], elem);
      }
    } else if (json.is_object() && item.is_map()) {
      if (!args[i].json().is_string()) {
        return CallError("index", absl::StrCat("value has type ",
                                               TypeName(args[i]),
                                               "; should be string"));
      }
      auto it = json.find(args[i].json().get<std::string>());
      item = it == json.end() ? Value::Zero(item.elem())
                              : Value::Own(*it, item.elem(),
                                           item.kind() == GoKind::kInterface
                                               ? GoKind::kInterface
                                               : GoKind::kPointer);
    } else if (json.is_null() && item.kind() == GoKind::kMap) {
      item = Value::Zero(item.elem());
    } else {
      return CallError("index", absl::StrCat("can't index item of type ",
                                             TypeName(item)));
    }
  }
  return item;
}

absl::StatusOr<Value> Slice(const Args& args) {
  if (absl::Status s = WantAtLeast("slice", args, 1); !s.ok()) return s;
  const Json& json = args[0].json();
  if (args.size() > 4) {
    return CallError("slice", absl::StrCat("too many slice indexes: ",
                                           args.size() - 1));
  }
  if (!json.is_string() && !json.is_array()) {
    return CallError("slice", absl::StrCat("can't slice item of type ",
                                           TypeName(args[0])));
  }
  const size_t size = json.is_string()
                          ? json.get_ref<const std::string&>().size()
                          : json.size();
  size_t bounds[3] = {0, size, size};
  for (size_t i = 1; i < args.size(); ++i) {
    absl::StatusOr<size_t> at = Position(args[i], size, "slice", true);
    if (!at.ok()) return at.status();
    bounds[i - 1] = *at;
  }
  if (json.is_string() && args.size() == 4) {
    return CallError("slice", "cannot 3-index slice a string");
  }
  if (bounds[0] > bounds[1]) {
    return CallError("slice", absl::StrCat("invalid slice index: ", bounds[0],
                                           " > ", bounds[1]));
  }
  if (json.is_string()) {
    return Value::Own(json.get_ref<const std::string&>().substr(
                          bounds[0], bounds[1] - bounds[0]),
                      GoKind::kString);
  }
  Json out = Json::array();
  for (size_t i = bounds[0]; i < bounds[1]; ++i) out.push_back(json[i]);
  return Value::Own(std::move(out), GoKind::kSlice, args[0].elem());
}

absl::StatusOr<Value> PrintFunction(const Args& args) {
  return Value::Own(Sprint(args), GoKind::kString);
}
absl::StatusOr<Value> Println(const Args& args) {
  return Value::Own(Sprintln(args), GoKind::kString);
}
absl::StatusOr<Value> Printf(const Args& args) {
  if (absl::Status s = WantAtLeast("printf", args, 1); !s.ok()) return s;
  absl::StatusOr<std::string> format = StringArg(args[0]);
  if (!format.ok()) return format.status();
  return Value::Own(Sprintf(*format, Args(args.begin() + 1, args.end())),
                    GoKind::kString);
}

// What html, js and urlquery escape: the one string argument, or the
// fmt.Sprint of all of them.
std::string EscaperInput(const Args& args) {
  if (args.size() == 1 && args[0].json().is_string()) {
    return args[0].json().get<std::string>();
  }
  return Sprint(args);
}

absl::StatusOr<Value> Html(const Args& args) {
  std::string out;
  for (char c : EscaperInput(args)) {
    switch (c) {
      case '"': out += "&#34;"; break;
      case '\'': out += "&#39;"; break;
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '\0': out += "\xEF\xBF\xBD"; break;
      default: out += c;
    }
  }
  return Value::Own(out, GoKind::kString);
}

absl::StatusOr<Value> Js(const Args& args) {
  std::string out;
  for (char c : EscaperInput(args)) {
    const unsigned char u = static_cast<unsigned char>(c);
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\'': out += "\\'"; break;
      case '"': out += "\\\""; break;
      case '<': out += "\\u003C"; break;
      case '>': out += "\\u003E"; break;
      case '&': out += "\\u0026"; break;
      case '=': out += "\\u003D"; break;
      default:
        if (u < 0x20) {
          out += absl::StrFormat("\\u%04X", u);
        } else {
          out += c;
        }
    }
  }
  return Value::Own(out, GoKind::kString);
}

absl::StatusOr<Value> UrlQuery(const Args& args) {
  std::string out;
  for (char c : EscaperInput(args)) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (absl::ascii_isalnum(u) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += c;
    } else if (c == ' ') {
      out += '+';
    } else {
      out += absl::StrFormat("%%%02X", u);
    }
  }
  return Value::Own(out, GoKind::kString);
}

absl::StatusOr<Value> Not(const Args& args) {
  if (absl::Status s = WantArgs("not", args, 1); !s.ok()) return s;
  return Value::Own(!IsTrue(args[0]));
}

// and/or over evaluated arguments (see the evaluator for the lazy form).
absl::StatusOr<Value> And(const Args& args) {
  if (absl::Status s = WantAtLeast("and", args, 1); !s.ok()) return s;
  for (const Value& arg : args) {
    if (!IsTrue(arg)) return arg;
  }
  return args.back();
}
absl::StatusOr<Value> Or(const Args& args) {
  if (absl::Status s = WantAtLeast("or", args, 1); !s.ok()) return s;
  for (const Value& arg : args) {
    if (IsTrue(arg)) return arg;
  }
  return args.back();
}

// Go's basicKind for comparisons.
enum class Basic { kBool, kInt, kUint, kFloat, kString, kNil, kOther, kInvalid };

Basic BasicOf(const Value& value) {
  if (value.missing()) return Basic::kInvalid;
  const Json& json = value.json();
  if (json.is_boolean()) return Basic::kBool;
  if (json.is_number_unsigned()) return Basic::kUint;
  if (json.is_number_integer()) return Basic::kInt;
  if (json.is_number_float()) return Basic::kFloat;
  if (json.is_string()) return Basic::kString;
  if (json.is_null()) return Basic::kNil;
  return Basic::kOther;
}

// -1, 0 or 1; `ordered` asks for lt/le/gt/ge (no bools, nils, structs).
absl::StatusOr<int> Compare(const char* name, const Value& a, const Value& b,
                            bool ordered) {
  Basic ka = BasicOf(a), kb = BasicOf(b);
  if (ka == Basic::kInvalid || kb == Basic::kInvalid) {
    return CallError(name, "invalid type for comparison");
  }
  if (ka == Basic::kUint && kb == Basic::kInt) ka = Basic::kInt;
  if (kb == Basic::kUint && ka == Basic::kInt) kb = Basic::kInt;
  if (ordered && (ka == Basic::kBool || ka == Basic::kNil ||
                  ka == Basic::kOther)) {
    return CallError(name, "invalid type for comparison");
  }
  if (ka == Basic::kOther || kb == Basic::kOther) {
    return CallError(name, absl::StrCat("non-comparable type ",
                                        Print(ka == Basic::kOther ? a : b),
                                        ": ", TypeName(ka == Basic::kOther ? a : b)));
  }
  if (ka != kb) {
    if (!ordered && (ka == Basic::kNil || kb == Basic::kNil)) return 1;
    return CallError(name, "incompatible types for comparison");
  }
  const Json& x = a.json();
  const Json& y = b.json();
  auto sign = [](auto p, auto q) { return p < q ? -1 : (q < p ? 1 : 0); };
  switch (ka) {
    case Basic::kBool: return x.get<bool>() == y.get<bool>() ? 0 : 1;
    case Basic::kNil: return 0;
    case Basic::kString:
      return sign(x.get_ref<const std::string&>(), y.get_ref<const std::string&>());
    case Basic::kFloat: return sign(x.get<double>(), y.get<double>());
    case Basic::kUint: return sign(x.get<uint64_t>(), y.get<uint64_t>());
    default:
      // An int against a uint too large for int64 is larger.
      if (x.is_number_unsigned() && x.get<uint64_t>() > INT64_MAX) return 1;
      if (y.is_number_unsigned() && y.get<uint64_t>() > INT64_MAX) return -1;
      return sign(x.get<int64_t>(), y.get<int64_t>());
  }
}

absl::StatusOr<Value> Eq(const Args& args) {
  if (args.size() < 2) return CallError("eq", "missing argument for comparison");
  for (size_t i = 1; i < args.size(); ++i) {
    absl::StatusOr<int> c = Compare("eq", args[0], args[i], false);
    if (!c.ok()) return c.status();
    if (*c == 0) return Value::Own(true);
  }
  return Value::Own(false);
}

template <bool (*kTest)(int)>
absl::StatusOr<Value> Ordered(const char* name, const Args& args) {
  if (absl::Status s = WantArgs(name, args, 2); !s.ok()) return s;
  const bool ordered = std::string_view(name) != "ne";
  absl::StatusOr<int> c = Compare(name, args[0], args[1], ordered);
  if (!c.ok()) return c.status();
  return Value::Own(kTest(*c));
}

bool IsNe(int c) { return c != 0; }
bool IsLt(int c) { return c < 0; }
bool IsLe(int c) { return c <= 0; }
bool IsGt(int c) { return c > 0; }
bool IsGe(int c) { return c >= 0; }

// Docker's HeaderFunctions: the column name passes through.
absl::StatusOr<Value> First(const Args& args) {
  if (args.empty()) return Value();
  return args[0];
}

struct Entry {
  const char* name;
  Function function;
  Function header;  // Docker's header variant, or null for the same
};

const Entry kFunctions[] = {
    {"and", And, nullptr},
    {"eq", Eq, nullptr},
    {"ge", [](const Args& a) { return Ordered<IsGe>("ge", a); }, nullptr},
    {"gt", [](const Args& a) { return Ordered<IsGt>("gt", a); }, nullptr},
    {"html", Html, nullptr},
    {"index", Index, nullptr},
    {"js", Js, nullptr},
    {"join", Join, First},
    {"json", JsonFunction, First},
    {"le", [](const Args& a) { return Ordered<IsLe>("le", a); }, nullptr},
    {"len", Len, nullptr},
    {"lower", [](const Args& a) { return StringFunction<ToLower>("lower", a); },
     First},
    {"lt", [](const Args& a) { return Ordered<IsLt>("lt", a); }, nullptr},
    {"ne", [](const Args& a) { return Ordered<IsNe>("ne", a); }, nullptr},
    {"not", Not, nullptr},
    {"or", Or, nullptr},
    {"pad", Pad, nullptr},
    {"print", PrintFunction, nullptr},
    {"printf", Printf, nullptr},
    {"println", Println, nullptr},
    {"slice", Slice, nullptr},
    {"split", Split, First},
    {"title", [](const Args& a) { return StringFunction<ToTitle>("title", a); },
     First},
    {"truncate", Truncate, First},
    {"upper", [](const Args& a) { return StringFunction<ToUpper>("upper", a); },
     First},
    {"urlquery", UrlQuery, nullptr},
};

}  // namespace

Function FindFunction(absl::string_view name, bool header) {
  for (const Entry& entry : kFunctions) {
    if (name == entry.name) {
      return header && entry.header != nullptr ? entry.header : entry.function;
    }
  }
  return nullptr;
}

bool IsFunctionName(absl::string_view name) {
  return FindFunction(name, false) != nullptr;
}

}  // namespace berth::ctl::template_internal

namespace berth::ctl {

TemplateMethods LabelMethods(std::map<std::string, std::string> labels) {
  TemplateMethods methods;
  methods["Label"] = [labels = std::move(labels)](
                         const std::vector<nlohmann::ordered_json>& args)
      -> absl::StatusOr<nlohmann::ordered_json> {
    if (args.size() != 1 || !args[0].is_string()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "wrong number of args for Label: want 1 got ", args.size()));
    }
    auto it = labels.find(args[0].get<std::string>());
    return nlohmann::ordered_json(it == labels.end() ? "" : it->second);
  };
  return methods;
}

}  // namespace berth::ctl
