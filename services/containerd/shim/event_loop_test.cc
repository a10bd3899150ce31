#include "services/containerd/shim/event_loop.h"

#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>
#include <optional>
#include <string>

#include "gtest/gtest.h"

namespace berth::containerd::shim {
namespace {

int calls = 0;

int FailingWait(int, epoll_event*, int, int) {
  ++calls;
  errno = EBADF;
  return -1;
}

int InterruptedThenOneEvent(int, epoll_event* events, int, int) {
  if (calls++ == 0) {
    errno = EINTR;
    return -1;
  }
  events[0].data.fd = 7;
  return 1;
}

// Bug 5: epoll_wait failed before the init exited; the shim used to go on
// to write an exit record from an exit code it never had.
TEST(EventLoopTest, AFailingWaitEndsTheLoopWithItsError) {
  calls = 0;
  int ready = 0;
  absl::Status loop = RunEventLoop(
      -1, [] { return false; }, [] { return -1; },
      [&](int, uint32_t) { ++ready; }, &FailingWait);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(ready, 0);
  ASSERT_FALSE(loop.ok());
  EXPECT_NE(loop.message().find("epoll_wait"), std::string::npos) << loop;

  ExitRecord record = ExitRecordAfterLoop(std::nullopt, absl::InfinitePast(),
                                          loop);
  EXPECT_EQ(record.exit_code, 137);
  EXPECT_NE(record.finished_at, absl::InfinitePast());
  EXPECT_NE(record.error.find("stopped watching"), std::string::npos);
  EXPECT_NE(record.error.find("epoll_wait"), std::string::npos);
}

TEST(EventLoopTest, InterruptedWaitsAreRetriedAndEventsDelivered) {
  calls = 0;
  int delivered = -1;
  absl::Status loop = RunEventLoop(
      -1, [&] { return delivered >= 0; }, [] { return 100; },
      [&](int fd, uint32_t) { delivered = fd; }, &InterruptedThenOneEvent);
  EXPECT_TRUE(loop.ok()) << loop;
  EXPECT_EQ(delivered, 7);
}

TEST(EventLoopTest, AReapedInitKeepsItsStatus) {
  const absl::Time at = absl::FromUnixSeconds(1700000000);
  ExitRecord record = ExitRecordAfterLoop(3, at, absl::OkStatus());
  EXPECT_EQ(record.exit_code, 3);
  EXPECT_EQ(record.finished_at, at);
  EXPECT_EQ(record.error, "");
}

}  // namespace
}  // namespace berth::containerd::shim
