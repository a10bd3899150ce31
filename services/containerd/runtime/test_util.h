// Test helpers: busybox root filesystems and running containers with their
// stdout captured.
#ifndef BERTH_SERVICES_CONTAINERD_RUNTIME_TEST_UTIL_H_
#define BERTH_SERVICES_CONTAINERD_RUNTIME_TEST_UTIL_H_

#include <sys/types.h>

#include <functional>
#include <set>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "services/containerd/runtime/runtime.h"

namespace berth {
namespace containerd {
namespace runtime {
namespace testing {

// A fresh directory under $TEST_TMPDIR (or /tmp), removed with its contents.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Writes a minimal busybox tree into `dir`: bin etc proc sys dev tmp,
// /bin/busybox with applet symlinks, /etc/passwd (root, app 1000) and
// /etc/group (root, app 1000, staff 50 and audio 29 with app as member).
absl::Status MakeBusyboxRootfs(const std::string& dir);

// Writes `data` to `path`, creating it with `mode`.
absl::Status WriteFile(const std::string& path, const std::string& data,
                       mode_t mode = 0644);

// How the rootfs is handed to the container.
enum class RootfsMode { kOverlay, kPlain };

// A busybox rootfs in a temp dir, as an overlay (lowerdir = the tree, upper
// and work beside it) or as the plain directory. base_spec() fills the
// rootfs fields and the usual namespaces.
class TestRootfs {
 public:
  explicit TestRootfs(RootfsMode mode);
  absl::Status status() const { return status_; }
  const std::string& temp() const { return temp_.path(); }
  // The tree the container sees (the lowerdir for overlays).
  const std::string& tree() const { return tree_; }
  InitSpec base_spec() const;

 private:
  TempDir temp_;
  RootfsMode mode_;
  std::string tree_;
  std::string rootfs_;
  std::string overlay_options_;
  absl::Status status_;
};

// A started container whose stdout is a pipe read by the test.
struct Started {
  absl::Status status;
  pid_t pid = -1;
  int stdout_fd = -1;  // read end, owned by the caller
};
Started StartContainer(InitSpec spec,
                       const std::function<absl::Status(pid_t)>& on_created = nullptr);

// Reads from `fd` until `needle` appears (true) or EOF/timeout (false);
// everything read is appended to `out`.
bool ReadUntil(int fd, const std::string& needle, std::string& out,
               absl::Duration timeout = absl::Seconds(20));
// Reads `fd` to EOF (or timeout) and closes it.
std::string ReadAllAndClose(int fd, absl::Duration timeout = absl::Seconds(20));
// waitpid with a deadline; on timeout the process is SIGKILLed and -1
// returned. Otherwise the exit code, or 128+signal.
int WaitExit(pid_t pid, absl::Duration timeout = absl::Seconds(20));

struct RunResult {
  absl::Status status;  // of SpawnContainerInit
  pid_t pid = -1;
  int exit_code = -1;
  std::string output;  // stdout
};
// Start, read stdout to EOF, wait.
RunResult RunContainer(const InitSpec& spec,
                       const std::function<absl::Status(pid_t)>& on_created = nullptr);

// Mount points (field 5) of a mountinfo text.
std::set<std::string> MountPoints(const std::string& mountinfo);
// This process's mountinfo without nsfs binds (other tests' namespaces).
std::string SelfMountinfo();

}  // namespace testing
}  // namespace runtime
}  // namespace containerd
}  // namespace berth

#endif  // BERTH_SERVICES_CONTAINERD_RUNTIME_TEST_UTIL_H_
