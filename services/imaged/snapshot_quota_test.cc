// The Snapshotter's size limits (`--storage-opt size=`) over a fake
// ProjectQuota and a real store: which directory gets which project, that
// ids are unique across the records (also after a restart) and free again
// after a removal, and that a refused or failed limit leaves nothing.
#include <unistd.h>

#include <memory>
#include <string>

#include "common/fs_util.h"
#include "common/sha256.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/imaged/layer_store.h"
#include "services/imaged/quota/fake_project_quota.h"
#include "services/imaged/snapshotter.h"
#include "services/imaged/test_core.h"

namespace berth::imaged {
namespace {

using ::testing::HasSubstr;

constexpr uint64_t kTwentyMiB = uint64_t{20} << 20;

class SnapshotQuotaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = MakeTempDir("/tmp", "bsq-");
    ASSERT_TRUE(dir.ok());
    dir_ = *dir;
    auto core = testing::OpenTestCore(
        root(), StoreSchema{1,
                            {ImagesTable().schema(), LayersTable().schema(),
                             SnapshotsTable().schema()}});
    ASSERT_TRUE(core.ok()) << core.status();
    core_ = *std::move(core);
    blobs_ = std::make_unique<ContentStore>(root() + "/blobs");
    ASSERT_TRUE(blobs_->Init().ok());
    layers_ = std::make_unique<LayerStore>(
        *core_, *blobs_,
        [](const std::string&) { return absl::StatusOr<bool>(false); });
    ASSERT_TRUE(layers_->Init().ok());
    Restart();
  }

  void TearDown() override {
    snapshots_.reset();
    layers_.reset();
    core_.reset();
    ASSERT_TRUE(RemoveTree(dir_).ok());
  }

  // A new Snapshotter over the same store, as after a daemon restart.
  void Restart() {
    snapshots_ = std::make_unique<Snapshotter>(*core_, *layers_, quota_);
    ASSERT_TRUE(snapshots_->Init().ok());
  }

  std::string root() const { return dir_ + "/root"; }
  std::string SnapshotDir(const std::string& key) const {
    return root() + "/snapshots/" + key;
  }

  // A snapshot of an image without layers (it gets an empty lowerdir).
  absl::StatusOr<image::v1::Rootfs> Prepare(const std::string& key,
                                            uint64_t size_limit) {
    image::v1::PrepareRootfsRequest request;
    request.set_key(key);
    request.set_size_limit_bytes(size_limit);
    image::v1::Image image;
    image.set_id(Sha256Digest("image"));
    absl::MutexLock lock(&layers_->mu());
    return snapshots_->Prepare(request, image);
  }

  absl::Status Remove(const std::string& key) {
    absl::MutexLock lock(&layers_->mu());
    return snapshots_->Remove(key, false, "");
  }

  std::string dir_;
  std::unique_ptr<ServiceCore> core_;
  std::unique_ptr<ContentStore> blobs_;
  std::unique_ptr<LayerStore> layers_;
  testing::FakeProjectQuota quota_;
  std::unique_ptr<Snapshotter> snapshots_;
};

TEST_F(SnapshotQuotaTest, SizeLimitPutsTheSnapshotDirInAProjectOfItsOwn) {
  auto first = Prepare("c1", kTwentyMiB);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->size_limit_bytes(), kTwentyMiB);
  // The snapshot's own directory, so upper/ and work/ both inherit it.
  EXPECT_EQ(quota_.dir_projects[SnapshotDir("c1")], 1u);
  EXPECT_EQ(quota_.limits[1], kTwentyMiB);
  EXPECT_EQ(first->mount().upper_dir(), SnapshotDir("c1") + "/upper");
  EXPECT_EQ(access(first->mount().work_dir().c_str(), F_OK), 0);

  ASSERT_TRUE(Prepare("c2", 4096).ok());
  EXPECT_EQ(quota_.dir_projects[SnapshotDir("c2")], 2u);
  EXPECT_EQ(quota_.limits[2], 4096u);
  auto inspected = snapshots_->Inspect("c2");
  ASSERT_TRUE(inspected.ok());
  EXPECT_EQ(inspected->rootfs().size_limit_bytes(), 4096u);
}

TEST_F(SnapshotQuotaTest, NoLimitAsksNothingOfTheFilesystem) {
  quota_.supported = false;  // would refuse, were it asked
  auto rootfs = Prepare("c1", 0);
  ASSERT_TRUE(rootfs.ok()) << rootfs.status();
  EXPECT_EQ(rootfs->size_limit_bytes(), 0u);
  EXPECT_EQ(quota_.checks, 0);
  EXPECT_TRUE(quota_.dir_projects.empty());
  ASSERT_TRUE(Remove("c1").ok());
  EXPECT_EQ(quota_.clears, 0);
}

TEST_F(SnapshotQuotaTest, FilesystemWithoutProjectQuotasRefusesAndLeavesNothing) {
  quota_.supported = false;
  auto refused = Prepare("c1", kTwentyMiB);
  EXPECT_TRUE(absl::IsFailedPrecondition(refused.status())) << refused.status();
  EXPECT_THAT(std::string(refused.status().message()), HasSubstr("tmpfs"));
  EXPECT_TRUE(ListDir(root() + "/snapshots")->empty());
  EXPECT_TRUE(absl::IsNotFound(snapshots_->Inspect("c1").status()));
  EXPECT_TRUE(quota_.limits.empty());
}

TEST_F(SnapshotQuotaTest, FailedLimitLeavesNoDirectoryNoRecordNoQuota) {
  quota_.set_error = absl::PermissionDeniedError(
      "ioctl(FS_IOC_FSSETXATTR) to project 1 .../c1: Operation not permitted");
  auto failed = Prepare("c1", kTwentyMiB);
  EXPECT_TRUE(absl::IsPermissionDenied(failed.status())) << failed.status();
  EXPECT_TRUE(ListDir(root() + "/snapshots")->empty());
  EXPECT_TRUE(absl::IsNotFound(snapshots_->Inspect("c1").status()));
  EXPECT_EQ(quota_.clears, 1);  // whatever part of the limit took hold

  quota_.set_error = absl::OkStatus();
  ASSERT_TRUE(Prepare("c1", kTwentyMiB).ok());
  EXPECT_EQ(quota_.dir_projects[SnapshotDir("c1")], 1u);
}

TEST_F(SnapshotQuotaTest, RemoveClearsTheLimitAndFreesTheIdEvenAcrossARestart) {
  ASSERT_TRUE(Prepare("c1", kTwentyMiB).ok());
  ASSERT_TRUE(Prepare("c2", kTwentyMiB).ok());
  ASSERT_TRUE(Remove("c1").ok());
  EXPECT_EQ(quota_.limits.count(1), 0u);
  EXPECT_EQ(quota_.limits.count(2), 1u);

  // The ids in use are read from the records, not remembered.
  Restart();
  ASSERT_TRUE(Prepare("c3", 1024).ok());
  EXPECT_EQ(quota_.dir_projects[SnapshotDir("c3")], 1u);  // c1's, freed
  ASSERT_TRUE(Prepare("c4", 1024).ok());
  EXPECT_EQ(quota_.dir_projects[SnapshotDir("c4")], 3u);  // 2 is c2's
}

TEST_F(SnapshotQuotaTest, IdsStartAboveTheProjectOfTheSnapshotsDir) {
  // An administrator keeps 1..1000 for other uses of the filesystem.
  quota_.dir_projects[root() + "/snapshots"] = 1000;
  ASSERT_TRUE(Prepare("c1", kTwentyMiB).ok());
  EXPECT_EQ(quota_.dir_projects[SnapshotDir("c1")], 1001u);
}

TEST_F(SnapshotQuotaTest, FailureToClearDoesNotFailTheRemoval) {
  ASSERT_TRUE(Prepare("c1", kTwentyMiB).ok());
  quota_.clear_error = absl::InternalError("quotactl_fd: Input/output error");
  ASSERT_TRUE(Remove("c1").ok());
  EXPECT_TRUE(absl::IsNotFound(snapshots_->Inspect("c1").status()));
  EXPECT_TRUE(ListDir(root() + "/snapshots")->empty());
}

}  // namespace
}  // namespace berth::imaged
