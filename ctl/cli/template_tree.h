// The parse tree of a Go text/template, shared by the parser
// (template_parse.cc) and the evaluator (template_exec.cc). Internal to the
// template library: callers use template.h.
//
// The shapes follow Go's text/template/parse: a list of nodes (text,
// actions, if/range/with with their else lists, break/continue); an action
// holds a pipeline (optional variable declarations, then commands joined by
// "|"); a command is a list of operands, the first of which may name a
// function. `{{else if}}` is kept as Go keeps it: an else list holding one
// if node.
#ifndef BERTH_CTL_CLI_TEMPLATE_TREE_H_
#define BERTH_CTL_CLI_TEMPLATE_TREE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace berth::ctl::template_internal {

struct Pipe;

// One operand of a command.
struct Operand {
  enum Kind {
    kDot,         // .
    kField,       // .A.B: `fields` = {A, B}
    kVariable,    // $x.A: `name` = "$x", `fields` = {A}
    kFunction,    // an identifier: `name`
    kConstant,    // a string, number, bool or char literal: `constant`
    kNil,         // nil
    kPipe,        // (pipeline).A: `pipe`, then `fields`
  };
  Kind kind = kDot;
  std::string name;
  std::vector<std::string> fields;
  nlohmann::ordered_json constant;
  std::shared_ptr<Pipe> pipe;
  size_t pos = 0;    // byte offset in the template, for errors
  std::string text;  // as written, for errors: "<.State.Foo>"
};

struct Command {
  std::vector<Operand> operands;
  size_t pos = 0;
  std::string text;
};

struct Pipe {
  std::vector<std::string> variables;  // "$i", "$v" of `$i, $v :=`
  bool assign = false;                 // `=` rather than `:=`
  std::vector<Command> commands;
  size_t pos = 0;
  std::string text;
};

struct Node;
using NodeList = std::vector<Node>;

struct Node {
  enum Kind { kText, kAction, kIf, kRange, kWith, kBreak, kContinue };
  Kind kind = kText;
  std::string text;  // kText
  Pipe pipe;         // kAction, kIf, kRange, kWith
  std::shared_ptr<NodeList> list;       // the body
  std::shared_ptr<NodeList> else_list;  // may be null
  size_t pos = 0;
};

struct Tree {
  std::string name;    // the template's name, "" as Docker's
  std::string source;  // for line:column of errors
  NodeList root;
};

// Parses `text` as Go's text/template does. INVALID_ARGUMENT with Go's
// message ("template: :1: unclosed action") on error. `is_function` says
// which identifiers are functions.
absl::StatusOr<std::shared_ptr<const Tree>> ParseTree(
    absl::string_view name, absl::string_view text,
    bool (*is_function)(absl::string_view name));

}  // namespace berth::ctl::template_internal

#endif  // BERTH_CTL_CLI_TEMPLATE_TREE_H_
