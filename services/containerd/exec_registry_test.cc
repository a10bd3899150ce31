#include "services/containerd/exec_registry.h"

#include <set>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace berth::containerd {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class ExecRegistryTest : public ::testing::Test {
 protected:
  std::set<pid_t> alive_ = {};
  ExecRegistry registry_{[this](pid_t pid) { return alive_.count(pid) > 0; }};
};

TEST_F(ExecRegistryTest, ASessionRunsThenHasItsExitCode) {
  container::v1::ExecConfig config;
  config.add_cmd("sh");
  const std::string id = registry_.Add("c1", config);
  EXPECT_EQ(id.size(), 64u);
  alive_.insert(42);
  registry_.Started(id, 42, absl::Now());
  absl::StatusOr<container::v1::ExecInfo> info = registry_.Find(id);
  ASSERT_TRUE(info.ok());
  EXPECT_TRUE(info->running());
  EXPECT_EQ(info->pid(), 42);
  EXPECT_EQ(info->container_id(), "c1");
  EXPECT_EQ(info->config().cmd(0), "sh");
  EXPECT_FALSE(info->has_exit_code());
  registry_.Exited(id, 3, absl::Now());
  info = registry_.Find(id);
  ASSERT_TRUE(info.ok());
  EXPECT_FALSE(info->running());
  EXPECT_EQ(info->exit_code(), 3);
}

TEST_F(ExecRegistryTest, RunningIdsAreTheContainersLiveOnesInOrder) {
  const std::string a = registry_.Add("c1", {});
  const std::string b = registry_.Add("c1", {});
  const std::string other = registry_.Add("c2", {});
  const std::string done = registry_.Add("c1", {});
  alive_ = {1, 2, 3, 4};
  registry_.Started(a, 1, absl::Now());
  registry_.Started(b, 2, absl::Now());
  registry_.Started(other, 3, absl::Now());
  registry_.Started(done, 4, absl::Now());
  registry_.Exited(done, 0, absl::Now());
  EXPECT_THAT(registry_.RunningIds("c1"), ElementsAre(a, b));
  // A process that went away unseen (its client detached) is not running.
  alive_.erase(1);
  EXPECT_THAT(registry_.RunningIds("c1"), ElementsAre(b));
  EXPECT_FALSE(registry_.Find(a)->running());
}

TEST_F(ExecRegistryTest, ForgettingAContainerDropsItsSessions) {
  const std::string id = registry_.Add("c1", {});
  const std::string kept = registry_.Add("c2", {});
  registry_.Forget("c1");
  absl::StatusOr<container::v1::ExecInfo> gone = registry_.Find(id);
  EXPECT_TRUE(absl::IsNotFound(gone.status()));
  EXPECT_THAT(gone.status().message(), HasSubstr("No such exec instance: " + id));
  EXPECT_TRUE(registry_.Find(kept).ok());
}

}  // namespace
}  // namespace berth::containerd
