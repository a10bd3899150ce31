// Unix stream sockets by path: the address (refusing a path that does not
// fit, instead of cutting it short) and a bound, listening socket. Shared by
// the shim, its client, the socket server and the tests that stand in for
// a shim.
#ifndef BERTH_COMMON_UNIX_SOCKET_H_
#define BERTH_COMMON_UNIX_SOCKET_H_

#include <sys/un.h>

#include <string>

#include "absl/status/statusor.h"

namespace berth {

// INVALID_ARGUMENT when `path` is longer than a unix socket path may be.
absl::StatusOr<sockaddr_un> UnixSocketAddress(const std::string& path);

// A SOCK_STREAM socket (close-on-exec, plus `extra_flags` such as
// SOCK_NONBLOCK) bound to `path` and listening with `backlog`. With `mode`
// >= 0 the socket file gets that mode before it listens, so nobody connects
// through looser permissions. The path must not exist. The caller owns the
// descriptor.
absl::StatusOr<int> ListenUnix(const std::string& path, int backlog,
                               int extra_flags = 0, int mode = -1);

// Makes `path` free for a new listener: creates its directory, removes a
// stale socket, refuses (FailedPrecondition) one that a process answers on.
absl::Status ClaimSocketPath(const std::string& path);

}  // namespace berth

#endif  // BERTH_COMMON_UNIX_SOCKET_H_
