#include "common/sha256.h"

#include <unistd.h>

#include <fstream>

#include "gtest/gtest.h"

namespace berth {
namespace {

TEST(Sha256Test, KnownVectors) {
  EXPECT_EQ(Sha256Digest(""),
            "sha256:"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Digest("abc"),
            "sha256:"
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256Test, IncrementalEqualsWhole) {
  Sha256 hash;
  hash.Update("a");
  hash.Update(std::string("bc"));
  EXPECT_EQ(hash.Digest(), Sha256Digest("abc"));
}

TEST(Sha256Test, FileDigest) {
  char path[] = "/tmp/berth-sha-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  std::ofstream(path) << "abc";
  EXPECT_EQ(*Sha256File(path), Sha256Digest("abc"));
  unlink(path);
  EXPECT_TRUE(absl::IsNotFound(Sha256File(path).status()));
}

TEST(Sha256Test, DigestSyntax) {
  EXPECT_TRUE(IsSha256Digest(Sha256Digest("x")));
  EXPECT_FALSE(IsSha256Digest("sha256:abc"));
  EXPECT_FALSE(IsSha256Digest("md5:" + std::string(64, 'a')));
  EXPECT_FALSE(IsSha256Digest("sha256:" + std::string(64, 'A')));
}

}  // namespace
}  // namespace berth
