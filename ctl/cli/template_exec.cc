// The evaluator of Go's text/template (the rules of text/template/exec.go)
// over the tree of template_tree.h: walking text and actions, if/with/range
// with Go's truth and scoping of variables, pipelines, field chains on
// structs and maps, methods of the root, and Go's error messages.
#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/types/span.h"
#include "ctl/cli/template.h"
#include "ctl/cli/template_tree.h"
#include "ctl/cli/template_value.h"

namespace berth::ctl {
namespace template_internal {
namespace {

// Go's builtins whose parameters are reflect.Values see a missing value as
// it is; the others get nil.
bool TakesReflectValues(absl::string_view name) {
  return name == "eq" || name == "ne" || name == "lt" || name == "le" ||
         name == "gt" || name == "ge" || name == "not" || name == "index" ||
         name == "len" || name == "slice";
}

using Operands = absl::Span<const Operand>;

// How a list of nodes ended: normally, or by {{break}} / {{continue}}.
enum class Flow { kNormal, kBreak, kContinue };

class Executor {
 public:
  Executor(const Tree& tree, const TemplateOptions& options, std::string* out)
      : tree_(tree), options_(options), out_(out) {}

  absl::Status Run(const Json& data) {
    const GoKind kind = options_.raw_json ? GoKind::kInterface : root_kind_;
    const Value root = Value::Borrow(
        data, kind, options_.raw_json ? GoKind::kInterface : root_elem_);
    root_ = &data;
    variables_.push_back({"$", root});
    absl::StatusOr<Flow> flow = Walk(root, tree_.root);
    return flow.status();
  }

  void SetRootKind(GoKind kind, GoKind elem) {
    root_kind_ = kind;
    root_elem_ = elem;
  }

 private:
  absl::Status Fail(size_t pos, absl::string_view context,
                    absl::string_view message) const {
    const absl::string_view source = tree_.source;
    const size_t line_start = source.rfind('\n', pos == 0 ? 0 : pos - 1);
    const size_t column =
        line_start == absl::string_view::npos || pos == 0 ? pos
                                                          : pos - line_start - 1;
    const int line = 1 + static_cast<int>(std::count(
                             source.begin(), source.begin() + pos, '\n'));
    std::string shown(context);
    if (shown.size() > 20) shown = absl::StrCat(shown.substr(0, 20), "...");
    return absl::InvalidArgumentError(absl::StrCat(
        "template: ", tree_.name, ":", line, ":", column, ": executing \"",
        tree_.name, "\" at <", shown, ">: ", message));
  }

  absl::StatusOr<Flow> Walk(const Value& dot, const NodeList& list) {
    for (const Node& node : list) {
      absl::StatusOr<Flow> flow = WalkNode(dot, node);
      if (!flow.ok() || *flow != Flow::kNormal) return flow;
    }
    return Flow::kNormal;
  }

  absl::StatusOr<Flow> WalkNode(const Value& dot, const Node& node) {
    switch (node.kind) {
      case Node::kText:
        *out_ += node.text;
        return Flow::kNormal;
      case Node::kAction: {
        absl::StatusOr<Value> value = EvalPipe(dot, node.pipe, true);
        if (!value.ok()) return value.status();
        if (node.pipe.variables.empty()) *out_ += Print(*value);
        return Flow::kNormal;
      }
      case Node::kIf:
      case Node::kWith:
        return WalkIfOrWith(dot, node);
      case Node::kRange:
        return WalkRange(dot, node);
      case Node::kBreak:
        return Flow::kBreak;
      case Node::kContinue:
        return Flow::kContinue;
    }
    return Flow::kNormal;
  }

  absl::StatusOr<Flow> WalkIfOrWith(const Value& dot, const Node& node) {
    const size_t scope = variables_.size();
    absl::StatusOr<Value> value = EvalPipe(dot, node.pipe, true);
    if (!value.ok()) return value.status();
    absl::StatusOr<Flow> flow = Flow::kNormal;
    if (IsTrue(*value)) {
      flow = Walk(node.kind == Node::kWith ? *value : dot, *node.list);
    } else if (node.else_list != nullptr) {
      flow = Walk(dot, *node.else_list);
    }
    variables_.resize(scope);
    return flow;
  }

  absl::StatusOr<Flow> WalkRange(const Value& dot, const Node& node) {
    const size_t scope = variables_.size();
    absl::StatusOr<Value> value = EvalPipe(dot, node.pipe, false);
    if (!value.ok()) return value.status();
    const Json& json = value->json();
    const std::vector<std::string>& names = node.pipe.variables;
    // One iteration: the variables are set afresh and what the body
    // declares goes out of scope after it.
    auto iterate = [&](Value key, const Value& element) -> absl::StatusOr<Flow> {
      if (names.size() == 1) variables_.push_back({names[0], element});
      if (names.size() == 2) {
        variables_.push_back({names[0], std::move(key)});
        variables_.push_back({names[1], element});
      }
      absl::StatusOr<Flow> flow = Walk(element, *node.list);
      variables_.resize(scope);
      return flow;
    };
    size_t iterations = 0;
    if (json.is_array()) {
      for (size_t i = 0; i < json.size(); ++i, ++iterations) {
        Value element = Value::Borrow(json[i], value->elem(),
                                      value->elem() == GoKind::kInterface
                                          ? GoKind::kInterface
                                          : GoKind::kPointer);
        absl::StatusOr<Flow> flow =
            iterate(Value::Own(static_cast<int64_t>(i)), element);
        if (!flow.ok()) return flow;
        if (*flow == Flow::kBreak) break;
      }
    } else if (json.is_object() && value->is_map()) {
      std::vector<std::string> keys;
      for (const auto& item : json.items()) keys.push_back(item.key());
      std::sort(keys.begin(), keys.end());
      for (const std::string& key : keys) {
        ++iterations;
        Value element = Value::Borrow(json.at(key), value->elem(),
                                      value->elem() == GoKind::kInterface
                                          ? GoKind::kInterface
                                          : GoKind::kPointer);
        absl::StatusOr<Flow> flow = iterate(Value::Own(key), element);
        if (!flow.ok()) return flow;
        if (*flow == Flow::kBreak) break;
      }
    } else if (json.is_number_integer() && !value->missing()) {
      if (names.size() == 2) {
        return Fail(node.pipe.pos, node.pipe.text,
                    "can't use range over int with two variables");
      }
      const int64_t count = json.get<int64_t>();
      for (int64_t i = 0; i < count; ++i, ++iterations) {
        const Value element = Value::Own(i);
        absl::StatusOr<Flow> flow = iterate(Value(), element);
        if (!flow.ok()) return flow;
        if (*flow == Flow::kBreak) break;
      }
    } else if (!json.is_null()) {
      return Fail(node.pipe.pos, node.pipe.text,
                  absl::StrCat("range can't iterate over ", Print(*value)));
    }
    if (iterations == 0 && node.else_list != nullptr) {
      absl::StatusOr<Flow> flow = Walk(dot, *node.else_list);
      variables_.resize(scope);
      return flow;
    }
    return Flow::kNormal;
  }

  // A pipeline's value; `declare` sets its variables (range sets its own).
  absl::StatusOr<Value> EvalPipe(const Value& dot, const Pipe& pipe,
                                 bool declare) {
    std::optional<Value> value;
    for (const Command& command : pipe.commands) {
      absl::StatusOr<Value> result = EvalCommand(dot, command, value);
      if (!result.ok()) return result.status();
      value = *std::move(result);
    }
    if (declare) {
      for (const std::string& name : pipe.variables) {
        if (pipe.assign) {
          for (auto it = variables_.rbegin(); it != variables_.rend(); ++it) {
            if (it->first == name) {
              it->second = *value;
              break;
            }
          }
        } else {
          variables_.push_back({name, *value});
        }
      }
    }
    return *value;
  }

  absl::StatusOr<Value> EvalCommand(const Value& dot, const Command& command,
                                    const std::optional<Value>& final) {
    const Operand& first = command.operands.front();
    const Operands rest = Operands(command.operands).subspan(1);
    if (first.kind == Operand::kFunction) {
      return CallFunction(dot, first.name, rest, final, command.pos,
                          command.text);
    }
    return EvalOperand(dot, first, rest, final);
  }

  // A command's first operand when it is not a function, given the rest.
  absl::StatusOr<Value> EvalOperand(const Value& dot, const Operand& first,
                                    Operands args,
                                    const std::optional<Value>& final) {
    switch (first.kind) {
      case Operand::kField:
        return EvalChain(dot, dot, first, args, final);
      case Operand::kVariable: {
        const Value* variable = Lookup(first.name);
        if (first.fields.empty()) {
          if (!args.empty() || final.has_value()) return NotAFunction(first);
          return *variable;
        }
        return EvalChain(dot, *variable, first, args, final);
      }
      case Operand::kPipe: {
        absl::StatusOr<Value> value = EvalPipe(dot, *first.pipe, true);
        if (!value.ok()) return value;
        if (first.fields.empty()) {
          if (!args.empty() || final.has_value()) return NotAFunction(first);
          return value;
        }
        return EvalChain(dot, *value, first, args, final);
      }
      case Operand::kNil:
        return Fail(first.pos, first.text, "nil is not a command");
      case Operand::kDot:
      case Operand::kConstant:
      default:
        if (!args.empty() || final.has_value()) return NotAFunction(first);
        return EvalArg(dot, first);
    }
  }

  absl::Status NotAFunction(const Operand& operand) const {
    return Fail(operand.pos, operand.text,
                absl::StrCat("can't give argument to non-function ",
                             operand.text));
  }

  const Value* Lookup(const std::string& name) const {
    for (auto it = variables_.rbegin(); it != variables_.rend(); ++it) {
      if (it->first == name) return &it->second;
    }
    return &variables_.front().second;  // the parser checked the name
  }

  // An operand used as an argument.
  absl::StatusOr<Value> EvalArg(const Value& dot, const Operand& operand) {
    switch (operand.kind) {
      case Operand::kDot:
        return dot;
      case Operand::kConstant:
        return Value::Own(operand.constant,
                          operand.constant.is_string() ? GoKind::kString
                                                       : GoKind::kPointer);
      case Operand::kNil:
        return Value::Own(Json());
      case Operand::kFunction:
        return CallFunction(dot, operand.name, Operands(), std::nullopt,
                            operand.pos, operand.text);
      default:
        return EvalOperand(dot, operand, Operands(), std::nullopt);
    }
  }

  absl::StatusOr<std::vector<Value>> EvalArgs(const Value& dot, Operands args,
                                              const std::optional<Value>& final) {
    std::vector<Value> values;
    values.reserve(args.size() + 1);
    for (const Operand& arg : args) {
      absl::StatusOr<Value> value = EvalArg(dot, arg);
      if (!value.ok()) return value.status();
      values.push_back(*std::move(value));
    }
    if (final.has_value()) values.push_back(*final);
    return values;
  }

  // `name OPERANDS` (and the pipeline's value), written at `pos` as `text`.
  absl::StatusOr<Value> CallFunction(const Value& dot, const std::string& name,
                                     Operands operands,
                                     const std::optional<Value>& final,
                                     size_t pos, const std::string& text) {
    if (name == "and" || name == "or") {
      // Go evaluates and/or lazily: the first false (and) or true (or)
      // operand is the result and the rest are not evaluated.
      const size_t count = operands.size() + (final.has_value() ? 1 : 0);
      if (count == 0) {
        return Fail(pos, text,
                    absl::StrCat("wrong number of args for ", name,
                                 ": want at least 1 got 0"));
      }
      Value value;
      for (size_t i = 0; i < count; ++i) {
        if (i < operands.size()) {
          absl::StatusOr<Value> arg = EvalArg(dot, operands[i]);
          if (!arg.ok()) return arg;
          value = *std::move(arg);
        } else {
          value = *final;
        }
        if (IsTrue(value) == (name == "or")) return value;
      }
      return value;
    }
    absl::StatusOr<std::vector<Value>> args = EvalArgs(dot, operands, final);
    if (!args.ok()) return args.status();
    if (!TakesReflectValues(name)) {
      // Go passes a missing value to a function's parameter as nil.
      for (Value& arg : *args) {
        if (arg.missing()) arg = Value::Own(Json());
      }
    }
    const Function function = FindFunction(name, options_.header_functions);
    absl::StatusOr<Value> result = function(*args);
    if (!result.ok()) {
      return Fail(pos, text, result.status().message());
    }
    if (name == "json" && options_.root_json_escapes_html &&
        !options_.header_functions && args->size() == 1 &&
        &(*args)[0].json() == root_) {
      return Value::Own(absl::StrReplaceAll(result->json().get<std::string>(),
                                            {{"<", "\\u003c"},
                                             {">", "\\u003e"},
                                             {"&", "\\u0026"}}),
                        GoKind::kString);
    }
    return result;
  }

  // The kind of field `name` of a value read from `parent`, by the shapes.
  std::pair<GoKind, GoKind> FieldKind(absl::string_view parent,
                                      absl::string_view name) const {
    if (options_.raw_json) return {GoKind::kInterface, GoKind::kInterface};
    const TemplateShapes& shapes = *options_.shapes;
    // "Parent.Name" first: it is what tells LogConfig.Config from Config.
    std::string qualified;
    if (!parent.empty()) {
      qualified = absl::StrCat(parent, ".", name);
      auto it = shapes.maps.find(qualified);
      if (it != shapes.maps.end()) return {GoKind::kMap, it->second};
      if (shapes.slices.count(qualified)) return {GoKind::kSlice, GoKind::kPointer};
    }
    auto it = shapes.maps.find(name);
    if (it != shapes.maps.end()) return {GoKind::kMap, it->second};
    if (shapes.slices.count(name)) return {GoKind::kSlice, GoKind::kPointer};
    return {GoKind::kPointer, GoKind::kPointer};
  }

  // .A.B.C on `receiver`: the last field gets the arguments.
  absl::StatusOr<Value> EvalChain(const Value& dot, Value receiver,
                                  const Operand& operand, Operands args,
                                  const std::optional<Value>& final) {
    for (size_t i = 0; i < operand.fields.size(); ++i) {
      const bool last = i + 1 == operand.fields.size();
      absl::StatusOr<Value> next =
          EvalField(dot, receiver, operand.fields[i], operand,
                    last ? args : Operands(),
                    last ? final : std::nullopt);
      if (!next.ok()) return next;
      receiver = *std::move(next);
    }
    return receiver;
  }

  absl::StatusOr<Value> EvalField(const Value& dot, const Value& receiver,
                                  const std::string& name,
                                  const Operand& operand, Operands args,
                                  const std::optional<Value>& final) {
    const bool has_args = !args.empty() || final.has_value();
    // A null in raw JSON is a nil interface{}: Go's invalid value.
    if (receiver.missing() ||
        (receiver.kind() == GoKind::kInterface && receiver.json().is_null())) {
      if (options_.missing_key_error) {
        return Fail(operand.pos, operand.text,
                    absl::StrCat("nil data; no entry for key \"", name, "\""));
      }
      return Value();
    }
    const Json& json = receiver.json();
    if (&json == root_ && options_.methods != nullptr) {
      auto method = options_.methods->find(name);
      if (method != options_.methods->end()) {
        absl::StatusOr<std::vector<Value>> values = EvalArgs(dot, args, final);
        if (!values.ok()) return values.status();
        std::vector<Json> plain;
        for (const Value& v : *values) plain.push_back(v.json());
        absl::StatusOr<Json> result = method->second(plain);
        if (!result.ok()) {
          return Fail(operand.pos, operand.text,
                      absl::StrCat("error calling ", name, ": ",
                                   result.status().message()));
        }
        return Value::Own(*std::move(result));
      }
    }
    if (receiver.is_map() && (json.is_object() || json.is_null())) {
      if (has_args) {
        return Fail(operand.pos, operand.text,
                    absl::StrCat(name, " is not a method but has arguments"));
      }
      auto it = json.is_object() ? json.find(name) : json.end();
      if (json.is_null() || it == json.end()) {
        if (options_.missing_key_error) {
          return Fail(operand.pos, operand.text,
                      absl::StrCat("map has no entry for key \"", name, "\""));
        }
        return Value();
      }
      const GoKind elem = receiver.elem();
      Value value = Value::Borrow(
          *it, elem, elem == GoKind::kInterface ? GoKind::kInterface
                                                : GoKind::kPointer);
      value.set_field(name);
      return value;
    }
    if (receiver.is_struct()) {
      auto it = json.find(name);
      if (it == json.end()) {
        return Fail(operand.pos, operand.text,
                    absl::StrCat("can't evaluate field ", name, " in type ",
                                 &json == root_ ? options_.root_type
                                                : TypeOf(receiver)));
      }
      if (has_args) {
        return Fail(operand.pos, operand.text,
                    absl::StrCat(name, " has arguments but cannot be invoked "
                                       "as function"));
      }
      const auto [kind, elem] = FieldKind(receiver.field(), name);
      Value value = Value::Borrow(*it, kind, elem);
      value.set_field(name);
      return value;
    }
    if (json.is_null()) {
      return Fail(operand.pos, operand.text,
                  absl::StrCat("nil pointer evaluating ", TypeOf(receiver),
                               ".", name));
    }
    return Fail(operand.pos, operand.text,
                absl::StrCat("can't evaluate field ", name, " in type ",
                             TypeName(receiver)));
  }

  // A struct's type in messages: the field it was read from, as Docker's
  // types are mostly named after their fields (State, Config, HostConfig).
  static std::string TypeOf(const Value& value) {
    if (value.field().empty()) return TypeName(value);
    return absl::StrCat("*", value.field());
  }

  const Tree& tree_;
  const TemplateOptions& options_;
  std::string* out_;
  const Json* root_ = nullptr;
  GoKind root_kind_ = GoKind::kPointer;
  GoKind root_elem_ = GoKind::kPointer;
  std::vector<std::pair<std::string, Value>> variables_;
};

bool IsFunction(absl::string_view name) { return IsFunctionName(name); }

}  // namespace
}  // namespace template_internal

absl::StatusOr<Template> Template::Parse(absl::string_view text,
                                         absl::string_view name) {
  absl::StatusOr<std::shared_ptr<const template_internal::Tree>> tree =
      template_internal::ParseTree(name, text, template_internal::IsFunction);
  if (!tree.ok()) return tree.status();
  Template out;
  out.tree_ = *std::move(tree);
  return out;
}

absl::Status Template::ExecuteTo(const nlohmann::ordered_json& data,
                                 const TemplateOptions& options,
                                 std::string* out) const {
  template_internal::Executor executor(*tree_, options, out);
  if (options.header_functions) {
    // Docker's table headers are a map[string]string.
    executor.SetRootKind(GoKind::kMap, GoKind::kString);
  }
  return executor.Run(data);
}

absl::StatusOr<std::string> Template::Execute(
    const nlohmann::ordered_json& data, const TemplateOptions& options) const {
  std::string out;
  absl::Status status = ExecuteTo(data, options, &out);
  if (!status.ok()) return status;
  return out;
}

}  // namespace berth::ctl
