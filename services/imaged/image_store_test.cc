// ImageStore against a real filesystem in a temporary root. Runs as root:
// layers hold whiteout device nodes and the merged-tree test mounts overlay.
#include "services/imaged/image_store.h"

#include <sys/mount.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <thread>

#include "absl/synchronization/notification.h"
#include "common/fs_util.h"
#include "common/sha256.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/imaged/image_store_fixture.h"
#include "services/imaged/image_records.h"
#include "services/imaged/test_archives.h"

namespace berth::imaged {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;
using testing::MakeDockerArchive;
using testing::MakeOciArchive;
using testing::MakeTar;
using testing::TarMember;
using testing::TestImage;
TEST_F(ImageStoreTest, ImportAppliesChangesAndTags) {
  image::v1::ImportOptions options;
  options.set_reference("myimage:1");
  options.add_changes("CMD [\"/bin/sh\"]");
  options.add_changes("ENV A=1");
  auto result = store_->Import(WriteFile("rootfs.tar", BaseLayer()), options,
                               nullptr);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->reference(), "myimage:1");

  auto image = store_->Inspect("myimage:1");
  ASSERT_TRUE(image.ok()) << image.status();
  EXPECT_EQ(image->id(), result->image_id());
  EXPECT_THAT(image->repo_tags(), ElementsAre("myimage:1"));
  EXPECT_THAT(image->config().cmd(), ElementsAre("/bin/sh"));
  EXPECT_THAT(image->config().env(), ElementsAre("A=1"));
  EXPECT_EQ(image->comment(), "Imported from -");
  ASSERT_EQ(image->layers_size(), 1);
  EXPECT_EQ(image->layers(0).diff_id(), Sha256Digest(BaseLayer()));
  EXPECT_EQ(image->size(), 3 + 3 + 1 + 3);
  // The id is the digest of the stored config.
  EXPECT_TRUE(store_->Inspect(result->image_id().substr(7, 12)).ok());
  EXPECT_TRUE(store_->Inspect("docker.io/library/myimage:1").ok());
}

TEST_F(ImageStoreTest, ImportRejectsBadChangeAndStoresNothing) {
  image::v1::ImportOptions options;
  options.add_changes("RUN rm -rf /");
  auto result = store_->Import(WriteFile("rootfs.tar", BaseLayer()), options,
                               nullptr);
  EXPECT_TRUE(absl::IsInvalidArgument(result.status())) << result.status();
  EXPECT_EQ(ImageCount(), 0);
}

TEST_F(ImageStoreTest, LoadedLayersMergeIntoTheExpectedTree) {
  auto loaded = LoadBytes(MakeDockerArchive(
      {{{BaseLayer(), TopLayer()}, {"layered:latest"}, {"/bin/true"}, {}}}));
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ASSERT_EQ(loaded->images_size(), 1);
  EXPECT_THAT(loaded->images(0).repo_tags(), ElementsAre("layered:latest"));

  image::v1::PrepareRootfsRequest prepare;
  prepare.set_image("layered");
  prepare.set_key("c1");
  auto rootfs = store_->PrepareRootfs(prepare);
  ASSERT_TRUE(rootfs.ok()) << rootfs.status();
  EXPECT_THAT(rootfs->config().cmd(), ElementsAre("/bin/true"));
  const std::string target = dir_ + "/merged";
  ASSERT_EQ(mkdir(target.c_str(), 0755), 0);
  ASSERT_EQ(mount("overlay", target.c_str(), "overlay", 0,
                  rootfs->rootfs().mount().options().c_str()),
            0)
      << strerror(errno);
  auto a = ListDir(target + "/a");
  auto b = ListDir(target + "/b");
  auto top = ListDir(target);
  umount2(target.c_str(), MNT_DETACH);
  ASSERT_TRUE(a.ok() && b.ok() && top.ok());
  EXPECT_THAT(*a, UnorderedElementsAre("f2"));
  EXPECT_THAT(*b, UnorderedElementsAre("y"));
  EXPECT_THAT(*top, UnorderedElementsAre("a", "b", "c", "d"));

  // While the snapshot exists the image cannot go without force.
  image::v1::RemoveImageRequest remove;
  remove.set_image("layered");
  EXPECT_TRUE(absl::IsFailedPrecondition(store_->Remove(remove).status()));
  ASSERT_TRUE(store_->RemoveRootfs("c1", false).ok());
  EXPECT_TRUE(store_->Remove(remove).ok());
  EXPECT_TRUE(ListDir(dir_ + "/root/layers")->empty());
  EXPECT_TRUE(ListDir(dir_ + "/root/blobs/sha256")->empty());
}

TEST_F(ImageStoreTest, SaveThenLoadKeepsIdsAndDigests) {
  TestImage image{{BaseLayer(), TopLayer()}, {"roundtrip:v1"}, {"sh"}, {}};
  auto first = LoadBytes(MakeDockerArchive({image}));
  ASSERT_TRUE(first.ok()) << first.status();
  auto before = store_->Inspect("roundtrip:v1");
  ASSERT_TRUE(before.ok());

  for (auto format :
       {image::v1::ARCHIVE_FORMAT_DOCKER, image::v1::ARCHIVE_FORMAT_OCI}) {
    const std::string saved = SaveToString({"roundtrip:v1"}, format);
    image::v1::RemoveImageRequest remove;
    remove.set_image("roundtrip:v1");
    ASSERT_TRUE(store_->Remove(remove).ok());
    EXPECT_EQ(ImageCount(), 0);
    auto again = LoadBytes(saved);
    ASSERT_TRUE(again.ok()) << again.status();
    auto after = store_->Inspect("roundtrip:v1");
    ASSERT_TRUE(after.ok()) << after.status();
    EXPECT_EQ(after->id(), before->id());
    EXPECT_EQ(after->manifest_digest(), before->manifest_digest());
    ASSERT_EQ(after->layers_size(), 2);
    for (int i = 0; i < 2; ++i) {
      EXPECT_EQ(after->layers(i).digest(), before->layers(i).digest());
      EXPECT_EQ(after->layers(i).chain_id(), before->layers(i).chain_id());
    }
  }
}

TEST_F(ImageStoreTest, OciLayoutLoads) {
  auto loaded = LoadBytes(
      MakeOciArchive({{{BaseLayer()}, {"oci:1"}, {"/bin/sh"}, {}}}));
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_THAT(loaded->images(0).repo_tags(), ElementsAre("oci:1"));
  EXPECT_TRUE(store_->Inspect("oci:1").ok());
}

// The layer records of the store, keyed by chain id (they are private to
// imaged; the test reads the table directly).
std::map<std::string, records::LayerRecord> LayerRecords(ServiceCore& core) {
  std::map<std::string, records::LayerRecord> layers;
  EXPECT_TRUE(LayersTable()
                  .ForEach(core.store(),
                           [&](const records::LayerRecord& layer) {
                             layers[layer.info().chain_id()] = layer;
                             return true;
                           })
                  .ok());
  return layers;
}

TEST_F(ImageStoreTest, GzipOciLayerIsKeptBesideItsDiffIdAndGoesWithIt) {
  TestImage image{{BaseLayer()}, {"gz:1"}, {"sh"}, {}};
  image.gzip_layers = true;
  const std::string gzipped = testing::Gzip(BaseLayer());
  ASSERT_FALSE(gzipped.empty());
  ASSERT_TRUE(LoadBytes(MakeOciArchive({image})).ok());

  auto layers = LayerRecords(*core_);
  ASSERT_EQ(layers.size(), 1u);
  const records::LayerRecord& layer = layers.begin()->second;
  EXPECT_EQ(layer.info().diff_id(), Sha256Digest(BaseLayer()));
  ASSERT_TRUE(layer.has_compressed());
  EXPECT_EQ(layer.compressed().digest(), Sha256Digest(gzipped));
  EXPECT_EQ(layer.compressed().size(), static_cast<int64_t>(gzipped.size()));
  EXPECT_EQ(layer.compressed().media_type(),
            "application/vnd.oci.image.layer.v1.tar+gzip");
  const std::string blob_path =
      dir_ + "/root/blobs/sha256/" + layer.compressed().digest().substr(7);
  EXPECT_EQ(*Sha256File(blob_path), layer.compressed().digest());
  // The uncompressed tar is still the layer's blob, so ids do not change.
  EXPECT_EQ(*Sha256File(dir_ + "/root/blobs/sha256/" +
                        layer.info().diff_id().substr(7)),
            layer.info().diff_id());

  // A restart keeps what a record names.
  Open();
  EXPECT_EQ(access(blob_path.c_str(), F_OK), 0);

  image::v1::RemoveImageRequest remove;
  remove.set_image("gz:1");
  auto removed = store_->Remove(remove);
  ASSERT_TRUE(removed.ok()) << removed.status();
  EXPECT_NE(access(blob_path.c_str(), F_OK), 0);
  EXPECT_TRUE(ListDir(dir_ + "/root/blobs/sha256")->empty());
}

TEST_F(ImageStoreTest, GzipDockerLayerIsKeptUnderItsFileDigest) {
  TestImage image{{BaseLayer()}, {"gz:docker"}, {"sh"}, {}};
  image.gzip_layers = true;
  ASSERT_TRUE(LoadBytes(MakeDockerArchive({image})).ok());
  auto layers = LayerRecords(*core_);
  ASSERT_EQ(layers.size(), 1u);
  const records::LayerRecord& layer = layers.begin()->second;
  EXPECT_EQ(layer.compressed().digest(),
            Sha256Digest(testing::Gzip(BaseLayer())));
  EXPECT_EQ(layer.compressed().media_type(),
            "application/vnd.docker.image.rootfs.diff.tar.gzip");
  EXPECT_TRUE(store_->Inspect("gz:docker").ok());
}

TEST_F(ImageStoreTest, UncompressedLayersHaveNoCompressedBlob) {
  ASSERT_TRUE(LoadBytes(MakeOciArchive({{{BaseLayer()}, {"plain:1"}, {}, {}}}))
                  .ok());
  auto layers = LayerRecords(*core_);
  ASSERT_EQ(layers.size(), 1u);
  EXPECT_FALSE(layers.begin()->second.has_compressed());
  // Config, manifest and the layer tar: nothing else.
  EXPECT_EQ(ListDir(dir_ + "/root/blobs/sha256")->size(), 3u);
}

TEST_F(ImageStoreTest, LoadingTwiceIsIdempotentAndMovesTags) {
  TestImage one{{BaseLayer()}, {"app:latest"}, {"one"}, {}};
  TestImage two{{BaseLayer()}, {"app:latest"}, {"two"}, {}};
  ASSERT_TRUE(LoadBytes(MakeDockerArchive({one})).ok());
  ASSERT_TRUE(LoadBytes(MakeDockerArchive({one})).ok());
  EXPECT_EQ(ImageCount(), 1);
  ASSERT_TRUE(LoadBytes(MakeDockerArchive({two})).ok());
  EXPECT_EQ(ImageCount(), 2);
  EXPECT_THAT(store_->Inspect("app")->config().cmd(), ElementsAre("two"));
  image::v1::ListImagesRequest dangling;
  dangling.mutable_filter()->set_dangling(true);
  ASSERT_EQ(store_->List(dangling)->images_size(), 1);
  // Both images share the one base layer.
  EXPECT_EQ(ListDir(dir_ + "/root/layers")->size(), 1u);
}

TEST_F(ImageStoreTest, DigestMismatchIsRejectedAndNothingStored) {
  TestImage image{{BaseLayer()}, {"bad:1"}, {}, {Sha256Digest("other")}};
  auto loaded = LoadBytes(MakeDockerArchive({image}));
  ASSERT_TRUE(absl::IsInvalidArgument(loaded.status())) << loaded.status();
  EXPECT_THAT(std::string(loaded.status().message()),
              HasSubstr("the image config expects"));
  EXPECT_EQ(ImageCount(), 0);
  EXPECT_TRUE(ListDir(dir_ + "/root/layers")->empty());
  EXPECT_TRUE(ListDir(dir_ + "/root/blobs/sha256")->empty());
  EXPECT_TRUE(ListDir(dir_ + "/root/tmp")->empty());
}

TEST_F(ImageStoreTest, DescriptorClaimingTenGigabytesIsRejected) {
  TestImage image{{BaseLayer()}, {"huge:1"}, {}, {}};
  image.claimed_layer_size = int64_t{10} << 30;
  auto loaded = LoadBytes(MakeOciArchive({image}));
  ASSERT_TRUE(absl::IsInvalidArgument(loaded.status())) << loaded.status();
  EXPECT_THAT(std::string(loaded.status().message()),
              HasSubstr("its descriptor says 10737418240"));
  EXPECT_EQ(ImageCount(), 0);
  EXPECT_TRUE(ListDir(dir_ + "/root/layers")->empty());
}

TEST_F(ImageStoreTest, ManifestNamingMissingLayerIsRejected) {
  std::string archive = MakeTar(
      {{"manifest.json",
        R"([{"Config":"c.json","RepoTags":["x:1"],"Layers":["nope/layer.tar"]}])"},
       {"c.json", testing::ConfigOf({{BaseLayer()}, {}, {}, {}})}});
  auto loaded = LoadBytes(archive);
  ASSERT_TRUE(absl::IsInvalidArgument(loaded.status())) << loaded.status();
  EXPECT_THAT(std::string(loaded.status().message()),
              HasSubstr("nope/layer.tar"));
  EXPECT_EQ(ImageCount(), 0);
}

TEST_F(ImageStoreTest, EscapingLayerIsRejectedAndNothingWrittenOutside) {
  std::string evil = MakeTar({{"../../outside/evil", "pwned"}});
  auto loaded = LoadBytes(MakeDockerArchive({{{evil}, {"evil:1"}, {}, {}}}));
  EXPECT_FALSE(loaded.ok());
  EXPECT_EQ(ImageCount(), 0);
  EXPECT_TRUE(Outside().empty());
  EXPECT_TRUE(ListDir(dir_ + "/root/layers")->empty());

  auto imported = store_->Import(WriteFile("evil.tar", evil), {}, nullptr);
  EXPECT_FALSE(imported.ok());
  EXPECT_TRUE(Outside().empty());
  EXPECT_EQ(ImageCount(), 0);
}

TEST_F(ImageStoreTest, TruncatedAndGarbageArchivesAreRejected) {
  std::string archive =
      MakeDockerArchive({{{BaseLayer()}, {"t:1"}, {}, {}}});
  auto truncated = LoadBytes(archive.substr(0, archive.size() / 2));
  EXPECT_FALSE(truncated.ok());
  auto garbage = LoadBytes(std::string(4096, '\x7f'));
  EXPECT_FALSE(garbage.ok());
  auto empty_tar = LoadBytes(MakeTar({{"readme", "hi"}}));
  EXPECT_TRUE(absl::IsInvalidArgument(empty_tar.status()));
  EXPECT_EQ(ImageCount(), 0);
  EXPECT_TRUE(ListDir(dir_ + "/root/tmp")->empty());
}

TEST_F(ImageStoreTest, HistoryIsNewestFirst) {
  ASSERT_TRUE(LoadBytes(MakeDockerArchive(
                            {{{BaseLayer(), TopLayer()}, {"h:1"}, {}, {}}}))
                  .ok());
  auto history = store_->History("h:1");
  ASSERT_TRUE(history.ok()) << history.status();
  ASSERT_EQ(history->entries_size(), 2);
  EXPECT_EQ(history->entries(0).created_by(), "/bin/sh -c #(nop) layer 1");
  EXPECT_EQ(history->entries(0).id(), store_->Inspect("h:1")->id());
  EXPECT_EQ(history->entries(1).id(), "<missing>");
  EXPECT_EQ(history->entries(1).size(), 3 + 3 + 1 + 3);
}

TEST_F(ImageStoreTest, CommitTurnsUpperDirIntoNewImage) {
  ASSERT_TRUE(LoadBytes(MakeDockerArchive({{{BaseLayer()}, {"base:1"}, {}, {}}})).ok());
  image::v1::PrepareRootfsRequest prepare;
  prepare.set_image("base:1");
  prepare.set_key("ctr");
  auto rootfs = store_->PrepareRootfs(prepare);
  ASSERT_TRUE(rootfs.ok()) << rootfs.status();
  std::ofstream(rootfs->rootfs().mount().upper_dir() + "/new") << "file";

  auto diff = store_->DiffRootfs("ctr");
  ASSERT_TRUE(diff.ok()) << diff.status();
  ASSERT_EQ(diff->changes_size(), 1);
  EXPECT_EQ(diff->changes(0).path(), "/new");
  EXPECT_EQ(diff->changes(0).kind(), types::v1::FileChange::KIND_ADDED);

  image::v1::CommitRootfsRequest commit;
  commit.set_key("ctr");
  commit.set_reference("committed:1");
  commit.add_changes("CMD [\"cat\", \"/new\"]");
  auto committed = store_->CommitRootfs(commit);
  ASSERT_TRUE(committed.ok()) << committed.status();
  auto image = store_->Inspect("committed:1");
  ASSERT_TRUE(image.ok());
  EXPECT_EQ(image->layers_size(), 2);
  EXPECT_EQ(image->parent(), store_->Inspect("base:1")->id());
  EXPECT_THAT(image->config().cmd(), ElementsAre("cat", "/new"));
  EXPECT_TRUE(store_->RemoveRootfs("ctr", false).ok());
}

// The overlay of a running container is mounted in the container's own
// mount namespace, which imaged's mountinfo never shows: the old guard let
// such a rootfs be removed under the container. The lease is what guards it.
TEST_F(ImageStoreTest, LeasedRootfsMountedInAnotherNamespaceIsNotRemoved) {
  ASSERT_TRUE(LoadBytes(MakeDockerArchive({{{BaseLayer()}, {"l:1"}, {}, {}}})).ok());
  image::v1::PrepareRootfsRequest prepare;
  prepare.set_image("l:1");
  prepare.set_key("running");
  prepare.set_lease("container/running");
  auto rootfs = store_->PrepareRootfs(prepare);
  ASSERT_TRUE(rootfs.ok()) << rootfs.status();
  EXPECT_EQ(rootfs->rootfs().lease(), "container/running");
  const std::string target = dir_ + "/merged-elsewhere";
  ASSERT_EQ(mkdir(target.c_str(), 0755), 0);

  // A "container": a child in a new mount namespace holding the overlay.
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  const std::string options = rootfs->rootfs().mount().options();
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    char ok = 'n';
    if (unshare(CLONE_NEWNS) == 0 &&
        mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0 &&
        mount("overlay", target.c_str(), "overlay", 0, options.c_str()) == 0) {
      ok = 'y';
    }
    (void)!write(ready[1], &ok, 1);
    pause();
    _exit(0);
  }
  close(ready[1]);
  char ok = 0;
  ASSERT_EQ(read(ready[0], &ok, 1), 1);
  close(ready[0]);
  const std::string upper = rootfs->rootfs().mount().upper_dir();
  if (ok == 'y') {
    absl::Status without = store_->RemoveRootfs("running", false);
    EXPECT_TRUE(absl::IsFailedPrecondition(without)) << without;
    EXPECT_THAT(std::string(without.message()), HasSubstr("container/running"));
    EXPECT_TRUE(absl::IsFailedPrecondition(
        store_->RemoveRootfs("running", false, "container/other")));
    EXPECT_EQ(access(upper.c_str(), F_OK), 0) << "the upper dir was deleted";
    EXPECT_TRUE(store_->InspectRootfs("running").ok());
  }
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  ASSERT_EQ(ok, 'y') << "the child could not mount the overlay";
  // The holder removes it.
  EXPECT_TRUE(store_->RemoveRootfs("running", false, "container/running").ok());
  EXPECT_NE(access(upper.c_str(), F_OK), 0);
}

TEST_F(ImageStoreTest, PrepareRejectsBadAndDuplicateKeys) {
  ASSERT_TRUE(LoadBytes(MakeDockerArchive({{{BaseLayer()}, {"k:1"}, {}, {}}})).ok());
  image::v1::PrepareRootfsRequest prepare;
  prepare.set_image("k:1");
  prepare.set_key("../escape");
  EXPECT_TRUE(absl::IsInvalidArgument(store_->PrepareRootfs(prepare).status()));
  prepare.set_key("same");
  ASSERT_TRUE(store_->PrepareRootfs(prepare).ok());
  EXPECT_TRUE(absl::IsAlreadyExists(store_->PrepareRootfs(prepare).status()));
  prepare.set_image("missing:1");
  prepare.set_key("other");
  EXPECT_TRUE(absl::IsNotFound(store_->PrepareRootfs(prepare).status()));
}

TEST_F(ImageStoreTest, PrepareOwnsTheUpperDirAndInspectMeasuresIt) {
  // containerd asks imaged for both instead of touching its directories.
  ASSERT_TRUE(LoadBytes(MakeDockerArchive({{{BaseLayer()}, {"o:1"}, {}, {}}})).ok());
  image::v1::PrepareRootfsRequest prepare;
  prepare.set_image("o:1");
  prepare.set_key("owned");
  prepare.mutable_upper_owner()->set_uid(300000);
  prepare.mutable_upper_owner()->set_gid(300001);
  auto rootfs = store_->PrepareRootfs(prepare);
  ASSERT_TRUE(rootfs.ok()) << rootfs.status();
  const std::string upper = rootfs->rootfs().mount().upper_dir();
  struct stat st;
  ASSERT_EQ(stat(upper.c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 300000u);
  EXPECT_EQ(st.st_gid, 300001u);

  ASSERT_TRUE(WriteFileAtomic(upper + "/data", std::string(5000, 'x'), 0644,
                              false)
                  .ok());
  auto measured = store_->InspectRootfs("owned", /*with_size=*/true);
  ASSERT_TRUE(measured.ok()) << measured.status();
  EXPECT_GE(measured->upper_size(), 5000);
  EXPECT_EQ(store_->InspectRootfs("owned")->upper_size(), 0)
      << "measured only when asked";
}

TEST_F(ImageStoreTest, ALoadUnpackingALayerDoesNotStallPrepareRootfs) {
  // A run's PrepareRootfs must not wait for someone's long load (or pull):
  // layers unpack without the store's lock.
  ASSERT_TRUE(LoadBytes(MakeDockerArchive({{{BaseLayer()}, {"ready:1"}, {}, {}}})).ok());
  const std::string archive =
      WriteFile("slow.tar", MakeDockerArchive({{{TopLayer()}, {"slow:1"}, {}, {}}}));
  absl::Notification unpacking;
  absl::Notification release;
  image::v1::LoadOptions options;
  std::thread load([&] {
    auto loaded = store_->Load(archive, options, [&](const types::v1::Progress& p) {
      if (p.status() == "Loading layer" && !unpacking.HasBeenNotified()) {
        unpacking.Notify();
        release.WaitForNotificationWithTimeout(absl::Seconds(10));
      }
    });
    EXPECT_TRUE(loaded.ok()) << loaded.status();
  });
  ASSERT_TRUE(unpacking.WaitForNotificationWithTimeout(absl::Seconds(10)));
  absl::Notification prepared;
  std::thread prepare([&] {
    image::v1::PrepareRootfsRequest request;
    request.set_image("ready:1");
    request.set_key("during-load");
    EXPECT_TRUE(store_->PrepareRootfs(request).ok());
    prepared.Notify();
  });
  EXPECT_TRUE(prepared.WaitForNotificationWithTimeout(absl::Seconds(5)))
      << "PrepareRootfs waited for the load's unpack";
  release.Notify();
  prepare.join();
  load.join();
  EXPECT_TRUE(store_->Inspect("slow:1").ok());
}

TEST_F(ImageStoreTest, ReopenRemovesLeftoversOfACrash) {
  ASSERT_TRUE(LoadBytes(MakeDockerArchive({{{BaseLayer()}, {"live:1"}, {}, {}}})).ok());
  // What a load killed half-way leaves: temp files, an unrecorded layer
  // directory and an unrecorded blob.
  ASSERT_EQ(mkdir((dir_ + "/root/tmp/load-x").c_str(), 0700), 0);
  ASSERT_EQ(mkdir((dir_ + "/root/layers/" + std::string(64, 'a')).c_str(), 0700), 0);
  std::ofstream(dir_ + "/root/blobs/sha256/" + std::string(64, 'b')) << "x";
  Open();
  EXPECT_TRUE(ListDir(dir_ + "/root/tmp")->empty());
  EXPECT_EQ(ListDir(dir_ + "/root/layers")->size(), 1u);
  EXPECT_FALSE(store_->Inspect("live:1")->id().empty());
  auto blobs = ListDir(dir_ + "/root/blobs/sha256");
  EXPECT_EQ(std::count(blobs->begin(), blobs->end(), std::string(64, 'b')), 0);
}

TEST_F(ImageStoreTest, FindReportsMissingAndAmbiguous) {
  auto missing = store_->Inspect("nothing:here");
  ASSERT_TRUE(absl::IsNotFound(missing.status()));
  EXPECT_EQ(missing.status().message(), "No such image: nothing:here");
  EXPECT_TRUE(absl::IsInvalidArgument(store_->Tag("x", "UPPER").status()) ||
              absl::IsNotFound(store_->Tag("x", "UPPER").status()));
}

}  // namespace
}  // namespace berth::imaged
