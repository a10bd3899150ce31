#include "common/unix_socket.h"
#include <fcntl.h>

#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "absl/time/clock.h"
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
TEST(DescriptorPassingTest, ADescriptorCrossesASocketPair) {
  int pair[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair), 0);
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  const absl::Time deadline = absl::Now() + absl::Seconds(5);
  ASSERT_TRUE(SendDescriptor(pair[0], pipe_fds[1], deadline).ok());
  absl::StatusOr<int> received = ReceiveDescriptor(pair[1], deadline);
  ASSERT_TRUE(received.ok()) << received.status();
  EXPECT_EQ(fcntl(*received, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
  ASSERT_EQ(write(*received, "x", 1), 1);  // the same pipe
  char byte = 0;
  ASSERT_EQ(read(pipe_fds[0], &byte, 1), 1);
  EXPECT_EQ(byte, 'x');
  close(*received);
  // Nothing more comes: the peer's close is UNAVAILABLE, silence a timeout.
  EXPECT_TRUE(absl::IsDeadlineExceeded(
      ReceiveDescriptor(pair[1], absl::Now() + absl::Milliseconds(50)).status()));
  close(pair[0]);
  EXPECT_TRUE(absl::IsUnavailable(ReceiveDescriptor(pair[1], deadline).status()));
  close(pair[1]);
  close(pipe_fds[0]);
  close(pipe_fds[1]);
}

}  // namespace berth
