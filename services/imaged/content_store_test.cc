#include "services/imaged/content_store.h"

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "common/fs_util.h"
#include "common/sha256.h"
#include "gtest/gtest.h"

namespace berth::imaged {
namespace {

class ContentStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = MakeTempDir("/tmp", "berth-cs-");
    ASSERT_TRUE(dir.ok());
    dir_ = *dir;
    ASSERT_TRUE(store_.Init().ok());
  }
  void TearDown() override { ASSERT_TRUE(RemoveTree(dir_).ok()); }
  std::string dir_;
  ContentStore store_{"/tmp/unset"};
};

TEST_F(ContentStoreTest, PutReadDelete) {
  store_ = ContentStore(dir_ + "/blobs");
  ASSERT_TRUE(store_.Init().ok());
  auto digest = store_.Put("hello");
  ASSERT_TRUE(digest.ok());
  EXPECT_EQ(*digest, Sha256Digest("hello"));
  EXPECT_TRUE(store_.Contains(*digest));
  EXPECT_EQ(*store_.Read(*digest), "hello");
  EXPECT_EQ(*store_.SizeOf(*digest), 5);
  EXPECT_EQ(store_.List()->size(), 1u);
  ASSERT_TRUE(store_.Delete(*digest).ok());
  EXPECT_FALSE(store_.Contains(*digest));
  EXPECT_TRUE(absl::IsNotFound(store_.Read(*digest).status()));
}

TEST_F(ContentStoreTest, AdoptComputesDigestAndConsumesTempFile) {
  store_ = ContentStore(dir_ + "/blobs");
  ASSERT_TRUE(store_.Init().ok());
  const std::string temp = dir_ + "/temp";
  std::ofstream(temp) << "layer bytes";
  auto digest = store_.Adopt(temp);
  ASSERT_TRUE(digest.ok()) << digest.status();
  EXPECT_EQ(*digest, Sha256Digest("layer bytes"));
  EXPECT_NE(access(temp.c_str(), F_OK), 0);
  EXPECT_EQ(*store_.Read(*digest), "layer bytes");
}

TEST_F(ContentStoreTest, LinkKeepsTheFileAndSharesItsInode) {
  store_ = ContentStore(dir_ + "/blobs");
  ASSERT_TRUE(store_.Init().ok());
  const std::string spooled = dir_ + "/layer.tar.gz";
  std::ofstream(spooled) << "compressed bytes";
  const std::string digest = Sha256Digest("compressed bytes");
  auto linked = store_.Link(spooled, digest);
  ASSERT_TRUE(linked.ok()) << linked.status();
  EXPECT_EQ(*linked, digest);
  EXPECT_EQ(*store_.Read(digest), "compressed bytes");
  struct stat a, b;
  ASSERT_EQ(stat(spooled.c_str(), &a), 0);
  ASSERT_EQ(stat(store_.PathOf(digest).c_str(), &b), 0);
  EXPECT_EQ(a.st_ino, b.st_ino);  // no copy was made
  // Linking again (the blob is there) succeeds without touching it.
  EXPECT_TRUE(store_.Link(spooled, digest).ok());
  EXPECT_TRUE(absl::IsInvalidArgument(store_.Link(spooled, "sha256:zz").status()));
  EXPECT_FALSE(store_.Link(dir_ + "/missing", Sha256Digest("x")).ok());
}

TEST_F(ContentStoreTest, CorruptedBlobIsDataLoss) {
  store_ = ContentStore(dir_ + "/blobs");
  ASSERT_TRUE(store_.Init().ok());
  auto digest = store_.Put("original");
  ASSERT_TRUE(digest.ok());
  std::ofstream(store_.PathOf(*digest)) << "tampered";
  EXPECT_TRUE(absl::IsDataLoss(store_.Read(*digest).status()));
}

TEST_F(ContentStoreTest, MalformedDigestIsRefused) {
  store_ = ContentStore(dir_ + "/blobs");
  ASSERT_TRUE(store_.Init().ok());
  EXPECT_TRUE(absl::IsInvalidArgument(store_.Read("sha256:../../etc").status()));
  EXPECT_TRUE(absl::IsInvalidArgument(store_.Delete("md5:abc")));
}

}  // namespace
}  // namespace berth::imaged
