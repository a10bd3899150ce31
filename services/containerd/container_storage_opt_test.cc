// `--storage-opt` at create: containerd reads it as Docker's overlay2 does,
// hands imaged the size limit with the snapshot request, and a refusal by
// either leaves no container and no snapshot behind. Over a fake imaged.
#include <memory>
#include <string>

#include "common/fs_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/containerd/cgroups/fake_cgroup_driver.h"
#include "services/containerd/container_supervisor.h"
#include "services/containerd/testing/fake_images.h"
#include "services/containerd/testing/fake_shims.h"
#include "services/containerd/testing/fake_time.h"
#include "spdlog/sinks/null_sink.h"

namespace berth::containerd {
namespace {

using container::v1::CreateContainerRequest;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

class StorageOptTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::string> dir = MakeTempDir("/tmp", "storage-opt-test-");
    ASSERT_TRUE(dir.ok()) << dir.status();
    dir_ = *dir;
    auto store = Store::Open(dir_ + "/db", ContainerdSchema());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    SupervisorDeps deps;
    auto images = std::make_unique<testing::FakeImages>();
    images_ = images.get();
    deps.images = std::move(images);
    deps.shims = std::make_unique<testing::FakeShims>(world_);
    deps.cgroups = [](const std::string&)
        -> absl::StatusOr<std::unique_ptr<cgroups::CgroupDriver>> {
      return std::make_unique<cgroups::FakeCgroupDriver>();
    };
    deps.scheduler = std::make_unique<testing::ManualScheduler>();
    deps.clock = &clock_;
    SupervisorOptions options;
    options.containers_dir = dir_ + "/containers";
    options.shims_dir = dir_ + "/shims";
    options.shim_path = "/nonexistent/berth-shim";
    auto supervisor =
        ContainerSupervisor::Open(*store_, log_, std::move(deps), options);
    ASSERT_TRUE(supervisor.ok()) << supervisor.status();
    supervisor_ = *std::move(supervisor);
  }
  void TearDown() override {
    supervisor_.reset();
    store_.reset();
    EXPECT_TRUE(RemoveTree(dir_).ok());
  }

  absl::StatusOr<container::v1::CreateContainerResponse> CreateWith(
      const std::string& key, const std::string& value) {
    CreateContainerRequest request;
    request.mutable_config()->set_image("busybox");
    (*request.mutable_host_config()->mutable_storage_opt())[key] = value;
    return supervisor_->Create(request);
  }

  // No container record and no state directory is left.
  void ExpectNothingLeft() {
    container::v1::ListContainersRequest all;
    all.set_all(true);
    auto listed = supervisor_->List(all);
    ASSERT_TRUE(listed.ok()) << listed.status();
    EXPECT_EQ(listed->containers_size(), 0);
    auto entries = ListDir(dir_ + "/containers");
    EXPECT_TRUE(!entries.ok() || entries->empty());
    EXPECT_EQ(images_->snapshots(), 0);
  }

  std::string dir_;
  std::unique_ptr<Store> store_;
  spdlog::logger log_{"test", std::make_shared<spdlog::sinks::null_sink_mt>()};
  testing::ShimWorld world_;
  testing::FakeClock clock_;
  testing::FakeImages* images_ = nullptr;
  std::unique_ptr<ContainerSupervisor> supervisor_;
};

TEST_F(StorageOptTest, SizeGoesToImagedInBytesAndStaysAsGivenInTheRecord) {
  auto created = CreateWith("size", "20m");
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(images_->last_prepare().size_limit_bytes(), uint64_t{20} << 20);
  EXPECT_EQ(images_->last_prepare().key(), created->id());
  auto container = supervisor_->Inspect(created->id());
  ASSERT_TRUE(container.ok()) << container.status();
  EXPECT_EQ(container->host_config().storage_opt().at("size"), "20m");
}

TEST_F(StorageOptTest, WithoutStorageOptNoLimitIsAsked) {
  CreateContainerRequest request;
  request.mutable_config()->set_image("busybox");
  ASSERT_TRUE(supervisor_->Create(request).ok());
  EXPECT_EQ(images_->last_prepare().size_limit_bytes(), 0u);
}

TEST_F(StorageOptTest, UnknownKeyOrBadSizeIsRefusedBeforeImagedIsAsked) {
  auto unknown = CreateWith("dm.basesize", "10G");
  EXPECT_TRUE(absl::IsInvalidArgument(unknown.status())) << unknown.status();
  EXPECT_THAT(std::string(unknown.status().message()),
              HasSubstr("unknown storage option \"dm.basesize\""));
  auto bad = CreateWith("size", "lots");
  EXPECT_TRUE(absl::IsInvalidArgument(bad.status())) << bad.status();
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("\"lots\""));
  EXPECT_THAT(images_->last_prepare().key(), IsEmpty());
  ExpectNothingLeft();
}

TEST_F(StorageOptTest, ImagedRefusingTheLimitLeavesNoContainer) {
  images_->FailPrepare(absl::FailedPreconditionError(
      "--storage-opt is supported only for overlay over xfs ...; "
      "/var/lib/berth/imaged/snapshots is on tmpfs"));
  auto refused = CreateWith("size", "20m");
  EXPECT_TRUE(absl::IsFailedPrecondition(refused.status())) << refused.status();
  EXPECT_THAT(std::string(refused.status().message()), HasSubstr("tmpfs"));
  ExpectNothingLeft();
}

}  // namespace
}  // namespace berth::containerd
