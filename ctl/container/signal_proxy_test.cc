#include "ctl/container/signal_proxy.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>

#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace berth::ctl {
namespace {

bool WaitFor(const std::atomic<int>& value, int want) {
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (value.load() != want && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  return value.load() == want;
}

TEST(SignalProxyTest, HandsSignalsToTheForwarderInsteadOfDying) {
  std::atomic<int> got{0};
  {
    SignalProxy proxy;
    proxy.Forward([&got](int signal) { got = signal; });
    ASSERT_EQ(kill(getpid(), SIGINT), 0);
    EXPECT_TRUE(WaitFor(got, SIGINT));
    ASSERT_EQ(kill(getpid(), SIGTERM), 0);
    EXPECT_TRUE(WaitFor(got, SIGTERM));
  }
  // The mask is back as it was: SIGINT is not blocked any more.
  sigset_t mask;
  ASSERT_EQ(pthread_sigmask(SIG_BLOCK, nullptr, &mask), 0);
  EXPECT_FALSE(sigismember(&mask, SIGINT));
}

TEST(SignalProxyTest, BeforeForwardingASignalEndsTheProcessWith128PlusIt) {
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    SignalProxy proxy;
    kill(getpid(), SIGTERM);
    sleep(10);
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 128 + SIGTERM);
}

}  // namespace
}  // namespace berth::ctl
