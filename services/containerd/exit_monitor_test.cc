#include "services/containerd/exit_monitor.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "common/unix_socket.h"
#include "gtest/gtest.h"
#include "services/containerd/shim/framing.h"

namespace berth::containerd {
namespace {

// The lowest free descriptor: with the soft limit set to it, the next
// descriptor anyone asks for fails with EMFILE.
int LowestFreeFd() {
  int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  close(fd);
  return fd;
}

TEST(ExitMonitorTest, CreateReportsThatTheKernelRefusedItsDescriptors) {
  rlimit saved;
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &saved), 0);
  rlimit tight = saved;
  tight.rlim_cur = static_cast<rlim_t>(LowestFreeFd());
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &tight), 0);
  absl::StatusOr<std::unique_ptr<ExitMonitor>> monitor =
      ExitMonitor::Create([](const std::string&,
                             const absl::StatusOr<shim::ExitRecord>&) {});
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &saved), 0);
  ASSERT_FALSE(monitor.ok());
  EXPECT_NE(monitor.status().message().find("epoll_create1"),
            std::string::npos)
      << monitor.status();
}

TEST(ExitMonitorTest, ReportsTheExitAShimSends) {
  char pattern[] = "/tmp/exitmon-XXXXXX";
  ASSERT_NE(mkdtemp(pattern), nullptr);
  const std::string dir = pattern;
  const std::string path = dir + "/shim.sock";
  absl::StatusOr<int> listening = ListenUnix(path, 4);
  ASSERT_TRUE(listening.ok()) << listening.status();
  const int listener = *listening;

  absl::Notification done;
  std::string seen_id;
  absl::StatusOr<shim::ExitRecord> seen = absl::UnknownError("none");
  absl::StatusOr<std::unique_ptr<ExitMonitor>> monitor = ExitMonitor::Create(
      [&](const std::string& id, const absl::StatusOr<shim::ExitRecord>& exit) {
        seen_id = id;
        seen = exit;
        done.Notify();
      });
  ASSERT_TRUE(monitor.ok()) << monitor.status();
  ASSERT_TRUE((*monitor)->Watch("c1", path, absl::Seconds(5)).ok());
  int connection = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
  ASSERT_GE(connection, 0);
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  absl::StatusOr<std::optional<std::string>> frame =
      shim::ReadFrame(connection, deadline, "containerd");
  ASSERT_TRUE(frame.ok() && frame->has_value()) << frame.status();
  ::berth::shim::v1::Request request;
  ASSERT_TRUE(request.ParseFromString(**frame));
  EXPECT_EQ(request.version(), shim::kProtocolVersion);
  EXPECT_TRUE(request.has_wait());
  ::berth::shim::v1::Response reply;
  reply.set_version(shim::kProtocolVersion);
  reply.mutable_wait()->set_exit_code(3);
  reply.mutable_wait()->set_oom_killed(true);
  ASSERT_TRUE(shim::WriteAll(connection, shim::EncodeFrame(reply), deadline,
                             "containerd")
                  .ok());
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_EQ(seen_id, "c1");
  ASSERT_TRUE(seen.ok()) << seen.status();
  EXPECT_EQ(seen->exit_code, 3);
  EXPECT_TRUE(seen->oom_killed);
  monitor->reset();
  close(connection);
  close(listener);
  EXPECT_EQ(std::system(absl::StrCat("rm -rf ", dir).c_str()), 0);
}

}  // namespace
}  // namespace berth::containerd
