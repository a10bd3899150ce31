#include "common/host_facts.h"

#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <climits>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace berth {
namespace {

std::string Unquote(absl::string_view value) {
  value = absl::StripAsciiWhitespace(value);
  if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
      value.back() == value.front()) {
    value = value.substr(1, value.size() - 2);
  }
  return std::string(value);
}

}  // namespace

std::string OsReleaseName(absl::string_view os_release) {
  std::string name;
  for (absl::string_view line : absl::StrSplit(os_release, '\n')) {
    if (absl::ConsumePrefix(&line, "PRETTY_NAME=")) return Unquote(line);
    if (absl::ConsumePrefix(&line, "NAME=")) name = Unquote(line);
  }
  return name;
}

std::string BackingFilesystem(const std::string& path) {
  struct statfs fs;
  if (statfs(path.c_str(), &fs) != 0) return "<unknown>";
  // The magic numbers of linux/magic.h, named as Docker's graphdriver does.
  switch (static_cast<unsigned long>(fs.f_type)) {
    case 0xEF53: return "extfs";
    case 0x58465342: return "xfs";
    case 0x01021994: return "tmpfs";
    case 0x9123683E: return "btrfs";
    case 0x794C7630: return "overlayfs";
    case 0x2FC12FC1: return "zfs";
    case 0x6969: return "nfs";
    case 0xF2F52010: return "f2fs";
    default: return "<unknown>";
  }
}

types::v1::HostInfo ReadHostFacts() {
  types::v1::HostInfo host;
  struct utsname names;
  if (uname(&names) == 0) {
    host.set_kernel_version(names.release);
    host.set_architecture(names.machine);
    host.set_os_type(absl::AsciiStrToLower(names.sysname));
  }
  for (const char* path : {"/etc/os-release", "/usr/lib/os-release"}) {
    std::ifstream file(path);
    if (!file) continue;
    std::stringstream text;
    text << file.rdbuf();
    host.set_operating_system(OsReleaseName(text.str()));
    break;
  }
  const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  if (cpus > 0) host.set_ncpu(static_cast<int32_t>(cpus));
  struct sysinfo memory;
  if (sysinfo(&memory) == 0) {
    host.set_mem_total(static_cast<int64_t>(memory.totalram) * memory.mem_unit);
  }
  char hostname[HOST_NAME_MAX + 1] = {};
  if (gethostname(hostname, sizeof(hostname) - 1) == 0) host.set_name(hostname);
  return host;
}

}  // namespace berth
