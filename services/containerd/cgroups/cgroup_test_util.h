// What the tests of the real drivers share.
#ifndef BERTH_SERVICES_CONTAINERD_CGROUPS_CGROUP_TEST_UTIL_H_
#define BERTH_SERVICES_CONTAINERD_CGROUPS_CGROUP_TEST_UTIL_H_

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/fs_util.h"

namespace berth::containerd::cgroups {

// A cgroup file's contents without the trailing newline, or "<error>" so
// that a comparison fails naming why.
inline std::string ReadTrimmed(const std::string& path) {
  absl::StatusOr<std::string> data = ReadFileToString(path);
  if (!data.ok()) return absl::StrCat("<", data.status().ToString(), ">");
  return std::string(absl::StripTrailingAsciiWhitespace(*data));
}

}  // namespace berth::containerd::cgroups

#endif  // BERTH_SERVICES_CONTAINERD_CGROUPS_CGROUP_TEST_UTIL_H_
