// Turning what the user typed into what a contract wants, the way Docker's
// CLI reads it: argument counts, `--filter name=value` terms, timestamps and
// durations (`until=24h`), platforms and `--format` choices. Pure functions;
// what the values mean (references, filters) is the services' business.
#ifndef BERTH_CTL_CLI_ARGS_H_
#define BERTH_CTL_CLI_ARGS_H_

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "berth/types/v1/types.pb.h"

namespace berth::ctl {

// What a positional argument names: completion offers the live names of
// that kind (ctl/cli/completion.h), so a command declares it once here and
// every shell gets it.
enum class ArgKind {
  kNone,       // free text: a new name, a command, a path
  kContainer,  // a container's name or id
  kImage,      // an image reference or id
  kObject,     // anything `berth inspect` finds: containers and images
  kNetwork,
  kVolume,
};

// The word a shell script uses for `kind`: "container", "image", ... ("" for
// kNone).
const char* ArgKindName(ArgKind kind);

// How a command is shown in usage errors, help, completion and man pages.
struct CommandUsage {
  std::string path;     // "berth tag"
  std::string args;     // "SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]"
  std::string summary;  // "Create a tag TARGET_IMAGE that refers to ..."
  // The kind of each positional argument in order; the last one repeats
  // (`rm CONTAINER...` is {kContainer}; `run IMAGE COMMAND...` is {kImage,
  // kNone}). Empty: none names anything live.
  std::vector<ArgKind> arg_kinds = {};
  // A group whose unknown-command error shows its whole usage line ("berth
  // volume COMMAND") rather than its path: Docker's volume group's cobra Use
  // names COMMAND, the image, container and network groups' do not.
  bool usage_names_command = false;
};

inline constexpr size_t kUnlimited = std::numeric_limits<size_t>::max();

// Docker's message when a command gets `count` arguments but wants between
// `min` and `max` (kUnlimited for no maximum), or "" when the count is fine.
// Docker 28's words (cli/required.go), "See" for a minimum alone and "Run"
// otherwise, as there:
//   berth: 'berth tag' requires 2 arguments
//
//   Usage:  berth tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]
//
//   Run 'berth tag --help' for more information
std::string ArgCountError(const CommandUsage& usage, size_t count, size_t min,
                          size_t max);

// One `--filter name=value`: name lower-cased, both trimmed.
struct FilterTerm {
  std::string name;
  std::string value;
};

// Go's strconv.ParseInt(value, 10, 64): an optional sign, then decimal
// digits. Errors in Go's words, `function` naming the Go function:
// "strconv.ParseInt: parsing \"x\": invalid syntax", "...: value out of
// range" ("strconv.Atoi: ..." with function "strconv.Atoi").
absl::StatusOr<int64_t> ParseGoInt(absl::string_view value,
                                   absl::string_view function =
                                       "strconv.ParseInt");

// Why pflag refuses an integer flag's value ("" when it takes it): the
// flag's own check, so the error is a usage error as pflag's.
std::string IntFlagProblem(const std::string& value);

// Why one --filter value is not Docker's "name=value" ("" when it is, or
// blank): the flag's own check, so the error is a usage error as pflag's.
std::string FilterFormatProblem(const std::string& term);

// Docker's filters.ParseFlag over every --filter given; blank ones are
// skipped. INVALID_ARGUMENT (a usage error) for a term without "=".
absl::StatusOr<std::vector<FilterTerm>> SplitFilters(
    const std::vector<std::string>& flags);

// Docker's error for a filter term the command does not know, or a bad
// value of one it knows: "invalid filter 'name'", "invalid filter
// 'name=value'".
absl::Status InvalidFilter(absl::string_view name,
                           absl::string_view value = "");

// Why a --label value is refused, as Docker's ValidateLabel says it ("" when
// it is fine): "invalid label 'V': empty name", "label 'K' contains
// whitespaces". The flag's own check, so the error is a usage error
// (`network create`, `volume create`).
std::string LabelProblem(const std::string& value);

// Docker's boolean filter values (filters.GetBoolOrDefault): true or 1,
// false or 0, in any case; nullopt for another word.
std::optional<bool> FilterBool(const std::string& value);

// `label=KEY` or `label=KEY=VALUE` (negated for Docker's `label!=`).
types::v1::LabelFilter ParseLabelFilter(absl::string_view value, bool negate);

// The filters of a prune: until=TIMESTAMP|DURATION, label=..., label!=...;
// any other name is an invalid filter.
absl::StatusOr<types::v1::PruneFilter> BuildPruneFilter(
    const std::vector<FilterTerm>& terms, absl::Time now, absl::TimeZone zone);

// Docker's timestamps on the command line (GetTimestamp): a Go duration
// before `now` ("10m", "1h30m"), a Unix time ("1700000000",
// "1700000000.5"), or an RFC 3339 date or date-time, complete or cut short
// ("2024-01-02", "2024-01-02T15:04", "2024-01-02T15:04:05.5Z",
// "2024-01-02T15:04:05+02:00"); one without a zone is in `zone`.
absl::StatusOr<absl::Time> ParseTimestamp(absl::string_view value,
                                          absl::Time now, absl::TimeZone zone);

// "os[/arch[/variant]]", e.g. "linux", "linux/arm64", "linux/arm/v7".
absl::StatusOr<types::v1::Platform> ParsePlatform(absl::string_view value);

}  // namespace berth::ctl

#endif  // BERTH_CTL_CLI_ARGS_H_
