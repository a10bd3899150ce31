// The parts of a container's /etc/hosts and /etc/resolv.conf that
// containerd (network modes without netd: none, host) and netd (its
// networks) write alike.
#ifndef BERTH_COMMON_ETC_FILES_H_
#define BERTH_COMMON_ETC_FILES_H_

#include <string>

#include "absl/strings/string_view.h"

namespace berth {

// The loopback lines every /etc/hosts starts with, as Docker writes them.
std::string LoopbackHostsLines();

// The host's resolv.conf as a container in its own network namespace
// needs it: loopback name servers (a resolver on the host's 127.0.0.53,
// say) mean nothing there and are dropped, with empty lines.
std::string ResolvConfWithoutLoopback(absl::string_view host_resolv_conf);

}  // namespace berth

#endif  // BERTH_COMMON_ETC_FILES_H_
