#include "ctl/cli/template_lex.h"

#include <algorithm>
#include <cctype>
#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace berth::ctl::template_internal {
namespace {

constexpr absl::string_view kLeft = "{{";
constexpr absl::string_view kRight = "}}";
constexpr absl::string_view kCommentOpen = "/*";
constexpr absl::string_view kCommentClose = "*/";

// Go's isSpace for trim markers and action spacing: space, tab, CR, LF.
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool IsAlnum(char c) {
  return c == '_' || absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
         static_cast<unsigned char>(c) >= 0x80;
}

void AppendUtf8(uint32_t code, std::string* out) {
  if (code < 0x80) {
    *out += static_cast<char>(code);
  } else if (code < 0x800) {
    *out += static_cast<char>(0xC0 | (code >> 6));
    *out += static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    *out += static_cast<char>(0xE0 | (code >> 12));
    *out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (code & 0x3F));
  } else {
    *out += static_cast<char>(0xF0 | (code >> 18));
    *out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
    *out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (code & 0x3F));
  }
}

class Lexer {
 public:
  explicit Lexer(absl::string_view text) : text_(text) {}

  absl::StatusOr<std::vector<Token>> Run() {
    bool trim_text = false;  // the previous action ended in " -}}"
    while (pos_ < text_.size()) {
      size_t open = text_.find(kLeft, pos_);
      if (open == absl::string_view::npos) open = text_.size();
      absl::string_view literal = text_.substr(pos_, open - pos_);
      const bool trim_left = open < text_.size() && HasLeftTrim(open);
      if (trim_text) literal = absl::StripLeadingAsciiWhitespace(literal);
      if (trim_left) literal = absl::StripTrailingAsciiWhitespace(literal);
      if (!literal.empty()) Emit(Token::kText, std::string(literal), pos_);
      if (open == text_.size()) break;
      pos_ = open + kLeft.size() + (trim_left ? 2 : 0);
      absl::Status action = LexAction(open, &trim_text);
      if (!action.ok()) return action;
    }
    Emit(Token::kEof, "", text_.size());
    return std::move(tokens_);
  }

 private:
  bool HasLeftTrim(size_t open) const {
    const size_t at = open + kLeft.size();
    return at + 1 < text_.size() && text_[at] == '-' && IsSpace(text_[at + 1]);
  }
  // " -}}" at `at` (the space included).
  bool RightTrimAt(size_t at) const {
    return at + 2 + kRight.size() <= text_.size() && IsSpace(text_[at]) &&
           text_[at + 1] == '-' && text_.substr(at + 2, 2) == kRight;
  }
  bool RightDelimAt(size_t at) const {
    return text_.substr(at, kRight.size()) == kRight;
  }

  void Emit(Token::Kind kind, std::string value, size_t pos) {
    tokens_.push_back(Token{kind, std::move(value), pos});
  }

  absl::Status Error(absl::string_view message) const {
    return absl::InvalidArgumentError(
        absl::StrCat(LineOf(text_, std::min(pos_, text_.size())), ": ",
                     message));
  }

  // After "{{" (and its trim marker): a comment, or tokens up to "}}".
  absl::Status LexAction(size_t open, bool* trim_text) {
    size_t after_space = pos_;
    while (after_space < text_.size() && IsSpace(text_[after_space])) {
      ++after_space;
    }
    if (text_.substr(after_space, 2) == kCommentOpen) {
      return LexComment(after_space, trim_text);
    }
    Emit(Token::kLeftDelim, "", open);
    int parens = 0;
    while (true) {
      if (pos_ >= text_.size()) return Error("unclosed action");
      if (RightTrimAt(pos_) || RightDelimAt(pos_)) {
        *trim_text = RightTrimAt(pos_);
        if (parens > 0) return Error("unclosed left paren");
        Emit(Token::kRightDelim, "", pos_);
        pos_ += (*trim_text ? 2 : 0) + kRight.size();
        return absl::OkStatus();
      }
      const char c = text_[pos_];
      const size_t start = pos_;
      if (IsSpace(c)) {
        while (pos_ < text_.size() && IsSpace(text_[pos_]) &&
               !RightTrimAt(pos_)) {
          ++pos_;
        }
        Emit(Token::kSpace, "", start);
      } else if (c == '|') {
        Emit(Token::kPipe, "|", pos_++);
      } else if (c == '(') {
        ++parens;
        Emit(Token::kLeftParen, "(", pos_++);
      } else if (c == ')') {
        if (--parens < 0) return Error("unexpected right paren");
        Emit(Token::kRightParen, ")", pos_++);
      } else if (c == ',') {
        Emit(Token::kComma, ",", pos_++);
      } else if (c == '=') {
        Emit(Token::kAssign, "=", pos_++);
      } else if (c == ':') {
        if (text_.substr(pos_, 2) != ":=") return Error("expected :=");
        Emit(Token::kDeclare, ":=", pos_);
        pos_ += 2;
      } else if (c == '"') {
        absl::Status s = LexQuote();
        if (!s.ok()) return s;
      } else if (c == '`') {
        const size_t close = text_.find('`', pos_ + 1);
        if (close == absl::string_view::npos) {
          return Error("unterminated raw quoted string");
        }
        Emit(Token::kString, std::string(text_.substr(pos_ + 1, close - pos_ - 1)),
             start);
        pos_ = close + 1;
      } else if (c == '\'') {
        absl::Status s = LexChar();
        if (!s.ok()) return s;
      } else if (c == '$') {
        ++pos_;
        while (pos_ < text_.size() && IsAlnum(text_[pos_])) ++pos_;
        Emit(Token::kVariable, std::string(text_.substr(start, pos_ - start)),
             start);
      } else if (c == '.' && !(pos_ + 1 < text_.size() &&
                               absl::ascii_isdigit(text_[pos_ + 1]))) {
        ++pos_;
        while (pos_ < text_.size() && IsAlnum(text_[pos_])) ++pos_;
        if (pos_ == start + 1) {
          Emit(Token::kDot, ".", start);
        } else {
          Emit(Token::kField, std::string(text_.substr(start + 1, pos_ - start - 1)),
               start);
        }
      } else if (c == '+' || c == '-' || c == '.' || absl::ascii_isdigit(c)) {
        absl::Status s = LexNumber();
        if (!s.ok()) return s;
      } else if (IsAlnum(c)) {
        while (pos_ < text_.size() && IsAlnum(text_[pos_])) ++pos_;
        std::string word(text_.substr(start, pos_ - start));
        if (word == "true" || word == "false") {
          Emit(Token::kBool, word, start);
        } else if (word == "nil") {
          Emit(Token::kNil, word, start);
        } else {
          Emit(Token::kIdentifier, word, start);
        }
      } else if (absl::ascii_isprint(static_cast<unsigned char>(c))) {
        Emit(Token::kOther, std::string(1, c), pos_++);
      } else {
        return Error(absl::StrFormat("unrecognized character in action: %s",
                                     DescribeChar(c)));
      }
    }
  }

  static std::string DescribeChar(char c) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (absl::ascii_isprint(u)) return absl::StrFormat("U+%04X '%c'", u, c);
    return absl::StrFormat("U+%04X", u);
  }

  absl::Status LexComment(size_t start, bool* trim_text) {
    const size_t close = text_.find(kCommentClose, start + 2);
    if (close == absl::string_view::npos) {
      pos_ = text_.size();
      return Error("unclosed comment");
    }
    pos_ = close + kCommentClose.size();
    *trim_text = RightTrimAt(pos_);
    if (*trim_text) {
      pos_ += 2;
    } else if (!RightDelimAt(pos_)) {
      return Error("comment ends before closing delimiter");
    }
    pos_ += kRight.size();
    return absl::OkStatus();
  }

  // Reads `digits` hex digits at pos_ into *code.
  bool ReadHex(int digits, uint32_t* code) {
    *code = 0;
    for (int i = 0; i < digits; ++i, ++pos_) {
      if (pos_ >= text_.size() || !absl::ascii_isxdigit(text_[pos_])) {
        return false;
      }
      const char h = absl::ascii_tolower(text_[pos_]);
      *code = *code * 16 + (absl::ascii_isdigit(h) ? h - '0' : h - 'a' + 10);
    }
    return true;
  }

  // One character or escape of a quoted string or char constant at pos_,
  // appended to *out as UTF-8.
  absl::Status ReadQuotedChar(char quote, std::string* out) {
    const char c = text_[pos_++];
    if (c != '\\') {
      *out += c;
      return absl::OkStatus();
    }
    if (pos_ >= text_.size()) return Error("unterminated quoted string");
    const char e = text_[pos_++];
    uint32_t code = 0;
    switch (e) {
      case 'a': *out += '\a'; break;
      case 'b': *out += '\b'; break;
      case 'f': *out += '\f'; break;
      case 'n': *out += '\n'; break;
      case 'r': *out += '\r'; break;
      case 't': *out += '\t'; break;
      case 'v': *out += '\v'; break;
      case '\\': *out += '\\'; break;
      case 'x':
        if (!ReadHex(2, &code)) return Error("invalid syntax");
        *out += static_cast<char>(code);
        break;
      case 'u':
      case 'U':
        if (!ReadHex(e == 'u' ? 4 : 8, &code) || code > 0x10FFFF) {
          return Error("invalid syntax");
        }
        AppendUtf8(code, out);
        break;
      default:
        if (e == quote) {
          *out += e;
        } else if (e >= '0' && e <= '7') {
          code = e - '0';
          for (int i = 0; i < 2; ++i, ++pos_) {
            if (pos_ >= text_.size() || text_[pos_] < '0' || text_[pos_] > '7') {
              return Error("invalid syntax");
            }
            code = code * 8 + (text_[pos_] - '0');
          }
          if (code > 255) return Error("invalid syntax");
          *out += static_cast<char>(code);
        } else {
          return Error("invalid syntax");
        }
    }
    return absl::OkStatus();
  }

  absl::Status LexQuote() {
    const size_t start = pos_++;
    std::string value;
    while (true) {
      if (pos_ >= text_.size() || text_[pos_] == '\n') {
        return Error("unterminated quoted string");
      }
      if (text_[pos_] == '"') break;
      absl::Status s = ReadQuotedChar('"', &value);
      if (!s.ok()) return s;
    }
    ++pos_;
    Emit(Token::kString, std::move(value), start);
    return absl::OkStatus();
  }

  absl::Status LexChar() {
    const size_t start = pos_++;
    if (pos_ >= text_.size() || text_[pos_] == '\n' || text_[pos_] == '\'') {
      return Error("unterminated character constant");
    }
    std::string value;
    absl::Status s = ReadQuotedChar('\'', &value);
    if (!s.ok()) return s;
    // A multi-byte character: take the rest of its UTF-8 bytes.
    while (pos_ < text_.size() && (text_[pos_] & 0xC0) == 0x80) {
      value += text_[pos_++];
    }
    if (pos_ >= text_.size() || text_[pos_] != '\'') {
      return Error("unterminated character constant");
    }
    ++pos_;
    // Decode the UTF-8 back into a code point.
    uint32_t code = static_cast<unsigned char>(value[0]);
    if (value.size() > 1) {
      const int lead_bits = value.size() == 2 ? 5 : value.size() == 3 ? 4 : 3;
      code &= (1u << lead_bits) - 1;
      for (size_t i = 1; i < value.size(); ++i) {
        code = (code << 6) | (static_cast<unsigned char>(value[i]) & 0x3F);
      }
    }
    Emit(Token::kChar, absl::StrCat(code), start);
    return absl::OkStatus();
  }

  // Go's scanNumber: sign, 0x/0o/0b prefixes, digits with underscores, a
  // fraction and an exponent. Validity is checked by the parser.
  absl::Status LexNumber() {
    const size_t start = pos_;
    if (text_[pos_] == '+' || text_[pos_] == '-') ++pos_;
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      const bool exponent_sign =
          (c == '+' || c == '-') && pos_ > start &&
          (absl::ascii_tolower(text_[pos_ - 1]) == 'e' ||
           absl::ascii_tolower(text_[pos_ - 1]) == 'p');
      if (IsAlnum(c) || c == '.' || exponent_sign) {
        ++pos_;
      } else {
        break;
      }
    }
    Emit(Token::kNumber, std::string(text_.substr(start, pos_ - start)), start);
    return absl::OkStatus();
  }

  absl::string_view text_;
  size_t pos_ = 0;
  std::vector<Token> tokens_;
};

}  // namespace

int LineOf(absl::string_view text, size_t pos) {
  return 1 + static_cast<int>(std::count(
                 text.begin(), text.begin() + std::min(pos, text.size()), '\n'));
}

absl::StatusOr<std::vector<Token>> Lex(absl::string_view text) {
  return Lexer(text).Run();
}

}  // namespace berth::ctl::template_internal
