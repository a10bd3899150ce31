// The fault harness's checks: Berth's container records against the
// processes, cgroups and files that exist, both ways.
#include <dirent.h>
#include <signal.h>

#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "nlohmann/json.hpp"
#include "tests/fault/fault_harness.h"

namespace berth::testing {
namespace {

// Names in `dir` (without `suffix`, and only those ending in it).
std::set<std::string> Entries(const std::string& dir,
                              const std::string& suffix = "") {
  std::set<std::string> names;
  DIR* listing = opendir(dir.c_str());
  if (listing == nullptr) return names;
  while (dirent* entry = readdir(listing)) {
    absl::string_view name = entry->d_name;
    if (name == "." || name == "..") continue;
    if (!suffix.empty() && !absl::ConsumeSuffix(&name, suffix)) continue;
    names.insert(std::string(name));
  }
  closedir(listing);
  return names;
}


// What exists of containers, whatever Berth says.
struct Reality {
  std::map<std::string, int> shims;  // by container id
  std::set<std::string> cgroups;
  std::set<std::string> state_dirs;
  std::set<std::string> snapshots;
  std::set<std::string> sockets;
  // Volumes volumed counts as held by some container.
  std::set<std::string> held_volumes;
};

std::set<std::string> HeldVolumes(BerthEnv& env) {
  RunResult held = env.Berth({"volume", "ls", "-q", "--filter", "dangling=false"});
  std::set<std::string> names;
  for (absl::string_view name :
       absl::StrSplit(held.out, '\n', absl::SkipWhitespace())) {
    names.emplace(name);
  }
  if (held.exit_code != 0) names.insert("(volume ls failed: " + held.err + ")");
  return names;
}

Reality Look(BerthEnv& env) {
  Reality reality;
  reality.shims = env.ShimsByContainer();
  reality.cgroups = env.ContainerCgroups();
  reality.state_dirs = Entries(env.root() + "/containerd/containers");
  reality.snapshots = Entries(env.root() + "/imaged/snapshots");
  reality.sockets = Entries(env.run_root() + "/shims", ".sock");
  reality.held_volumes = HeldVolumes(env);
  return reality;
}

// Every container record, as inspect shows it; false if Berth did not say.
bool Records(BerthEnv& env, nlohmann::json* records, std::string* error) {
  RunResult ids = env.Berth({"ps", "-a", "-q", "--no-trunc"});
  if (ids.exit_code != 0) {
    *error = "ps -a failed: " + ids.err;
    return false;
  }
  std::vector<std::string> args = {"inspect"};
  for (absl::string_view id :
       absl::StrSplit(ids.out, '\n', absl::SkipWhitespace())) {
    args.emplace_back(id);
  }
  if (args.size() == 1) {
    *records = nlohmann::json::array();
    return true;
  }
  RunResult inspected = env.Berth(args);
  *records = nlohmann::json::parse(inspected.out, nullptr, false);
  if (inspected.exit_code != 0 || !records->is_array()) {
    *error = "inspect of every container failed: " + inspected.err;
    return false;
  }
  return true;
}

}  // namespace

Observed CheckInvariants(BerthEnv& env) {
  Observed observed;
  nlohmann::json records;
  std::string error;
  if (!Records(env, &records, &error)) {
    observed.inconsistencies.push_back(error);
    return observed;
  }
  const Reality reality = Look(env);
  std::set<std::string> known, running, mounted_volumes;
  for (const nlohmann::json& record : records) {
    for (const nlohmann::json& mount : record.value("Mounts", nlohmann::json::array())) {
      if (mount.value("Type", "") == "volume") {
        mounted_volumes.insert(mount.value("Name", ""));
      }
    }
    ++observed.records;
    const std::string id = record.value("Id", "");
    const std::string name = absl::StrCat(
        absl::StripPrefix(record.value("Name", ""), "/"), " (", id.substr(0, 12),
        ")");
    const std::string status = record["State"].value("Status", "");
    known.insert(id);
    auto wrong = [&](const std::string& what) {
      observed.inconsistencies.push_back(
          absl::StrCat(name, " is ", status, " but ", what));
    };
    if (!reality.state_dirs.count(id)) wrong("its state directory is missing");
    if (!reality.snapshots.count(id)) wrong("its rootfs snapshot is missing");
    if (status == "running" || status == "paused") {
      running.insert(id);
      const int pid = record["State"].value("Pid", 0);
      auto shim = reality.shims.find(id);
      if (pid <= 0 || kill(pid, 0) != 0) {
        wrong(absl::StrCat("its init (pid ", pid, ") is gone"));
      } else if (shim == reality.shims.end()) {
        wrong("no shim serves it");
      } else if (ParentOf(pid) != shim->second) {
        wrong(absl::StrCat("its init (pid ", pid, ") is not its shim's child"));
      }
      if (!reality.cgroups.count(id)) wrong("it has no cgroup");
    } else if (status == "created" || status == "exited" || status == "dead") {
      auto shim = reality.shims.find(id);
      if (shim != reality.shims.end()) {
        wrong(absl::StrCat("a shim (pid ", shim->second, ") serves it"));
      }
      if (reality.cgroups.count(id)) wrong("its cgroup exists");
    } else {
      // No loop sets a restart policy, and recovery finishes removals.
      wrong("no call is in progress");
    }
  }
  auto untracked = [&](const std::set<std::string>& ids,
                       const std::set<std::string>& owners,
                       const std::string& what) {
    for (const std::string& id : ids) {
      if (!owners.count(id)) {
        observed.leaks.push_back(absl::StrCat(what, " of ", id, ", which ",
                                              known.count(id) ? "is not running"
                                                              : "has no record"));
      }
    }
  };
  std::set<std::string> shim_ids;
  for (const auto& [id, pid] : reality.shims) shim_ids.insert(id);
  untracked(shim_ids, running, "a shim");
  untracked(reality.cgroups, running, "a cgroup");
  untracked(reality.state_dirs, known, "the state directory");
  untracked(reality.snapshots, known, "the rootfs snapshot");
  untracked(reality.sockets, known, "the shim socket");
  for (const std::string& volume : reality.held_volumes) {
    if (!mounted_volumes.count(volume)) {
      observed.leaks.push_back(absl::StrCat(
          "volume ", volume, ", held though no container mounts it"));
    }
  }
  for (const std::string& volume : mounted_volumes) {
    if (!reality.held_volumes.count(volume)) {
      observed.inconsistencies.push_back(absl::StrCat(
          "volume ", volume, " is mounted by a container but not held"));
    }
  }
  return observed;
}

std::vector<std::string> Leftovers(BerthEnv& env) {
  std::vector<std::string> left;
  RunResult ids = env.Berth({"ps", "-a", "-q", "--no-trunc"});
  if (ids.exit_code != 0) {
    left.push_back("ps -a failed: " + ids.err);
  } else if (!absl::StripAsciiWhitespace(ids.out).empty()) {
    left.push_back("records after rm -f of all: " + ids.out);
  }
  const Reality reality = Look(env);
  for (const auto& [id, pid] : reality.shims) {
    left.push_back(absl::StrCat("a shim (pid ", pid, ") of ", id));
  }
  for (const std::string& id : reality.cgroups) left.push_back("the cgroup of " + id);
  for (const std::string& id : reality.state_dirs) {
    left.push_back("the state directory of " + id);
  }
  for (const std::string& id : reality.snapshots) {
    left.push_back("the rootfs snapshot " + id);
  }
  for (const std::string& id : reality.sockets) {
    left.push_back("the shim socket of " + id);
  }
  for (const std::string& volume : reality.held_volumes) {
    left.push_back("volume " + volume + ", still held");
  }
  return left;
}

}  // namespace berth::testing
