// Unix stream sockets by path: the address (refusing a path that does not
// fit, instead of cutting it short) and a bound, listening socket. Shared by
// the shim, its client, the socket server and the tests that stand in for
// a shim.
#ifndef BERTH_COMMON_UNIX_SOCKET_H_
#define BERTH_COMMON_UNIX_SOCKET_H_

#include <sys/un.h>

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

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

// Passing an open descriptor over a connected unix socket (SCM_RIGHTS, with
// one byte of data). Both wait for the socket until `deadline` (it may be
// non-blocking): DEADLINE_EXCEEDED then.
absl::Status SendDescriptor(int socket, int fd, absl::Time deadline);
// The descriptor arrives close-on-exec. A message without exactly one
// descriptor is refused (anything extra is closed); UNAVAILABLE when the
// peer closed the socket without sending one.
absl::StatusOr<int> ReceiveDescriptor(int socket, absl::Time deadline);

}  // namespace berth

#endif  // BERTH_COMMON_UNIX_SOCKET_H_
