#include "common/unix_socket.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace berth {

absl::StatusOr<sockaddr_un> UnixSocketAddress(const std::string& path) {
  sockaddr_un address = {};
  address.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(address.sun_path)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "socket path \"", path, "\" is ", path.size(),
        " bytes; unix sockets take 1 to ", sizeof(address.sun_path) - 1));
  }
  memcpy(address.sun_path, path.c_str(), path.size() + 1);
  return address;
}

absl::StatusOr<int> ListenUnix(const std::string& path, int backlog,
                               int extra_flags, int mode) {
  ASSIGN_OR_RETURN(const sockaddr_un address, UnixSocketAddress(path));
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | extra_flags, 0);
  if (fd < 0) return ErrnoStatus(errno, "socket", path);
  if (bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) !=
      0) {
    const int err = errno;
    close(fd);
    return ErrnoStatus(err, "bind", path);
  }
  if (mode >= 0 && chmod(path.c_str(), static_cast<mode_t>(mode)) != 0) {
    const int err = errno;
    close(fd);
    unlink(path.c_str());
    return ErrnoStatus(err, "chmod", path);
  }
  if (listen(fd, backlog) != 0) {
    const int err = errno;
    close(fd);
    unlink(path.c_str());
    return ErrnoStatus(err, "listen", path);
  }
  return fd;
}

}  // namespace berth
