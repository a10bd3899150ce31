#include <sys/resource.h>

#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "services/containerd/runtime/runtime.h"

namespace berth::containerd::runtime {

namespace {

const std::map<std::string, int>& Resources() {
  static const std::map<std::string, int>* const kResources =
      new std::map<std::string, int>{
          {"as", RLIMIT_AS},           {"core", RLIMIT_CORE},
          {"cpu", RLIMIT_CPU},         {"data", RLIMIT_DATA},
          {"fsize", RLIMIT_FSIZE},     {"locks", RLIMIT_LOCKS},
          {"memlock", RLIMIT_MEMLOCK}, {"msgqueue", RLIMIT_MSGQUEUE},
          {"nice", RLIMIT_NICE},       {"nofile", RLIMIT_NOFILE},
          {"nproc", RLIMIT_NPROC},     {"rss", RLIMIT_RSS},
          {"rtprio", RLIMIT_RTPRIO},   {"rttime", RLIMIT_RTTIME},
          {"sigpending", RLIMIT_SIGPENDING}, {"stack", RLIMIT_STACK}};
  return *kResources;
}

}  // namespace

absl::StatusOr<int> RlimitFromName(const std::string& name) {
  auto it = Resources().find(name);
  if (it == Resources().end()) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid ulimit type: ", name));
  }
  return it->second;
}

std::string RlimitName(int resource) {
  for (const auto& [name, value] : Resources()) {
    if (value == resource) return name;
  }
  return absl::StrCat("resource ", resource);
}

}  // namespace berth::containerd::runtime
