// Needs root: makes real namespaces under a temporary directory.
#include "common/netns.h"

#include <sys/stat.h>
#include <unistd.h>

#include "common/fs_util.h"
#include "gtest/gtest.h"

namespace berth {
namespace {

TEST(NetnsTest, CreateBindsANewNamespaceAndRemoveEndsIt) {
  absl::StatusOr<std::string> dir = MakeTempDir("/tmp", "netns-test-");
  ASSERT_TRUE(dir.ok()) << dir.status();
  const std::string path = *dir + "/ns";
  ASSERT_TRUE(CreateNetns(path).ok());
  struct stat bound {};
  struct stat ours {};
  ASSERT_EQ(stat(path.c_str(), &bound), 0);
  ASSERT_EQ(stat("/proc/self/ns/net", &ours), 0);
  // A namespace file, and not the test's own namespace.
  EXPECT_NE(bound.st_ino, ours.st_ino);
  EXPECT_EQ(bound.st_dev, ours.st_dev);
  EXPECT_TRUE(absl::IsAlreadyExists(CreateNetns(path)));

  ASSERT_TRUE(RemoveNetns(path).ok());
  EXPECT_NE(stat(path.c_str(), &bound), 0);
  EXPECT_TRUE(RemoveNetns(path).ok());  // gone already
  EXPECT_TRUE(RemoveTree(*dir).ok());
}

TEST(NetnsTest, ANamespaceMadeAheadIsBoundLater) {
  absl::StatusOr<std::string> dir = MakeTempDir("/tmp", "netns-test-");
  ASSERT_TRUE(dir.ok()) << dir.status();
  absl::StatusOr<int> fd = NewNetnsFd();
  ASSERT_TRUE(fd.ok()) << fd.status();
  struct stat held {};
  ASSERT_EQ(fstat(*fd, &held), 0);
  const std::string path = *dir + "/ns";
  ASSERT_TRUE(BindNetns(*fd, path).ok());
  close(*fd);
  struct stat bound {};
  ASSERT_EQ(stat(path.c_str(), &bound), 0);
  EXPECT_EQ(bound.st_ino, held.st_ino);  // the same namespace, still there
  ASSERT_TRUE(RemoveNetns(path).ok());
  EXPECT_TRUE(RemoveTree(*dir).ok());
}

}  // namespace
}  // namespace berth
