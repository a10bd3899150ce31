#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/containerd/testing/supervisor_fixture.h"

namespace berth::containerd {
namespace {

using ::testing::ElementsAre;

TEST(CommittedConfigTest, TheContainersConfigOverTheImages) {
  container::v1::Container container;
  container::v1::ContainerConfig* config = container.mutable_config();
  config->set_user("app");
  config->add_env("A=1");
  config->mutable_cmd()->add_values("serve");
  config->set_working_dir("/srv");
  (*config->mutable_labels())["k"] = "v";
  config->add_exposed_ports("80/tcp");
  image::v1::ImageConfig image;
  image.add_shell("/bin/bash");
  image.add_shell("-c");
  image.add_exposed_ports("80/tcp");
  image.add_cmd("old");
  image::v1::ImageConfig committed = CommittedConfig(container, image);
  EXPECT_EQ(committed.user(), "app");
  EXPECT_THAT(committed.env(), ElementsAre("A=1"));
  EXPECT_THAT(committed.cmd(), ElementsAre("serve"));
  EXPECT_EQ(committed.working_dir(), "/srv");
  EXPECT_EQ(committed.labels().at("k"), "v");
  EXPECT_THAT(committed.exposed_ports(), ElementsAre("80/tcp"));
  EXPECT_THAT(committed.shell(), ElementsAre("/bin/bash", "-c"));
}

TEST_F(SupervisorTest, CommitPausesARunningContainerAroundImagedsCommit) {
  Open();
  const std::string id = Create();
  ASSERT_TRUE(supervisor_->Start(id).ok());
  // The shim made the cgroup the pause freezes.
  ASSERT_TRUE(cgroups_["berth"].Create(id, cgroups::Limits()).ok());
  container::v1::CommitContainerRequest request = CommitOf(id, "mine:v1");
  request.set_author("me");
  request.add_changes("ENV X=1");
  absl::StatusOr<std::string> image = supervisor_->Commit(request);
  ASSERT_TRUE(image.ok()) << image.status();
  EXPECT_EQ(*image, "sha256:c1");
  EXPECT_EQ(StatusOf(id), container::v1::CONTAINER_STATUS_RUNNING);
  absl::MutexLock lock(&image_world_.mu);
  ASSERT_EQ(image_world_.commits.size(), 1u);
  const image::v1::CommitRootfsRequest& sent = image_world_.commits[0];
  EXPECT_EQ(sent.key(), Inspect(id).rootfs_key());
  EXPECT_EQ(sent.reference(), "mine:v1");
  EXPECT_EQ(sent.author(), "me");
  EXPECT_THAT(sent.changes(), ElementsAre("ENV X=1"));
  EXPECT_EQ(sent.container_id(), id);
}

TEST_F(SupervisorTest, CommitOfAnUnknownContainerIsNotFound) {
  Open();
  container::v1::CommitContainerRequest request;
  request.set_id("nope");
  EXPECT_TRUE(absl::IsNotFound(supervisor_->Commit(request).status()));
}

}  // namespace
}  // namespace berth::containerd
