// The parser of Go's text/template (the rules of text/template/parse): the
// tokens of template_lex.cc become the tree of template_tree.h, with Go's
// checks at parse time (undefined functions and variables, misplaced
// else/end/break/continue, non-executable pipeline stages) and its messages.
#include <cerrno>
#include <cstdlib>
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "ctl/cli/template_lex.h"
#include "ctl/cli/template_tree.h"

namespace berth::ctl::template_internal {
namespace {

using nlohmann::ordered_json;

// Go's number literals: ints in decimal, hex, octal or binary (with "_"
// separators), otherwise floats. nullopt when not a number.
std::optional<ordered_json> ParseNumber(absl::string_view text) {
  std::string digits = absl::StrReplaceAll(text, {{"_", ""}});
  if (digits.empty()) return std::nullopt;
  bool negative = false;
  absl::string_view body = digits;
  if (body[0] == '+' || body[0] == '-') {
    negative = body[0] == '-';
    body.remove_prefix(1);
  }
  int base = 10;
  if (body.size() > 2 && body[0] == '0') {
    const char p = absl::ascii_tolower(body[1]);
    base = p == 'x' ? 16 : p == 'o' ? 8 : p == 'b' ? 2 : 10;
    if (base != 10) body.remove_prefix(2);
  }
  if (base == 10 && body.size() > 1 && body[0] == '0' &&
      body.find_first_not_of("01234567") == absl::string_view::npos) {
    base = 8;  // Go's legacy octal: 0755
    body.remove_prefix(1);
  }
  if (!body.empty() && body.find_first_of(".eEpP") == absl::string_view::npos) {
    errno = 0;
    char* end = nullptr;
    const std::string owned(body);
    const unsigned long long value = std::strtoull(owned.c_str(), &end, base);
    if (errno == 0 && *end == '\0') {
      if (negative) return ordered_json(-static_cast<int64_t>(value));
      if (value <= static_cast<unsigned long long>(INT64_MAX)) {
        return ordered_json(static_cast<int64_t>(value));
      }
      return ordered_json(static_cast<uint64_t>(value));
    }
    if (base == 16) return std::nullopt;
  }
  double value = 0;
  if (base == 10 && absl::SimpleAtod(digits, &value) &&
      digits.find_first_not_of("+-0123456789.eE") == std::string::npos) {
    return ordered_json(value);
  }
  return std::nullopt;
}

class Parser {
 public:
  Parser(absl::string_view name, absl::string_view text,
         std::vector<Token> tokens, bool (*is_function)(absl::string_view))
      : name_(name), text_(text), tokens_(std::move(tokens)),
        is_function_(is_function) {
    variables_.push_back("$");
  }

  absl::StatusOr<NodeList> Run() {
    NodeList root;
    while (Peek().kind != Token::kEof) {
      absl::StatusOr<Node> node = ParseNode(&root);
      if (!node.ok()) return node.status();
    }
    return root;
  }

 private:
  const Token& Peek() const { return tokens_[index_]; }
  const Token& Next() { return tokens_[index_ < tokens_.size() - 1 ? index_++ : index_]; }
  // The next token that is not a space.
  const Token& PeekNonSpace() {
    while (Peek().kind == Token::kSpace) ++index_;
    return Peek();
  }
  const Token& NextNonSpace() {
    PeekNonSpace();
    return Next();
  }

  absl::Status Error(const Token& at, absl::string_view message) const {
    return absl::InvalidArgumentError(absl::StrCat(
        "template: ", name_, ":", LineOf(text_, at.pos), ": ", message));
  }
  absl::Status Unexpected(const Token& token, absl::string_view context) {
    return Error(token, absl::StrCat("unexpected ", Describe(token), " in ",
                                     context));
  }
  // Go's item.String(): keywords as <.>, other items quoted (long ones
  // cut at 10 characters).
  static std::string Describe(const Token& token) {
    switch (token.kind) {
      case Token::kEof: return "EOF";
      case Token::kDot: return "<.>";
      case Token::kNil: return "<nil>";
      case Token::kRightDelim: return "\"}}\"";
      case Token::kSpace: return "\" \"";
      default: break;
    }
    if (token.kind == Token::kIdentifier && IsKeyword(token.value)) {
      return absl::StrCat("<", token.value, ">");
    }
    std::string value = token.value;
    if (token.kind == Token::kField) value = "." + value;
    if (value.size() > 10) return absl::StrCat("\"", value.substr(0, 10), "\"...");
    return absl::StrCat("\"", value, "\"");
  }
  static bool IsKeyword(absl::string_view word) {
    return word == "if" || word == "else" || word == "end" || word == "range" ||
           word == "with" || word == "break" || word == "continue" ||
           word == "define" || word == "template" || word == "block";
  }
  static bool StartsOperand(Token::Kind kind) {
    switch (kind) {
      case Token::kIdentifier: case Token::kDot: case Token::kField:
      case Token::kVariable: case Token::kString: case Token::kChar:
      case Token::kNumber: case Token::kBool: case Token::kNil:
      case Token::kLeftParen:
        return true;
      default:
        return false;
    }
  }

  // Text, or an action with what it opens. The node is appended to `list`;
  // an `{{end}}` or `{{else}}` is reported through end_token_ instead.
  absl::StatusOr<Node> ParseNode(NodeList* list) {
    const Token& token = Next();
    if (token.kind == Token::kText) {
      Node node;
      node.kind = Node::kText;
      node.text = token.value;
      node.pos = token.pos;
      list->push_back(node);
      return node;
    }
    // A left delimiter.
    const Token& word = PeekNonSpace();
    if (word.kind == Token::kIdentifier) {
      const std::string& w = word.value;
      if (w == "end" || w == "else") {
        if (control_depth_ == 0) {
          return Error(word, absl::StrCat("unexpected {{", w, "}}"));
        }
        Next();
        end_token_ = w;
        end_pos_ = word.pos;
        return Node{};
      }
      if (w == "if" || w == "range" || w == "with") {
        Next();
        absl::StatusOr<Node> node = ParseControl(w, word.pos);
        if (!node.ok()) return node;
        list->push_back(*node);
        return node;
      }
      if (w == "break" || w == "continue") {
        Next();
        if (range_depth_ == 0) {
          return Error(word, absl::StrCat("{{", w, "}} outside {{range}}"));
        }
        if (NextNonSpace().kind != Token::kRightDelim) {
          return Error(word, absl::StrCat("unexpected ", Describe(Peek()),
                                          " in {{", w, "}}"));
        }
        Node node;
        node.kind = w == "break" ? Node::kBreak : Node::kContinue;
        node.pos = word.pos;
        list->push_back(node);
        return node;
      }
      if (w == "define" || w == "template" || w == "block") {
        return Error(word, absl::StrCat("{{", w,
                                        "}} is not supported by berth"));
      }
    }
    Node node;
    node.kind = Node::kAction;
    node.pos = word.pos;
    absl::StatusOr<Pipe> pipe = ParsePipe("command", Token::kRightDelim, false);
    if (!pipe.ok()) return pipe.status();
    node.pipe = *std::move(pipe);
    list->push_back(node);
    return node;
  }

  // if/range/with PIPELINE, a list, then {{else}} (or {{else if}}) and
  // {{end}}. Variables declared inside go out of scope at the end.
  absl::StatusOr<Node> ParseControl(const std::string& keyword, size_t pos) {
    const size_t scope = variables_.size();
    Node node;
    node.kind = keyword == "if" ? Node::kIf
                : keyword == "range" ? Node::kRange : Node::kWith;
    node.pos = pos;
    absl::StatusOr<Pipe> pipe = ParsePipe(keyword, Token::kRightDelim,
                                          keyword == "range");
    if (!pipe.ok()) return pipe.status();
    node.pipe = *std::move(pipe);
    if (keyword == "range") ++range_depth_;
    absl::StatusOr<std::string> end = ParseList(&node.list);
    if (keyword == "range") --range_depth_;
    if (!end.ok()) return end.status();
    if (*end == "else") {
      // {{else if ...}} / {{else with ...}}: an else list of one control
      // node that shares this node's {{end}}.
      const Token& next = PeekNonSpace();
      if ((keyword == "if" || keyword == "with") &&
          next.kind == Token::kIdentifier && next.value == keyword) {
        Next();
        node.else_list = std::make_shared<NodeList>();
        absl::StatusOr<Node> nested = ParseControl(keyword, next.pos);
        if (!nested.ok()) return nested.status();
        node.else_list->push_back(*std::move(nested));
        variables_.resize(scope);
        return node;
      }
      if (NextNonSpace().kind != Token::kRightDelim) {
        return Error(next, "unexpected " + Describe(next) + " in else");
      }
      absl::StatusOr<std::string> end2 = ParseList(&node.else_list);
      if (!end2.ok()) return end2.status();
      if (*end2 != "end") {
        return Error(tokens_[index_ - 1], "expected end; found {{else}}");
      }
    }
    variables_.resize(scope);
    return node;
  }

  // Nodes until {{end}} or {{else}}; returns which. After {{end}} the
  // right delimiter is consumed; after {{else}} it is not (else if).
  absl::StatusOr<std::string> ParseList(std::shared_ptr<NodeList>* out) {
    *out = std::make_shared<NodeList>();
    ++control_depth_;
    while (true) {
      if (Peek().kind == Token::kEof) {
        --control_depth_;
        return Error(Peek(), "unexpected EOF");
      }
      end_token_.clear();
      absl::StatusOr<Node> node = ParseNode(out->get());
      if (!node.ok()) {
        --control_depth_;
        return node.status();
      }
      if (!end_token_.empty()) break;
    }
    --control_depth_;
    const std::string which = end_token_;
    end_token_.clear();
    if (which == "end" && NextNonSpace().kind != Token::kRightDelim) {
      return Error(Peek(), "unexpected " + Describe(Peek()) + " in end");
    }
    return which;
  }

  // [$x := | $x = | $i, $v :=] command { | command }, up to `end`.
  absl::StatusOr<Pipe> ParsePipe(absl::string_view context, Token::Kind end,
                                 bool allow_two_variables) {
    Pipe pipe;
    pipe.pos = PeekNonSpace().pos;
    const size_t start_index = index_;
    if (Peek().kind == Token::kVariable) {
      // A declaration, if a := or = (or a comma in range) follows.
      size_t look = index_ + 1;
      while (tokens_[look].kind == Token::kSpace) ++look;
      const Token::Kind after = tokens_[look].kind;
      if (after == Token::kDeclare || after == Token::kAssign ||
          (after == Token::kComma && allow_two_variables)) {
        pipe.variables.push_back(Next().value);
        if (after == Token::kComma) {
          NextNonSpace();  // the comma
          const Token& second = NextNonSpace();
          if (second.kind != Token::kVariable) {
            return Error(second, absl::StrCat("range can only initialize "
                                              "variables"));
          }
          pipe.variables.push_back(second.value);
        }
        const Token& op = NextNonSpace();
        if (op.kind != Token::kDeclare && op.kind != Token::kAssign) {
          return Error(op, "expected := or = in declaration");
        }
        pipe.assign = op.kind == Token::kAssign;
        for (const std::string& variable : pipe.variables) {
          if (pipe.assign) {
            if (!IsDeclared(variable)) {
              return Error(op, absl::StrCat("undefined variable \"", variable,
                                            "\""));
            }
          } else {
            declared_later_.push_back(variable);
          }
        }
      }
    }
    while (true) {
      const Token& token = PeekNonSpace();
      if (token.kind == end) {
        Next();
        break;
      }
      // Go ignores a "|" just before the end, and calls an empty stage an
      // "empty command".
      if (token.kind != Token::kPipe && !StartsOperand(token.kind)) {
        return Unexpected(token, context);
      }
      absl::StatusOr<Command> command = ParseCommand(end);
      if (!command.ok()) return command.status();
      pipe.commands.push_back(*std::move(command));
      const Token& after = PeekNonSpace();
      if (after.kind == Token::kPipe) {
        Next();
      } else if (after.kind != end) {
        return Unexpected(after, "operand");
      }
    }
    if (pipe.commands.empty()) {
      return Error(tokens_[index_ - 1],
                   absl::StrCat("missing value for ", context));
    }
    for (size_t i = 1; i < pipe.commands.size(); ++i) {
      const Operand::Kind first = pipe.commands[i].operands[0].kind;
      if (first != Operand::kFunction && first != Operand::kField &&
          first != Operand::kVariable) {
        return Error(tokens_[index_ - 1],
                     absl::StrCat("non executable command in pipeline stage ",
                                  i + 1));
      }
    }
    for (std::string& variable : declared_later_) {
      variables_.push_back(std::move(variable));
    }
    declared_later_.clear();
    pipe.text = SourceBetween(start_index, index_ - 1);
    return pipe;
  }

  bool IsDeclared(const std::string& name) const {
    for (const std::string& v : variables_) {
      if (v == name) return true;
    }
    return false;
  }

  // The source text of tokens [from, to), trimmed.
  std::string SourceBetween(size_t from, size_t to) const {
    while (from < to && tokens_[from].kind == Token::kSpace) ++from;
    if (from >= to) return "";
    size_t end = tokens_[to].pos;
    while (end > tokens_[from].pos && (text_[end - 1] == ' ' ||
                                       text_[end - 1] == '\t' ||
                                       text_[end - 1] == '\n')) {
      --end;
    }
    return std::string(text_.substr(tokens_[from].pos, end - tokens_[from].pos));
  }

  absl::StatusOr<Command> ParseCommand(Token::Kind end) {
    Command command;
    command.pos = PeekNonSpace().pos;
    const size_t start_index = index_;
    while (true) {
      const Token& token = PeekNonSpace();
      if (token.kind == end || token.kind == Token::kPipe) break;
      if (!command.operands.empty() && tokens_[index_ - 1].kind != Token::kSpace) {
        return Unexpected(token, "operand");
      }
      absl::StatusOr<Operand> operand = ParseOperand();
      if (!operand.ok()) return operand.status();
      command.operands.push_back(*std::move(operand));
    }
    if (command.operands.empty()) {
      return Error(Peek(), "empty command");
    }
    command.text = SourceBetween(start_index, index_);
    return command;
  }

  // A term, then the fields chained to it: `.A.B`, `$x.A`, `(pipe).A`.
  absl::StatusOr<Operand> ParseOperand() {
    const size_t start_index = index_;
    const Token& token = Next();
    Operand operand;
    operand.pos = token.pos;
    switch (token.kind) {
      case Token::kIdentifier:
        if (!is_function_(token.value)) {
          return Error(token, absl::StrCat("function \"", token.value,
                                           "\" not defined"));
        }
        operand.kind = Operand::kFunction;
        operand.name = token.value;
        break;
      case Token::kDot:
        operand.kind = Operand::kDot;
        break;
      case Token::kNil:
        operand.kind = Operand::kNil;
        break;
      case Token::kField:
        operand.kind = Operand::kField;
        operand.fields.push_back(token.value);
        break;
      case Token::kVariable:
        if (!IsDeclared(token.value)) {
          return Error(token, absl::StrCat("undefined variable \"",
                                           token.value, "\""));
        }
        operand.kind = Operand::kVariable;
        operand.name = token.value;
        break;
      case Token::kBool:
        operand.kind = Operand::kConstant;
        operand.constant = token.value == "true";
        break;
      case Token::kString:
        operand.kind = Operand::kConstant;
        operand.constant = token.value;
        break;
      case Token::kChar:
        operand.kind = Operand::kConstant;
        operand.constant = std::stoll(token.value);
        break;
      case Token::kNumber: {
        std::optional<ordered_json> number = ParseNumber(token.value);
        if (!number.has_value()) {
          return Error(token, absl::StrCat("bad number syntax: \"",
                                           token.value, "\""));
        }
        operand.kind = Operand::kConstant;
        operand.constant = *std::move(number);
        break;
      }
      case Token::kLeftParen: {
        absl::StatusOr<Pipe> pipe =
            ParsePipe("parenthesized pipeline", Token::kRightParen, false);
        if (!pipe.ok()) return pipe.status();
        operand.kind = Operand::kPipe;
        operand.pipe = std::make_shared<Pipe>(*std::move(pipe));
        break;
      }
      default:
        return Unexpected(token, "operand");
    }
    while (Peek().kind == Token::kField) {
      if (operand.kind == Operand::kFunction || operand.kind == Operand::kNil ||
          operand.kind == Operand::kConstant || operand.kind == Operand::kDot) {
        return Error(Peek(), absl::StrCat("unexpected . after term \"",
                                          SourceBetween(start_index, index_),
                                          "\""));
      }
      operand.fields.push_back(Next().value);
    }
    operand.text = SourceBetween(start_index, index_);
    return operand;
  }

  std::string name_;
  absl::string_view text_;
  std::vector<Token> tokens_;
  bool (*is_function_)(absl::string_view);
  size_t index_ = 0;
  std::vector<std::string> variables_;       // in scope, "$" first
  std::vector<std::string> declared_later_;  // visible after their pipeline
  int control_depth_ = 0;
  int range_depth_ = 0;
  std::string end_token_;  // "end" or "else" when ParseNode met one
  size_t end_pos_ = 0;
};

}  // namespace

absl::StatusOr<std::shared_ptr<const Tree>> ParseTree(
    absl::string_view name, absl::string_view text,
    bool (*is_function)(absl::string_view name)) {
  absl::StatusOr<std::vector<Token>> tokens = Lex(text);
  if (!tokens.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("template: ", name, ":", tokens.status().message()));
  }
  auto tree = std::make_shared<Tree>();
  tree->name = std::string(name);
  tree->source = std::string(text);
  Parser parser(name, tree->source, *std::move(tokens), is_function);
  absl::StatusOr<NodeList> root = parser.Run();
  if (!root.ok()) return root.status();
  tree->root = *std::move(root);
  return std::shared_ptr<const Tree>(std::move(tree));
}

}  // namespace berth::ctl::template_internal
