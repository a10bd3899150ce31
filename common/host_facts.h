// The machine a service runs on, as `docker info` reports it: kernel, OS,
// architecture, CPUs, memory, host name.
#ifndef BERTH_COMMON_HOST_FACTS_H_
#define BERTH_COMMON_HOST_FACTS_H_

#include <string>

#include "absl/strings/string_view.h"
#include "berth/types/v1/types.pb.h"

namespace berth {

// Reads the facts from uname, /etc/os-release, sysconf and sysinfo. A fact
// that cannot be read is left empty (0): info still answers.
types::v1::HostInfo ReadHostFacts();

// PRETTY_NAME of an os-release file's text ("Debian GNU/Linux 12
// (bookworm)"), unquoted; NAME if it has none; "" if neither.
std::string OsReleaseName(absl::string_view os_release);

// Docker's name for the filesystem type of `path` as statfs reports it
// ("extfs", "xfs", "tmpfs", "btrfs", "overlayfs", ...; "<unknown>").
std::string BackingFilesystem(const std::string& path);

}  // namespace berth

#endif  // BERTH_COMMON_HOST_FACTS_H_
