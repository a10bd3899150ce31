#include "common/etc_files.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace berth {

std::string LoopbackHostsLines() {
  return "127.0.0.1\tlocalhost\n"
         "::1\tlocalhost ip6-localhost ip6-loopback\n"
         "fe00::0\tip6-localnet\n"
         "ff00::0\tip6-mcastprefix\n"
         "ff02::1\tip6-allnodes\n"
         "ff02::2\tip6-allrouters\n";
}

std::string ResolvConfWithoutLoopback(absl::string_view host_resolv_conf) {
  std::string result;
  for (absl::string_view line : absl::StrSplit(host_resolv_conf, '\n')) {
    if (absl::StartsWith(line, "nameserver 127.") ||
        absl::StartsWith(line, "nameserver ::1")) {
      continue;
    }
    if (line.empty()) continue;
    absl::StrAppend(&result, line, "\n");
  }
  return result;
}

}  // namespace berth
