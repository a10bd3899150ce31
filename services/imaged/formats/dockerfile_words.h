// Internal to //services/imaged/formats: the lexical rules of a Dockerfile
// line as Docker's (BuildKit's) parser applies them, for changes.cc.
//
// A change such as `ENV A="x y" B=$A` goes through three steps: the text is
// cut into logical lines (LogicalLines), an instruction's arguments into raw
// words that keep their quotes (SplitWords), and each word is unquoted and
// has its variables expanded (ExpandWord).
#ifndef BERTH_SERVICES_IMAGED_FORMATS_DOCKERFILE_WORDS_H_
#define BERTH_SERVICES_IMAGED_FORMATS_DOCKERFILE_WORDS_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace berth::imaged::formats::internal {

// Variables visible to ExpandWord, e.g. from the config's Env.
using Environment = std::map<std::string, std::string>;

// Environment of a "KEY=value" list; a later entry for a key wins.
template <typename StringList>
Environment EnvironmentOf(const StringList& env) {
  Environment result;
  for (const std::string& entry : env) {
    size_t eq = entry.find('=');
    if (eq == std::string::npos) {
      result[entry] = "";
    } else {
      result[entry.substr(0, eq)] = entry.substr(eq + 1);
    }
  }
  return result;
}

// The instructions in `text`: lines ending in a backslash are joined with
// the next one (the backslash and newline removed), blank lines and lines
// starting with '#' are skipped, surrounding whitespace is trimmed.
std::vector<std::string> LogicalLines(absl::string_view text);

// Splits `args` at unquoted whitespace. Words keep their quotes and
// backslashes for ExpandWord.
std::vector<std::string> SplitWords(absl::string_view args);

// Removes the quotes and escapes of one word and expands $NAME, ${NAME},
// ${NAME:-word}, ${NAME-word}, ${NAME:+word}, ${NAME+word}, ${NAME:?msg} and
// ${NAME?msg} from `env`; unset variables expand to "". Inside double quotes
// a backslash escapes only `"`, `$` and `\`. INVALID_ARGUMENT for an
// unterminated quote or ${...}, an unsupported modifier, or a failed `?`.
absl::StatusOr<std::string> ExpandWord(absl::string_view word,
                                       const Environment& env);

// The exec (JSON) form of CMD, ENTRYPOINT, SHELL, VOLUME and HEALTHCHECK
// CMD. nullopt when `args` does not start with '['; INVALID_ARGUMENT when it
// does but is not a JSON array of strings.
absl::StatusOr<std::optional<std::vector<std::string>>> ParseExecForm(
    absl::string_view args);

}  // namespace berth::imaged::formats::internal

#endif  // BERTH_SERVICES_IMAGED_FORMATS_DOCKERFILE_WORDS_H_
