#include "common/unix_socket.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "gtest/gtest.h"

namespace berth {
namespace {

TEST(UnixSocketTest, RefusesAPathThatDoesNotFit) {
  EXPECT_TRUE(absl::IsInvalidArgument(
      UnixSocketAddress(std::string(200, 'a')).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(UnixSocketAddress("").status()));
  EXPECT_TRUE(UnixSocketAddress("/tmp/x.sock").ok());
}

TEST(UnixSocketTest, ListensAndAcceptsAndRefusesATakenPath) {
  char pattern[] = "/tmp/unixsock-XXXXXX";
  ASSERT_NE(mkdtemp(pattern), nullptr);
  const std::string path = std::string(pattern) + "/s.sock";
  absl::StatusOr<int> listener = ListenUnix(path, 4);
  ASSERT_TRUE(listener.ok()) << listener.status();
  absl::StatusOr<sockaddr_un> address = UnixSocketAddress(path);
  ASSERT_TRUE(address.ok());
  const int client = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(client, 0);
  EXPECT_EQ(connect(client, reinterpret_cast<const sockaddr*>(&*address),
                    sizeof(*address)),
            0);
  const absl::StatusOr<int> again = ListenUnix(path, 4);
  EXPECT_FALSE(again.ok());
  EXPECT_NE(again.status().message().find(path), std::string::npos);
  close(client);
  close(*listener);
  unlink(path.c_str());
  rmdir(pattern);
}

}  // namespace
}  // namespace berth
