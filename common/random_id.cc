#include "common/random_id.h"

#include <fcntl.h>
#include <unistd.h>

#include <random>

namespace berth {

std::string NewObjectId() {
  unsigned char bytes[32];
  size_t filled = 0;
  int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    while (filled < sizeof(bytes)) {
      ssize_t n = read(fd, bytes + filled, sizeof(bytes) - filled);
      if (n <= 0) break;
      filled += static_cast<size_t>(n);
    }
    close(fd);
  }
  if (filled < sizeof(bytes)) {
    // /dev/urandom is always there on Linux; this only keeps ids unique.
    std::random_device device;
    for (unsigned char& byte : bytes) byte = static_cast<unsigned char>(device());
  }
  static const char kHex[] = "0123456789abcdef";
  std::string id;
  for (unsigned char byte : bytes) {
    id.push_back(kHex[byte >> 4]);
    id.push_back(kHex[byte & 15]);
  }
  if (id.find_first_not_of("0123456789", 0) >= 12) id[0] = 'a';
  return id;
}

}  // namespace berth
