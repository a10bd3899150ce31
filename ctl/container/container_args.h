// The values of `berth create`/`berth run` flags, read as Docker's CLI reads
// them: environment (`-e`, `--env-file`), labels, `--restart`, sizes
// (`--memory 512m`), `--cpus 1.5`, `--ulimit`, `--log-opt` and
// `--security-opt`. Pure functions; the environment and the file system are
// passed in, so that tests need neither.
#ifndef BERTH_CTL_CONTAINER_CONTAINER_ARGS_H_
#define BERTH_CTL_CONTAINER_CONTAINER_ARGS_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "berth/container/v1/container_spec.pb.h"
#include "common/storage_opts.h"  // ParseRamBytes, shared with containerd

namespace berth::ctl {

// A variable of the CLI's environment, or nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
// The whole content of a file, or the error ("open F: no such file...").
using FileReader = std::function<absl::StatusOr<std::string>(const std::string&)>;

// The real ones: getenv and reading from disk.
std::optional<std::string> LookupProcessEnv(const std::string& name);
absl::StatusOr<std::string> ReadWholeFile(const std::string& path);
// The process's working directory ("/" if it cannot be read).
std::string CurrentDirectory();

// pflag's error for a bad flag value, which Docker prints as is:
// invalid argument "x" for "-m, --memory" flag: invalid size: 'x'
absl::Status FlagValueError(absl::string_view flag, absl::string_view value,
                            absl::string_view problem);

// `-e VALUE`: "KEY=VAL" as given; "KEY" alone takes KEY's value from the
// CLI's environment ("KEY=value"), or stays "KEY" when it is unset (the
// daemon then drops the image's KEY). An empty name is an error.
absl::StatusOr<std::string> ExpandEnv(absl::string_view value,
                                      const EnvLookup& lookup);

// Docker's env-file format: one variable per line; blank lines and lines
// starting with '#' are skipped; leading whitespace is dropped; "KEY=VALUE"
// is kept as is (the value untouched, quotes included); "KEY" alone is
// looked up like `-e KEY`. With `lookup` null (label files) "KEY" stays as
// is. Errors name the file: a name with whitespace, a line with no name,
// invalid UTF-8.
absl::StatusOr<std::vector<std::string>> ParseEnvFile(
    absl::string_view content, absl::string_view filename,
    const EnvLookup* lookup);

// `--label-file` lines and `-l` values ("KEY=VALUE" or "KEY" for an empty
// value) into a map; later ones win. An empty key is an error.
absl::StatusOr<std::map<std::string, std::string>> ParseLabels(
    const std::vector<std::string>& values);

// `--restart no|always|on-failure[:N]|unless-stopped` with Docker's
// messages ("invalid restart policy: ..."). "" is the unset policy.
absl::StatusOr<container::v1::RestartPolicy> ParseRestartPolicy(
    absl::string_view value);
// NO or unspecified: what `--rm` may be combined with.
bool IsNoRestart(const container::v1::RestartPolicy& policy);

// `--cpus`: a decimal ("1.5", ".25") or fraction ("3/2") in billionths:
// "1.5" -> 1500000000. Errors: "failed to parse x as a rational number",
// "value is too precise" (finer than 1e-9).
absl::StatusOr<int64_t> ParseNanoCpus(absl::string_view value);

// strconv.ParseInt's error for a bad integer flag value, wrapped by
// FlagValueError.
absl::StatusOr<int64_t> ParseIntFlag(absl::string_view flag,
                                     absl::string_view value);

// `--storage-opt KEY=VALUE` values into HostConfig.storage_opt, values as
// given (inspect shows them so, as Docker's does). Refused with pflag's
// message naming the flag value: no '=', a key other than size, a size
// that is not one of Docker's (go-units RAMInBytes) or is 0.
absl::StatusOr<std::map<std::string, std::string>> ParseStorageOpts(
    const std::vector<std::string>& values);

// `--ulimit name=soft[:hard]` (hard defaults to soft; -1 is unlimited).
absl::StatusOr<container::v1::Ulimit> ParseUlimit(absl::string_view value);

// `--security-opt` values into `security`: seccomp=unconfined|builtin|FILE
// (FILE is read with `read_file` and sent compacted, as Docker does),
// apparmor=PROFILE, label=..., no-new-privileges[=true|false],
// systempaths=unconfined. Anything else: Docker's "invalid --security-opt".
absl::Status ApplySecurityOpts(const std::vector<std::string>& values,
                               const FileReader& read_file,
                               container::v1::SecurityOptions* security);

// `--pull`: when run and create pull the image.
enum class PullPolicy {
  kMissing,  // when the daemon does not have it (the default)
  kAlways,   // before creating
  kNever,
};

// "missing", "always" or "never"; "" too, which Docker accepts and which
// pulls nothing (it is not "missing"). Otherwise Docker's error:
// invalid pull option: 'x': must be one of "always", "missing" or "never"
absl::StatusOr<PullPolicy> ParsePullPolicy(absl::string_view value);

}  // namespace berth::ctl

#endif  // BERTH_CTL_CONTAINER_CONTAINER_ARGS_H_
