// LayerStore and Snapshotter against a real filesystem in a temporary root,
// with the users of layers wired as ImageStore wires them (snapshots) plus a
// set of chain ids standing in for images. Runs as root: unpacking a layer
// applies ownership.
#include "services/imaged/layer_store.h"

#include <unistd.h>

#include <fstream>
#include <set>

#include "common/fs_util.h"
#include "common/root_lock.h"
#include "common/sha256.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/imaged/quota/fake_project_quota.h"
#include "services/imaged/test_core.h"
#include "services/imaged/snapshotter.h"
#include "services/imaged/test_archives.h"

namespace berth::imaged {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::MakeTar;

class LayerStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = MakeTempDir("/tmp", "bls-");
    ASSERT_TRUE(dir.ok());
    dir_ = *dir;
    auto core = testing::OpenTestCore(
        dir_ + "/root", StoreSchema{1,
                             {ImagesTable().schema(), LayersTable().schema(),
                              SnapshotsTable().schema()}});
    ASSERT_TRUE(core.ok()) << core.status();
    core_ = *std::move(core);
    blobs_ = std::make_unique<ContentStore>(root() + "/blobs");
    ASSERT_TRUE(blobs_->Init().ok());
    ASSERT_TRUE(MakeDirs(root() + "/tmp", 0700).ok());
    layers_ = std::make_unique<LayerStore>(
        *core_, *blobs_, [this](const std::string& chain_id) {
          if (image_users_.count(chain_id) != 0) return absl::StatusOr<bool>(true);
          return snapshots_->Pins(chain_id);
        });
    snapshots_ = std::make_unique<Snapshotter>(*core_, *layers_, quota_);
    ASSERT_TRUE(layers_->Init().ok());
    ASSERT_TRUE(snapshots_->Init().ok());
  }

  void TearDown() override {
    snapshots_.reset();
    layers_.reset();
    core_.reset();
    ASSERT_TRUE(RemoveTree(dir_).ok());
  }

  std::string root() const { return dir_ + "/root"; }

  std::string WriteFile(const std::string& name, const std::string& data) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << data;
    return path;
  }

  // Stages and records the layer `tar` above `parent`, as an ingest does.
  LayerStore::Staged AddLayer(const std::string& tar,
                              const std::string& parent = "") {
    absl::MutexLock lock(&layers_->mu());
    auto staged = layers_->Stage({WriteFile("layer.tar", tar)}, parent, "t",
                                 nullptr);
    EXPECT_TRUE(staged.ok()) << staged.status();
    EXPECT_TRUE(core_->store()
                    .Update([&](Transaction& txn) {
                      return layers_->Record(txn, {*staged});
                    })
                    .ok());
    return *staged;
  }

  absl::Status Collect(const std::vector<std::string>& chain_ids,
                       std::vector<std::string>* deleted, int64_t* reclaimed) {
    absl::MutexLock lock(&layers_->mu());
    return layers_->Collect(chain_ids, deleted, reclaimed);
  }

  // An image record of `layers` (bottom first), as ImageIndex stores it.
  image::v1::Image ImageOf(const std::vector<LayerStore::Staged>& layers) {
    image::v1::Image image;
    image.set_id(Sha256Digest("image"));
    for (const auto& layer : layers) *image.add_layers() = layer.record.info();
    return image;
  }

  std::string dir_;
  std::unique_ptr<ServiceCore> core_;
  std::unique_ptr<ContentStore> blobs_;
  std::unique_ptr<LayerStore> layers_;
  testing::FakeProjectQuota quota_;
  std::unique_ptr<Snapshotter> snapshots_;
  std::set<std::string> image_users_;
};

std::string Tar(const std::string& content) {
  return MakeTar({{"d", "", true}, {"d/f", content}});
}

TEST_F(LayerStoreTest, StagedLayerHasItsDirLinkAndBlob) {
  const LayerStore::Staged layer = AddLayer(Tar("one"));
  const std::string chain_id = layer.record.info().chain_id();
  EXPECT_TRUE(layer.is_new);
  EXPECT_EQ(chain_id, Sha256Digest(Tar("one")));
  EXPECT_EQ(*ReadFileToString(layers_->Dir(chain_id) + "/d/f"), "one");
  EXPECT_EQ(*ReadFileToString(layers_->Link(chain_id) + "/d/f"), "one");
  EXPECT_EQ(*blobs_->Read(layer.record.info().digest()), Tar("one"));
  EXPECT_FALSE(layer.record.has_compressed());
  EXPECT_TRUE(layers_->Get(chain_id).ok());
}

TEST_F(LayerStoreTest, CollectKeepsUsedLayersAndDeletesTheRestTopFirst) {
  const auto base = AddLayer(Tar("base"));
  const std::string base_id = base.record.info().chain_id();
  const auto top = AddLayer(Tar("top"), base_id);
  const std::string top_id = top.record.info().chain_id();

  // An image still uses both: nothing goes.
  image_users_ = {base_id, top_id};
  std::vector<std::string> deleted;
  int64_t reclaimed = 0;
  ASSERT_TRUE(Collect({base_id, top_id}, &deleted, &reclaimed).ok());
  EXPECT_TRUE(deleted.empty());
  EXPECT_EQ(reclaimed, 0);

  // Only the base is used (by another image): the top goes alone.
  image_users_ = {base_id};
  ASSERT_TRUE(Collect({base_id, top_id}, &deleted, &reclaimed).ok());
  EXPECT_THAT(deleted, ElementsAre(top_id));
  EXPECT_GT(reclaimed, 0);
  EXPECT_TRUE(absl::IsNotFound(layers_->Get(top_id).status()));
  EXPECT_NE(access(layers_->Dir(top_id).c_str(), F_OK), 0);
  EXPECT_NE(access(layers_->Link(top_id).c_str(), F_OK), 0);
  EXPECT_FALSE(blobs_->Contains(top.record.info().digest()));
  EXPECT_TRUE(layers_->Get(base_id).ok());

  image_users_.clear();
  deleted.clear();
  ASSERT_TRUE(Collect({base_id}, &deleted, &reclaimed).ok());
  EXPECT_THAT(deleted, ElementsAre(base_id));
  EXPECT_TRUE(ListDir(root() + "/layers")->empty());
  EXPECT_TRUE(ListDir(root() + "/l")->empty());
  EXPECT_TRUE(blobs_->List()->empty());
}

TEST_F(LayerStoreTest, BlobSharedByTwoChainsGoesWithTheLastOne) {
  // The same tar above two different parents: two layers, one blob.
  const auto a = AddLayer(Tar("a"));
  const auto b = AddLayer(Tar("b"));
  const auto over_a = AddLayer(Tar("same"), a.record.info().chain_id());
  const auto over_b = AddLayer(Tar("same"), b.record.info().chain_id());
  ASSERT_EQ(over_a.record.info().digest(), over_b.record.info().digest());
  const std::string shared = over_a.record.info().digest();

  std::vector<std::string> deleted;
  int64_t reclaimed = 0;
  ASSERT_TRUE(Collect({over_a.record.info().chain_id()}, &deleted, &reclaimed)
                  .ok());
  EXPECT_EQ(deleted.size(), 1u);
  EXPECT_TRUE(blobs_->Contains(shared));
  ASSERT_TRUE(Collect({over_b.record.info().chain_id()}, &deleted, &reclaimed)
                  .ok());
  EXPECT_FALSE(blobs_->Contains(shared));
}

TEST_F(LayerStoreTest, SecondUnpackOfARecordedLayerIsDropped) {
  // Two ingests unpack the same layer at once; the first records it.
  auto first = layers_->Unpack({WriteFile("1.tar", Tar("x"))}, "", "1", nullptr);
  auto second = layers_->Unpack({WriteFile("2.tar", Tar("x"))}, "", "2", nullptr);
  ASSERT_TRUE(first.ok() && second.ok());
  absl::MutexLock lock(&layers_->mu());
  auto placed = layers_->Place(*first);
  ASSERT_TRUE(placed.ok()) << placed.status();
  ASSERT_TRUE(core_->store()
                  .Update([&](Transaction& txn) {
                    return layers_->Record(txn, {*placed});
                  })
                  .ok());
  auto again = layers_->Place(*second);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_FALSE(again->is_new);
  EXPECT_TRUE(ListDir(root() + "/tmp")->empty());  // its copy is gone
  EXPECT_EQ(ListDir(root() + "/layers")->size(), 1u);
}

TEST_F(LayerStoreTest, LayerFoundPresentButCollectedSinceAbortsThePlace) {
  const auto layer = AddLayer(Tar("p"));
  const std::string chain_id = layer.record.info().chain_id();
  auto pending = layers_->Unpack(
      {WriteFile("p.tar", Tar("p")), layer.record.info().diff_id()}, "", "p",
      nullptr);
  ASSERT_TRUE(pending.ok());
  EXPECT_TRUE(pending->present);
  std::vector<std::string> deleted;
  int64_t reclaimed = 0;
  ASSERT_TRUE(Collect({chain_id}, &deleted, &reclaimed).ok());
  absl::MutexLock lock(&layers_->mu());
  EXPECT_TRUE(absl::IsAborted(layers_->Place(*pending).status()));
}

TEST_F(LayerStoreTest, DiscardStagedRemovesOnlyUnrecordedLayers) {
  const auto kept = AddLayer(Tar("kept"));
  absl::MutexLock lock(&layers_->mu());
  auto staged = layers_->Stage({WriteFile("d.tar", Tar("dropped"))}, "", "d",
                               nullptr);
  ASSERT_TRUE(staged.ok());
  layers_->DiscardStaged({kept, *staged});
  EXPECT_TRUE(layers_->Get(kept.record.info().chain_id()).ok());
  EXPECT_EQ(access(layers_->Dir(kept.record.info().chain_id()).c_str(), F_OK), 0);
  EXPECT_NE(access(layers_->Dir(staged->record.info().chain_id()).c_str(), F_OK),
            0);
  EXPECT_FALSE(blobs_->Contains(staged->record.info().digest()));
}

TEST_F(LayerStoreTest, ReconcileRemovesUnrecordedLayersAndDanglingLinks) {
  const auto layer = AddLayer(Tar("live"));
  ASSERT_TRUE(MakeDirs(root() + "/layers/stray", 0700).ok());
  ASSERT_EQ(symlink("../layers/gone", (root() + "/l/0123456789abcdef").c_str()),
            0);
  std::set<std::string> live;
  auto removed = layers_->Reconcile(&live);
  ASSERT_TRUE(removed.ok()) << removed.status();
  EXPECT_EQ(*removed, 2);
  EXPECT_EQ(live, std::set<std::string>{layer.record.info().digest()});
  EXPECT_EQ(ListDir(root() + "/layers")->size(), 1u);
  EXPECT_EQ(ListDir(root() + "/l")->size(), 1u);
}

// ---- Snapshotter over the same store ----

TEST_F(LayerStoreTest, PrepareNamesTheLayerLinksTopFirstAndPinsThem) {
  const auto base = AddLayer(Tar("base"));
  const auto top = AddLayer(Tar("top"), base.record.info().chain_id());
  image::v1::PrepareRootfsRequest request;
  request.set_key("c1");
  absl::MutexLock lock(&layers_->mu());
  auto rootfs = snapshots_->Prepare(request, ImageOf({base, top}));
  ASSERT_TRUE(rootfs.ok()) << rootfs.status();
  EXPECT_THAT(rootfs->mount().lower_dirs(),
              ElementsAre(layers_->Link(top.record.info().chain_id()),
                          layers_->Link(base.record.info().chain_id())));
  EXPECT_THAT(rootfs->mount().options(), HasSubstr("upperdir="));
  EXPECT_EQ(access(rootfs->mount().upper_dir().c_str(), F_OK), 0);
  EXPECT_EQ(access(rootfs->mount().work_dir().c_str(), F_OK), 0);
  EXPECT_EQ(snapshots_->CountFor(Sha256Digest("image")), 1);
  EXPECT_TRUE(*snapshots_->Pins(base.record.info().chain_id()));

  // No image uses the layers; the snapshot keeps them.
  std::vector<std::string> deleted;
  int64_t reclaimed = 0;
  ASSERT_TRUE(layers_->Collect({base.record.info().chain_id(),
                                top.record.info().chain_id()},
                               &deleted, &reclaimed)
                  .ok());
  EXPECT_TRUE(deleted.empty());
  EXPECT_TRUE(absl::IsAlreadyExists(
      snapshots_->Prepare(request, ImageOf({base})).status()));
}

TEST_F(LayerStoreTest, LeasedSnapshotIsRemovedOnlyWithItsLease) {
  const auto layer = AddLayer(Tar("l"));
  image::v1::PrepareRootfsRequest request;
  request.set_key("c2");
  request.set_lease("container/c2");
  absl::MutexLock lock(&layers_->mu());
  ASSERT_TRUE(snapshots_->Prepare(request, ImageOf({layer})).ok());

  absl::Status refused = snapshots_->Remove("c2", false, "");
  EXPECT_TRUE(absl::IsFailedPrecondition(refused)) << refused;
  EXPECT_THAT(std::string(refused.message()), HasSubstr("container/c2"));
  EXPECT_TRUE(absl::IsFailedPrecondition(
      snapshots_->Remove("c2", false, "container/other")));
  EXPECT_TRUE(snapshots_->Inspect("c2").ok());

  ASSERT_TRUE(snapshots_->Remove("c2", false, "container/c2").ok());
  EXPECT_TRUE(absl::IsNotFound(snapshots_->Inspect("c2").status()));
  EXPECT_TRUE(ListDir(root() + "/snapshots")->empty());
  // It pinned the last use of its layer: the layer went with it.
  EXPECT_TRUE(absl::IsNotFound(
      layers_->Get(layer.record.info().chain_id()).status()));
  EXPECT_TRUE(absl::IsNotFound(snapshots_->Remove("c2", false, "")));
  EXPECT_TRUE(snapshots_->Remove("c2", true, "").ok());
}

TEST_F(LayerStoreTest, SnapshotKeysThatNameNoPlainDirectoryAreRefused) {
  for (const std::string& key : std::vector<std::string>{
           "", ".", "..", "a/b", std::string(129, 'k')}) {
    EXPECT_TRUE(absl::IsInvalidArgument(Snapshotter::CheckKey(key))) << key;
  }
  EXPECT_TRUE(Snapshotter::CheckKey("container-1_a.b").ok());
}

}  // namespace
}  // namespace berth::imaged
