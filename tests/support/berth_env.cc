#include "tests/support/berth_env.h"

#include <dirent.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <thread>

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace berth::testing {

BerthEnv::BerthEnv() {
  char tmpl[] = "/tmp/bt-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) ADD_FAILURE() << "mkdtemp failed";
  dir_ = tmpl;
  cgroup_parent_ = "berth-test-" + dir_.substr(dir_.rfind('-') + 1);
  netns_path_ = "/tmp/bn-" + dir_.substr(dir_.rfind('-') + 1);
  MakeNetns();
}

void BerthEnv::MakeNetns() {
  const std::string path = netns_path();
  const int file = open(path.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
  if (file < 0) {
    ADD_FAILURE() << "create " << path << ": " << std::strerror(errno);
    return;
  }
  close(file);
  std::string problem;
  // A thread of its own moves into the new namespace, so the test's
  // threads stay where they are.
  std::thread maker([&] {
    if (unshare(CLONE_NEWNET) != 0) {
      problem = std::string("unshare(CLONE_NEWNET): ") + std::strerror(errno);
      return;
    }
    if (mount("/proc/thread-self/ns/net", path.c_str(), nullptr, MS_BIND,
              nullptr) != 0) {
      problem = "bind-mount the netns: " + std::string(std::strerror(errno));
      return;
    }
    const int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ifreq request{};
    std::strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
    if (sock < 0 || ioctl(sock, SIOCGIFFLAGS, &request) != 0 ||
        (request.ifr_flags |= IFF_UP, ioctl(sock, SIOCSIFFLAGS, &request)) != 0) {
      problem = "bring lo up: " + std::string(std::strerror(errno));
    }
    if (sock >= 0) close(sock);
  });
  maker.join();
  if (!problem.empty()) ADD_FAILURE() << problem;
}

std::vector<std::string> BerthEnv::InNetns(
    const std::vector<std::string>& argv) const {
  std::vector<std::string> wrapped = {"/usr/bin/nsenter",
                                      "--net=" + netns_path(), "--"};
  wrapped.insert(wrapped.end(), argv.begin(), argv.end());
  return wrapped;
}

namespace {

std::vector<int> AllPids() {
  std::vector<int> pids;
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return pids;
  while (dirent* entry = readdir(proc)) {
    int pid = std::atoi(entry->d_name);
    if (pid > 0) pids.push_back(pid);
  }
  closedir(proc);
  return pids;
}


}  // namespace

std::vector<int> BerthEnv::ShimPids() const {
  std::vector<int> shims;
  for (const auto& [id, pid] : ShimsByContainer()) shims.push_back(pid);
  return shims;
}

std::map<std::string, int> BerthEnv::ShimsByContainer() const {
  std::map<std::string, int> shims;
  // A shim runs as `berth-shim --state-dir ROOT/containerd/containers/ID`.
  const std::string marker = "--state-dir" + std::string(1, '\0') + root();
  for (int pid : AllPids()) {
    std::string cmdline = ReadFile("/proc/" + std::to_string(pid) + "/cmdline");
    const size_t at = cmdline.find(marker);
    if (cmdline.find("berth-shim") == std::string::npos ||
        at == std::string::npos) {
      continue;
    }
    std::string state_dir = cmdline.substr(at + marker.size() - root().size());
    state_dir = state_dir.substr(0, state_dir.find('\0'));
    shims[state_dir.substr(state_dir.rfind('/') + 1)] = pid;
  }
  return shims;
}

std::set<std::string> BerthEnv::ContainerCgroups() const {
  std::set<std::string> ids;
  DIR* hierarchies = opendir("/sys/fs/cgroup");
  if (hierarchies == nullptr) return ids;
  std::vector<std::string> parents = {"/sys/fs/cgroup/" + cgroup_parent_};
  while (dirent* entry = readdir(hierarchies)) {
    if (entry->d_name[0] == '.') continue;
    parents.push_back(std::string("/sys/fs/cgroup/") + entry->d_name + "/" +
                      cgroup_parent_);
  }
  closedir(hierarchies);
  for (const std::string& parent : parents) {
    DIR* dir = opendir(parent.c_str());
    if (dir == nullptr) continue;
    while (dirent* entry = readdir(dir)) {
      if (entry->d_type == DT_DIR && entry->d_name[0] != '.') {
        ids.insert(entry->d_name);
      }
    }
    closedir(dir);
  }
  return ids;
}

void BerthEnv::KillLeftovers() {
  // A paused container's processes take no signal until thawed (v1
  // freezer): thaw every cgroup of this environment first.
  const int thawed = std::system(
      ("for f in /sys/fs/cgroup/freezer/" + cgroup_parent_ +
       "/*/freezer.state; do [ -f \"$f\" ] && echo THAWED > \"$f\"; done; "
       "for f in /sys/fs/cgroup/" + cgroup_parent_ +
       "/*/cgroup.freeze; do [ -f \"$f\" ] && echo 0 > \"$f\"; done; true")
          .c_str());
  (void)thawed;  // best effort, as below
  std::vector<int> shims = ShimPids();
  // A container's init is its shim's child; killing it ends its whole PID
  // namespace, then the shim is killed too.
  for (int pid : AllPids()) {
    for (int shim : shims) {
      if (ParentOf(pid) == shim) kill(pid, SIGKILL);
    }
  }
  for (int shim : shims) kill(shim, SIGKILL);
  if (!shims.empty()) usleep(200 * 1000);
  // The environment's cgroups, deepest first.
  const int removed = std::system(("for d in /sys/fs/cgroup/*/" + cgroup_parent_ +
               " /sys/fs/cgroup/" + cgroup_parent_ +
               "; do [ -d \"$d\" ] && find \"$d\" -depth -type d "
               "-exec rmdir {} + 2>/dev/null; done; true")
                  .c_str());
  (void)removed;  // best effort: whatever is left is reported by the tests
  // Namespaces of containers on networks that a failed test left bound.
  if (DIR* netns = opendir((run_root() + "/netns").c_str())) {
    while (dirent* entry = readdir(netns)) {
      if (entry->d_name[0] == '.') continue;
      const std::string path = run_root() + "/netns/" + entry->d_name;
      umount2(path.c_str(), MNT_DETACH);  // best effort, as above
    }
    closedir(netns);
  }
}

BerthEnv::~BerthEnv() {
  KillLeftovers();
  // The namespace, its bridges and veths go once nothing is left in it.
  if (umount2(netns_path().c_str(), MNT_DETACH) != 0) {
    std::fprintf(stderr, "unmount %s: %s\n", netns_path().c_str(),
                 std::strerror(errno));
  }
  unlink(netns_path().c_str());
  if (::testing::Test::HasFailure()) {
    std::fprintf(stderr, "--- daemon log (%s) ---\n%s\n", log_path().c_str(),
                 ReadFile(log_path()).c_str());
  }
  if (std::system(("rm -rf '" + dir_ + "'").c_str()) != 0) {
    std::fprintf(stderr, "could not remove %s\n", dir_.c_str());
  }
}

std::unique_ptr<Daemon> BerthEnv::StartDaemon(
    const std::string& binary, const std::vector<std::string>& extra_args,
    const std::map<std::string, std::string>& env) {
  std::vector<std::string> argv = {Runfile(binary), "--root",   root(),
                                   "--run-root",    run_root(), "--log-file",
                                   log_path()};
  bool has_config = false;
  for (const std::string& arg : extra_args) has_config |= arg == "--config";
  if (!has_config) {
    const std::string config = dir_ + "/berth-test-config.json";
    std::ofstream(config) << "{\"runtime\": {\"shimPath\": \""
                          << Runfile(kBerthShim) << "\", \"cgroupParent\": \""
                          << cgroup_parent_
                          << "\"}, \"netd\": {\"masquerade\": false, "
                             "\"dnsForwarding\": false}}";
    argv.push_back("--config");
    argv.push_back(config);
  }
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  return std::make_unique<Daemon>(InNetns(argv), log_path(), env);
}

bool BerthEnv::WaitHealthy(const std::vector<std::string>& services,
                           absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    RunResult info = Berth({"info", "--format", "json"});
    nlohmann::json parsed = nlohmann::json::parse(info.out, nullptr, false);
    if (!parsed.is_discarded()) {
      size_t healthy = 0;
      for (const auto& service : parsed["Services"]) {
        for (const std::string& wanted : services) {
          if (service["Name"] == wanted && service["Status"] == "healthy") {
            ++healthy;
          }
        }
      }
      if (healthy == services.size()) return true;
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  return false;
}

std::vector<std::string> BerthEnv::BerthArgv(
    const std::vector<std::string>& args) const {
  std::vector<std::string> argv = {Runfile(kBerthCli), "--run-root",
                                   run_root()};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

RunResult BerthEnv::Berth(const std::vector<std::string>& args) {
  return RunCommand(BerthArgv(args));
}

RunResult BerthEnv::BerthWithInput(const std::vector<std::string>& args,
                                   const std::string& input,
                                   const std::map<std::string, std::string>& env) {
  return RunCommandWithInput(BerthArgv(args), input, env);
}

}  // namespace berth::testing
