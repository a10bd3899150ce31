// berth-shim --state-dir DIR: the per-container process containerd starts.
// It reads DIR/shim.pb (spec.h); see shim_process.h and protocol.h.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/fs_util.h"
#include "services/containerd/shim/protocol.h"
#include "services/containerd/shim/shim_process.h"
#include "services/containerd/shim/spec.h"

namespace {

void ReportAndExit(const std::string& message) {
  std::fprintf(stderr, "berth-shim: %s\n", message.c_str());
  const std::string frame = berth::containerd::shim::StartErrorFrame(
      absl::FailedPreconditionError(absl::StrCat("berth-shim: ", message)));
  ssize_t ignored = write(berth::containerd::shim::kReadyFd, frame.data(),
                          frame.size());
  (void)ignored;
  std::exit(1);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace berth::containerd::shim;  // NOLINT
  if (argc != 3 || std::strcmp(argv[1], "--state-dir") != 0) {
    std::fprintf(stderr,
                 "usage: berth-shim --state-dir DIR\n"
                 "Started by berth's containerd, one per container.\n");
    return 2;
  }
  // Detach: the spawned process exits at once (containerd reaps it), the
  // shim lives on as a child of init, independent of containerd.
  pid_t shim = fork();
  if (shim < 0) ReportAndExit(absl::StrCat("fork: ", std::strerror(errno)));
  if (shim > 0) _exit(0);
  const std::string spec_path = absl::StrCat(argv[2], "/", kSpecFile);
  absl::StatusOr<std::string> bytes =
      berth::ReadFileToString(spec_path, 16 << 20);
  if (!bytes.ok()) ReportAndExit(std::string(bytes.status().message()));
  absl::StatusOr<ShimSpec> spec = ParseShimSpec(*bytes);
  if (!spec.ok()) ReportAndExit(std::string(spec.status().message()));
  return RunShim(*spec);
}
