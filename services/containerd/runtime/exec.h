// The command's environment and executable lookup, with Docker's defaults
// and runc's error messages.
#ifndef BERTH_SERVICES_CONTAINERD_RUNTIME_EXEC_H_
#define BERTH_SERVICES_CONTAINERD_RUNTIME_EXEC_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace berth {
namespace containerd {
namespace runtime {

// Docker's PATH for containers whose env does not set one.
inline constexpr char kDefaultPath[] =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// `env` plus what Docker adds when missing: PATH (kDefaultPath),
// HOSTNAME=`hostname` (if not empty), TERM=xterm with a terminal (`tty`)
// and HOME=`home`.
std::vector<std::string> BuildEnv(const std::vector<std::string>& env,
                                  const std::string& hostname,
                                  const std::string& home, bool tty = false);

// Finds `file` like exec.LookPath in runc: a name with a '/' is used as is,
// otherwise each directory of the PATH in `env` is searched for an
// executable regular file. NotFound (`exec: "x": executable file not found
// in $PATH`), or PermissionDenied for a named file that is a directory or
// not executable.
absl::StatusOr<std::string> LookPath(const std::string& file,
                                     const std::vector<std::string>& env);

// The status for a failed execve of `file` with errno `err`: NotFound for
// ENOENT (also a missing interpreter), PermissionDenied for EACCES, EPERM,
// EISDIR and ENOEXEC.
absl::Status ExecError(int err, const std::string& file);

// execve(path, args, env); returns only on failure, with ExecError.
absl::Status Exec(const std::string& path, const std::vector<std::string>& args,
                  const std::vector<std::string>& env);

}  // namespace runtime
}  // namespace containerd
}  // namespace berth

#endif  // BERTH_SERVICES_CONTAINERD_RUNTIME_EXEC_H_
