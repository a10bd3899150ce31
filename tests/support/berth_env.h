// BerthEnv: a private Berth installation for one end-to-end test: a
// temporary state root and run root (short paths, for the 108-byte socket
// limit), daemons started from the built binaries, and the real `berth` CLI
// pointed at them. Everything is stopped and removed when it goes away.
#ifndef BERTH_TESTS_SUPPORT_BERTH_ENV_H_
#define BERTH_TESTS_SUPPORT_BERTH_ENV_H_

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "tests/support/process.h"

namespace berth::testing {

// Runfiles paths of the binaries.
inline constexpr char kBerthd[] = "services/berthd/berthd";
inline constexpr char kBerthCli[] = "ctl/berth";
inline constexpr char kBerthShim[] = "services/containerd/shim/berth-shim";

class BerthEnv {
 public:
  BerthEnv();
  ~BerthEnv();

  const std::string& dir() const { return dir_; }
  std::string root() const { return dir_ + "/root"; }
  std::string run_root() const { return dir_ + "/run"; }
  std::string log_path() const { return dir_ + "/daemon.log"; }
  // The environment's own network namespace (a bind mount): its daemons
  // run there, so the bridges, veths and rules they make never meet the
  // host's or another test's, and they all go with the environment.
  // Outside dir() so that a check for mounts left under dir() (a
  // container's) does not see it.
  const std::string& netns_path() const { return netns_path_; }
  // `argv` run inside that namespace (the test's "host" side: wget to a
  // published port, say).
  std::vector<std::string> InNetns(const std::vector<std::string>& argv) const;

  // Starts `binary` (a runfiles path) with --root/--run-root/--log-file of
  // this environment plus `extra_args`. Unless they name a --config, the
  // daemon gets a config with the built berth-shim and this environment's
  // own cgroup parent. `env` is added to its environment.
  std::unique_ptr<Daemon> StartDaemon(
      const std::string& binary,
      const std::vector<std::string>& extra_args = {},
      const std::map<std::string, std::string>& env = {});

  // Waits until each of `services` answers healthy through `berth info`.
  bool WaitHealthy(const std::vector<std::string>& services,
                   absl::Duration timeout = absl::Seconds(30));

  // Runs the berth CLI with --run-root of this environment.
  RunResult Berth(const std::vector<std::string>& args);
  // The same with `input` as its standard input and `env` added.
  RunResult BerthWithInput(const std::vector<std::string>& args,
                           const std::string& input,
                           const std::map<std::string, std::string>& env = {});
  // The CLI's argv for `args` (to start it some other way).
  std::vector<std::string> BerthArgv(const std::vector<std::string>& args) const;

  // The cgroup parent of this environment's containers.
  const std::string& cgroup_parent() const { return cgroup_parent_; }
  // Pids of the berth-shim processes serving this environment's root.
  std::vector<int> ShimPids() const;
  // The same shims by the id of the container each serves.
  std::map<std::string, int> ShimsByContainer() const;
  // Ids of the containers that have a cgroup under this environment's
  // parent, in any hierarchy.
  std::set<std::string> ContainerCgroups() const;

 private:
  // Kills what a test left running (shims and their containers) and
  // removes this environment's cgroups: containers outlive their daemon.
  void KillLeftovers();
  // Makes the network namespace at netns_path(), loopback up.
  void MakeNetns();

  std::string dir_;
  std::string cgroup_parent_;
  std::string netns_path_;
};

}  // namespace berth::testing

#endif  // BERTH_TESTS_SUPPORT_BERTH_ENV_H_
