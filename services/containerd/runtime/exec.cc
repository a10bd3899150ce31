#include "services/containerd/runtime/exec.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace berth {
namespace containerd {
namespace runtime {
namespace {

bool HasKey(const std::vector<std::string>& env, absl::string_view key) {
  const std::string prefix = absl::StrCat(key, "=");
  for (const std::string& entry : env) {
    if (absl::StartsWith(entry, prefix)) return true;
  }
  return false;
}

// The value of the first `key` in `env` (what getenv would see), or "".
std::string GetEnv(const std::vector<std::string>& env, absl::string_view key) {
  const std::string prefix = absl::StrCat(key, "=");
  for (const std::string& entry : env) {
    if (absl::StartsWith(entry, prefix)) return entry.substr(prefix.size());
  }
  return "";
}

// 0 if `path` is an executable regular file, else an errno.
int CheckExecutable(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return errno;
  if (S_ISDIR(st.st_mode)) return EISDIR;
  if ((st.st_mode & 0111) == 0) return EACCES;
  return 0;
}

}  // namespace

std::vector<std::string> BuildEnv(const std::vector<std::string>& env,
                                  const std::string& hostname,
                                  const std::string& home, bool tty) {
  std::vector<std::string> result;
  if (!HasKey(env, "PATH")) result.push_back(absl::StrCat("PATH=", kDefaultPath));
  if (!hostname.empty() && !HasKey(env, "HOSTNAME")) {
    result.push_back(absl::StrCat("HOSTNAME=", hostname));
  }
  if (tty && !HasKey(env, "TERM")) result.push_back("TERM=xterm");
  result.insert(result.end(), env.begin(), env.end());
  if (!HasKey(env, "HOME")) result.push_back(absl::StrCat("HOME=", home));
  return result;
}

absl::Status ExecError(int err, const std::string& file) {
  const std::string prefix = absl::StrCat("exec: \"", file, "\": ");
  switch (err) {
    case ENOENT:
      return absl::NotFoundError(absl::StrCat(prefix, "no such file or directory"));
    case EACCES:
    case EPERM:
      return absl::PermissionDeniedError(absl::StrCat(prefix, "permission denied"));
    case EISDIR:
      return absl::PermissionDeniedError(absl::StrCat(prefix, "is a directory"));
    case ENOEXEC:
      return absl::PermissionDeniedError(absl::StrCat(prefix, "exec format error"));
    default:
      return absl::InternalError(absl::StrCat(prefix, std::strerror(err)));
  }
}

absl::StatusOr<std::string> LookPath(const std::string& file,
                                     const std::vector<std::string>& env) {
  if (file.empty()) {
    return absl::NotFoundError("exec: \"\": executable file not found in $PATH");
  }
  if (file.find('/') != std::string::npos) {
    int err = CheckExecutable(file);
    if (err == ENOENT || err == ENOTDIR) {
      return absl::NotFoundError(absl::StrCat("exec: \"", file, "\": stat ", file,
                                              ": no such file or directory"));
    }
    if (err != 0) return ExecError(err, file);
    return file;
  }
  for (absl::string_view dir : absl::StrSplit(GetEnv(env, "PATH"), ':')) {
    const std::string candidate =
        absl::StrCat(dir.empty() ? absl::string_view(".") : dir, "/", file);
    if (CheckExecutable(candidate) == 0) return candidate;
  }
  return absl::NotFoundError(
      absl::StrCat("exec: \"", file, "\": executable file not found in $PATH"));
}

absl::Status Exec(const std::string& path, const std::vector<std::string>& args,
                  const std::vector<std::string>& env) {
  std::vector<char*> argv;
  for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (const std::string& entry : env) envp.push_back(const_cast<char*>(entry.c_str()));
  envp.push_back(nullptr);
  execve(path.c_str(), argv.data(), envp.data());
  return ExecError(errno, args.empty() ? path : args[0]);
}

}  // namespace runtime
}  // namespace containerd
}  // namespace berth
