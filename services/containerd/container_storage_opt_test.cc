// `--storage-opt` at create: containerd reads it as Docker's overlay2 does,
// hands imaged the size limit with the snapshot request, and a refusal by
// either leaves no container and no snapshot behind. Over a fake imaged.
#include <string>

#include "common/fs_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/containerd/testing/supervisor_fixture.h"

namespace berth::containerd {
namespace {

using container::v1::CreateContainerRequest;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

class StorageOptTest : public SupervisorTest {
 protected:
  void SetUp() override {
    SupervisorTest::SetUp();
    Open();
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
