// ImageIndex over a real store: finding images by tag, digest, id and id
// prefix, tags moving between images, children. Image records are written
// directly, as ImageStore's ingest does through Put.
#include "services/imaged/image_index.h"

#include "common/fs_util.h"
#include "common/sha256.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/imaged/test_core.h"

namespace berth::imaged {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using image::v1::Image;

class ImageIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = MakeTempDir("/tmp", "bii-");
    ASSERT_TRUE(dir.ok());
    dir_ = *dir;
    auto core = testing::OpenTestCore(
        dir_ + "/root", StoreSchema{1, {ImagesTable().schema()}});
    ASSERT_TRUE(core.ok()) << core.status();
    core_ = *std::move(core);
    blobs_ = std::make_unique<ContentStore>(dir_ + "/root/blobs");
    ASSERT_TRUE(blobs_->Init().ok());
    index_ = std::make_unique<ImageIndex>(*core_, *blobs_);
  }

  void TearDown() override {
    index_.reset();
    core_.reset();
    ASSERT_TRUE(RemoveTree(dir_).ok());
  }

  // Records an image whose id is the digest of `seed`.
  std::string Add(const std::string& seed, std::vector<std::string> tags = {},
                  const std::string& parent = "") {
    Image image;
    image.set_id(Sha256Digest(seed));
    image.set_parent(parent);
    for (const std::string& tag : tags) image.add_repo_tags(tag);
    image.add_repo_digests("app@" + Sha256Digest("manifest " + seed));
    image.add_layers()->set_chain_id(Sha256Digest("layer " + seed));
    EXPECT_TRUE(core_->store()
                    .Update([&](Transaction& txn) {
                      return index_->Put(txn, {image});
                    })
                    .ok());
    return image.id();
  }

  std::string dir_;
  std::unique_ptr<ServiceCore> core_;
  std::unique_ptr<ContentStore> blobs_;
  std::unique_ptr<ImageIndex> index_;
};

TEST_F(ImageIndexTest, FindsByTagDigestIdAndUniquePrefix) {
  const std::string id = Add("one", {"app:1"});
  EXPECT_EQ(index_->Find("app:1")->id(), id);
  EXPECT_EQ(index_->Find("docker.io/library/app:1")->id(), id);
  EXPECT_EQ(index_->Find("app@" + Sha256Digest("manifest one"))->id(), id);
  EXPECT_EQ(index_->Find(id)->id(), id);
  EXPECT_EQ(index_->Find(id.substr(7, 12))->id(), id);
  absl::StatusOr<Image> missing = index_->Find("app:2");
  EXPECT_TRUE(absl::IsNotFound(missing.status()));
  EXPECT_THAT(std::string(missing.status().message()),
              HasSubstr("No such image: app:2"));
  EXPECT_TRUE(absl::IsInvalidArgument(index_->Find("").status()));
}

TEST_F(ImageIndexTest, AmbiguousPrefixAsksForMoreDigits) {
  // Find two ids that share their first hex digit.
  std::vector<std::string> ids;
  for (int i = 0; ids.size() < 2 && i < 100; ++i) {
    const std::string id = Sha256Digest(std::to_string(i));
    if (ids.empty() || id[7] == ids[0][7]) {
      ids.push_back(Add(std::to_string(i)));
    }
  }
  ASSERT_EQ(ids.size(), 2u);
  absl::StatusOr<Image> found = index_->Find(ids[0].substr(7, 1));
  EXPECT_TRUE(absl::IsInvalidArgument(found.status())) << found.status();
  EXPECT_THAT(std::string(found.status().message()), HasSubstr("ambiguous"));
}

TEST_F(ImageIndexTest, TagMovesFromTheImageThatHadIt) {
  const std::string one = Add("one", {"app:latest"});
  const std::string two = Add("two");
  auto tagged = index_->Tag(two.substr(7, 12), "app");
  ASSERT_TRUE(tagged.ok()) << tagged.status();
  EXPECT_EQ(*tagged, two);
  EXPECT_EQ(index_->Find("app:latest")->id(), two);
  EXPECT_THAT(index_->Get(one)->repo_tags(), IsEmpty());
  EXPECT_THAT(index_->Get(two)->repo_tags(), ElementsAre("app:latest"));
  // Tagging again with the tag it has changes nothing.
  EXPECT_TRUE(index_->Tag("app:latest", "app:latest").ok());
  EXPECT_THAT(index_->Get(two)->repo_tags(), ElementsAre("app:latest"));
  EXPECT_FALSE(index_->Tag("app", "Bad:Tag").ok());
}

// `images NAME` and `--filter reference=`: Docker lists an image only under
// the tags that match (Berth listed every tag of a matching image).
TEST_F(ImageIndexTest, AReferenceFilterListsOnlyTheMatchingTags) {
  Add("one", {"busybox:latest", "bb:one", "bb:two"});
  Add("two", {"other:1"});
  image::v1::ListImagesRequest request;
  request.mutable_filter()->add_references("bb");
  auto listed = index_->List(request);
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->images_size(), 1);
  // "bb" matches the name without its tag, as Docker's filter does.
  EXPECT_THAT(listed->images(0).repo_tags(), ElementsAre("bb:one", "bb:two"));
  request.mutable_filter()->clear_references();
  request.mutable_filter()->add_references("bb:tw*");
  request.mutable_filter()->add_references("other");
  listed = index_->List(request);
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->images_size(), 2);
  std::vector<std::string> tags;
  for (const auto& image : listed->images()) {
    tags.insert(tags.end(), image.repo_tags().begin(), image.repo_tags().end());
  }
  EXPECT_THAT(tags, ::testing::UnorderedElementsAre("bb:two", "other:1"));
}

TEST_F(ImageIndexTest, PutKeepsStoredTagsAndTakesNamedOnes) {
  const std::string one = Add("one", {"a:1"});
  Add("two", {"b:1"});
  // Loading "one" again, tagged b:1 now.
  Add("one", {"b:1"});
  EXPECT_THAT(index_->Get(one)->repo_tags(), ElementsAre("b:1", "a:1"));
  EXPECT_EQ(index_->Find("b:1")->id(), one);
  ASSERT_TRUE(index_->Untag(*index_->Get(one), "a:1").ok());
  EXPECT_TRUE(absl::IsNotFound(index_->Find("a:1").status()));
}

TEST_F(ImageIndexTest, ChildrenAndLayerUsers) {
  const std::string parent = Add("parent", {"p:1"});
  const std::string child = Add("child", {}, parent);
  EXPECT_THAT(*index_->ChildrenOf(parent), ElementsAre(child));
  EXPECT_THAT(*index_->ChildrenOf(child), IsEmpty());
  EXPECT_TRUE(*index_->UsesLayer(Sha256Digest("layer child")));
  ASSERT_TRUE(index_->Delete(child).ok());
  EXPECT_FALSE(*index_->UsesLayer(Sha256Digest("layer child")));
  EXPECT_THAT(*index_->ChildrenOf(parent), IsEmpty());
}

TEST_F(ImageIndexTest, SharedSizeCountsLayersOtherImagesUseToo) {
  // base: layer A (100); app: A + B (30); solo: C (7).
  auto record = [&](const std::string& seed,
                    std::vector<std::pair<std::string, int64_t>> layers) {
    Image image;
    image.set_id(Sha256Digest(seed));
    image.add_repo_tags(seed + ":1");
    for (const auto& [chain, size] : layers) {
      image::v1::LayerInfo* layer = image.add_layers();
      layer->set_chain_id(Sha256Digest(chain));
      layer->set_unpacked_size(size);
      image.set_size(image.size() + size);
    }
    EXPECT_TRUE(core_->store()
                    .Update([&](Transaction& txn) {
                      return index_->Put(txn, {image});
                    })
                    .ok());
    return image.id();
  };
  const std::string base = record("base", {{"A", 100}});
  const std::string app = record("app", {{"A", 100}, {"B", 30}});
  const std::string solo = record("solo", {{"C", 7}});

  image::v1::ListImagesRequest request;
  request.set_shared_size(true);
  auto listed = index_->List(request);
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_EQ(listed->layers_size(), 137);
  std::map<std::string, int64_t> shared;
  for (const auto& summary : listed->images()) {
    shared[summary.id()] = summary.shared_size();
  }
  EXPECT_EQ(shared[base], 100);
  EXPECT_EQ(shared[app], 100);
  EXPECT_EQ(shared[solo], 0);

  // Not asked: -1 and no layers_size. A filter narrows the images listed,
  // never the sharing, which is over the whole store.
  request.set_shared_size(false);
  EXPECT_EQ(index_->List(request)->images(0).shared_size(), -1);
  EXPECT_EQ(index_->List(request)->layers_size(), 0);
  request.set_shared_size(true);
  request.mutable_filter()->add_references("app");
  listed = index_->List(request);
  ASSERT_EQ(listed->images_size(), 1);
  EXPECT_EQ(listed->images(0).shared_size(), 100);
  EXPECT_EQ(listed->layers_size(), 137);
}

}  // namespace
}  // namespace berth::imaged
