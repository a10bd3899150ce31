#include "services/imaged/formats/dockerfile_words.h"

#include <cstdint>
#include <limits>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "common/status_macros.h"
#include "services/imaged/formats/json_util.h"

namespace berth::imaged::formats::internal {
namespace {

bool IsNameStart(char c) { return absl::ascii_isalpha(c) || c == '_'; }
bool IsNameChar(char c) { return absl::ascii_isalnum(c) || c == '_'; }

// One pass over a word, in the manner of BuildKit's shell lexer.
class WordExpander {
 public:
  WordExpander(absl::string_view word, const Environment& env)
      : in_(word), env_(env) {}

  absl::StatusOr<std::string> Run() { return Process('\0', 0); }

 private:
  // ${a:-${b:-...}} recurses once per level; hostile input must not be able
  // to exhaust the stack.
  static constexpr int kMaxDepth = 32;

  bool AtEnd() const { return pos_ >= in_.size(); }

  // Reads up to (not including) an unquoted `stop`, or to the end when
  // `stop` is '\0'.
  absl::StatusOr<std::string> Process(char stop, int depth) {
    std::string out;
    while (!AtEnd()) {
      char c = in_[pos_];
      if (stop != '\0' && c == stop) return out;
      ++pos_;
      switch (c) {
        case '\'': {
          size_t end = in_.find('\'', pos_);
          if (end == absl::string_view::npos) {
            return absl::InvalidArgumentError(
                "unexpected end of statement while looking for matching "
                "single-quote");
          }
          absl::StrAppend(&out, in_.substr(pos_, end - pos_));
          pos_ = end + 1;
          break;
        }
        case '"':
          RETURN_IF_ERROR(DoubleQuoted(&out, depth));
          break;
        case '\\':
          if (!AtEnd()) out.push_back(in_[pos_++]);
          break;
        case '$':
          RETURN_IF_ERROR(Dollar(&out, depth));
          break;
        default:
          out.push_back(c);
      }
    }
    if (stop != '\0') {
      return absl::InvalidArgumentError(
          absl::StrCat("unexpected end of statement while looking for "
                       "matching '",
                       std::string(1, stop), "'"));
    }
    return out;
  }

  absl::Status DoubleQuoted(std::string* out, int depth) {
    while (!AtEnd()) {
      char c = in_[pos_++];
      if (c == '"') return absl::OkStatus();
      if (c == '\\' && !AtEnd()) {
        char next = in_[pos_];
        if (next == '"' || next == '$' || next == '\\') {
          out->push_back(next);
          ++pos_;
          continue;
        }
      }
      if (c == '$') {
        RETURN_IF_ERROR(Dollar(out, depth));
        continue;
      }
      out->push_back(c);
    }
    return absl::InvalidArgumentError(
        "unexpected end of statement while looking for matching "
        "double-quote");
  }

  std::string ReadName() {
    size_t start = pos_;
    while (!AtEnd() && IsNameChar(in_[pos_])) ++pos_;
    return std::string(in_.substr(start, pos_ - start));
  }

  // After a '$': a variable, or a literal '$' when no name follows.
  absl::Status Dollar(std::string* out, int depth) {
    if (!AtEnd() && in_[pos_] == '{') {
      ++pos_;
      return Braced(out, depth);
    }
    if (AtEnd() || !IsNameStart(in_[pos_])) {
      out->push_back('$');
      return absl::OkStatus();
    }
    auto it = env_.find(ReadName());
    if (it != env_.end()) absl::StrAppend(out, it->second);
    return absl::OkStatus();
  }

  // After "${": NAME} or NAME followed by a modifier and a word.
  absl::Status Braced(std::string* out, int depth) {
    std::string name = ReadName();
    if (name.empty()) return absl::InvalidArgumentError("bad substitution");
    if (AtEnd()) {
      return absl::InvalidArgumentError("missing '}' in ${" + name);
    }
    char op = in_[pos_++];
    auto it = env_.find(name);
    if (op == '}') {
      if (it != env_.end()) absl::StrAppend(out, it->second);
      return absl::OkStatus();
    }
    bool colon = op == ':';
    if (colon) {
      if (AtEnd()) return absl::InvalidArgumentError("bad substitution");
      op = in_[pos_++];
    }
    if (op != '-' && op != '+' && op != '?') {
      return absl::InvalidArgumentError(absl::StrCat(
          "unsupported modifier (", std::string(1, op), ") in substitution"));
    }
    if (depth + 1 > kMaxDepth) {
      return absl::InvalidArgumentError("substitutions nested too deeply");
    }
    ASSIGN_OR_RETURN(std::string word, Process('}', depth + 1));
    ++pos_;  // the '}' Process stopped at
    bool set = it != env_.end();
    bool use_value = colon ? set && !it->second.empty() : set;
    switch (op) {
      case '-':
        absl::StrAppend(out, use_value ? it->second : word);
        break;
      case '+':
        if (use_value) absl::StrAppend(out, word);
        break;
      default:  // '?'
        if (!use_value) {
          return absl::InvalidArgumentError(absl::StrCat(
              name, ": ", word.empty() ? "is not allowed to be unset" : word));
        }
        absl::StrAppend(out, it->second);
    }
    return absl::OkStatus();
  }

  absl::string_view in_;
  const Environment& env_;
  size_t pos_ = 0;
};

}  // namespace

std::vector<std::string> LogicalLines(absl::string_view text) {
  std::vector<std::string> lines;
  std::string current;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    absl::string_view trimmed = absl::StripAsciiWhitespace(line);
    if (trimmed.empty() || trimmed.front() == '#') continue;
    absl::string_view body = absl::StripTrailingAsciiWhitespace(line);
    bool continues = body.back() == '\\';
    if (continues) body.remove_suffix(1);
    absl::StrAppend(&current, body);
    if (!continues) {
      lines.emplace_back(absl::StripAsciiWhitespace(current));
      current.clear();
    }
  }
  absl::string_view rest = absl::StripAsciiWhitespace(current);
  if (!rest.empty()) lines.emplace_back(rest);
  return lines;
}

std::vector<std::string> SplitWords(absl::string_view args) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  bool escaped = false;
  char quote = '\0';
  for (char c : args) {
    if (!in_word) {
      if (absl::ascii_isspace(c)) continue;
      in_word = true;
    }
    if (escaped) {
      escaped = false;
    } else if (c == '\\') {
      escaped = true;
    } else if (quote != '\0') {
      if (c == quote) quote = '\0';
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (absl::ascii_isspace(c)) {
      words.push_back(std::move(word));
      word.clear();
      in_word = false;
      continue;
    }
    word.push_back(c);
  }
  if (in_word) words.push_back(std::move(word));
  return words;
}

absl::StatusOr<std::string> ExpandWord(absl::string_view word,
                                       const Environment& env) {
  return WordExpander(word, env).Run();
}

absl::StatusOr<std::optional<std::vector<std::string>>> ParseExecForm(
    absl::string_view args) {
  args = absl::StripAsciiWhitespace(args);
  if (args.empty() || args.front() != '[') return std::nullopt;
  ASSIGN_OR_RETURN(Json json, ParseJson(args, "exec form"));
  if (!json.is_array()) {
    return absl::InvalidArgumentError("exec form: not a JSON array");
  }
  std::vector<std::string> list;
  for (const Json& element : json) {
    if (!element.is_string()) {
      return absl::InvalidArgumentError(
          absl::StrCat("exec form: JSON array must hold only strings, not ",
                       TypeName(element)));
    }
    list.push_back(element.get<std::string>());
  }
  return list;
}

}  // namespace berth::imaged::formats::internal
