// The lexer of Go's text/template (the rules of text/template/parse/lex.go):
// text, `{{` `}}` with the trim markers `{{- ` and ` -}}`, comments
// `{{/* */}}`, and inside actions identifiers, keywords, fields, variables,
// strings (quoted with escapes, raw), character constants, numbers,
// `|`, `(`, `)`, `:=`, `=` and `,`. Internal to the template library.
#ifndef BERTH_CTL_CLI_TEMPLATE_LEX_H_
#define BERTH_CTL_CLI_TEMPLATE_LEX_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace berth::ctl::template_internal {

struct Token {
  enum Kind {
    kText,        // literal text (already trimmed by trim markers)
    kLeftDelim,   // {{
    kRightDelim,  // }}
    kSpace,
    kIdentifier,  // a function name or keyword
    kField,       // .Name
    kDot,         // .
    kVariable,    // $ or $name
    kString,      // value: the unquoted text
    kChar,        // value: the code point, as decimal
    kNumber,      // value: as written
    kBool,        // "true" or "false"
    kNil,
    kPipe,
    kLeftParen,
    kRightParen,
    kDeclare,  // :=
    kAssign,   // =
    kComma,
    kOther,  // any other printable ASCII character (the parser refuses it)
    kEof,
  };
  Kind kind;
  std::string value;
  size_t pos;  // byte offset in the source
};

// The tokens of `text`, ending in kEof. Comments produce no token. On a
// lexical error, INVALID_ARGUMENT "LINE: message" (the caller adds the
// "template: NAME:" prefix).
absl::StatusOr<std::vector<Token>> Lex(absl::string_view text);

// 1 + the number of newlines before `pos`.
int LineOf(absl::string_view text, size_t pos);

}  // namespace berth::ctl::template_internal

#endif  // BERTH_CTL_CLI_TEMPLATE_LEX_H_
