#include "services/imaged/layer/diff.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstring>
#include <ostream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/imaged/layer/test_util.h"

namespace berth {
namespace imaged {
namespace layer {

bool operator==(const Change& a, const Change& b) {
  return a.kind == b.kind && a.path == b.path;
}

std::ostream& operator<<(std::ostream& os, const Change& c) {
  return os << "ACD"[c.kind] << " " << c.path;
}

namespace {

using ::berth::imaged::layer::testing::TempDir;
using ::berth::imaged::layer::testing::WriteFileOrDie;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

Change A(const std::string& path) { return {Change::kAdded, path}; }
Change C(const std::string& path) { return {Change::kChanged, path}; }
Change D(const std::string& path) { return {Change::kDeleted, path}; }

class DiffTest : public ::testing::Test {
 protected:
  void Dir(const std::string& path, bool opaque = false) {
    ASSERT_EQ(mkdir(path.c_str(), 0755), 0) << path << ": " << strerror(errno);
    if (opaque) {
      ASSERT_EQ(setxattr(path.c_str(), "trusted.overlay.opaque", "y", 1, 0), 0);
    }
  }
  void File(const std::string& path) { WriteFileOrDie(path, path); }
  void Whiteout(const std::string& path) {
    ASSERT_EQ(mknod(path.c_str(), S_IFCHR, makedev(0, 0)), 0) << path;
  }

  TempDir tmp_;
  const std::string upper_ = tmp_.MakeDir("upper");
  const std::string lower1_ = tmp_.MakeDir("lower1");  // topmost
  const std::string lower2_ = tmp_.MakeDir("lower2");
};

TEST_F(DiffTest, ReportsAddedChangedAndDeleted) {
  // The image: lower2 at the bottom, lower1 above it.
  Dir(lower2_ + "/etc");
  File(lower2_ + "/etc/passwd");
  File(lower2_ + "/etc/group");
  File(lower2_ + "/etc/old");
  Dir(lower2_ + "/usr");
  Dir(lower2_ + "/usr/bin");
  File(lower2_ + "/usr/bin/tool");
  Dir(lower2_ + "/var");
  File(lower2_ + "/var/y");
  ASSERT_EQ(symlink("/", (lower2_ + "/link").c_str()), 0);
  Dir(lower1_ + "/etc");
  Whiteout(lower1_ + "/etc/old");  // Deleted by the upper image layer.
  Dir(lower1_ + "/var", /*opaque=*/true);
  File(lower1_ + "/var/x");

  // What the container did.
  Dir(upper_ + "/etc");
  File(upper_ + "/etc/passwd");     // modified
  File(upper_ + "/etc/new");        // created
  File(upper_ + "/etc/old");        // re-created after the image deleted it
  Whiteout(upper_ + "/etc/group");  // rm /etc/group
  Dir(upper_ + "/usr");
  Dir(upper_ + "/usr/bin");
  File(upper_ + "/usr/bin/tool2");
  Dir(upper_ + "/newdir");
  File(upper_ + "/newdir/f");
  Dir(upper_ + "/var", /*opaque=*/true);  // rm -rf /var; mkdir /var
  File(upper_ + "/var/x");
  File(upper_ + "/var/y");  // lower2's var/y was hidden by lower1's opaque var
  Dir(upper_ + "/link");    // replaced the symlink with a directory
  Dir(upper_ + "/link/etc");  // not the host's /etc through the symlink
  Dir(upper_ + "/opq", /*opaque=*/true);

  absl::StatusOr<std::vector<Change>> changes =
      DiffUpperDir(upper_, {lower1_, lower2_});
  ASSERT_TRUE(changes.ok()) << changes.status();
  EXPECT_THAT(
      *changes,
      ElementsAre(C("/etc"), D("/etc/group"), A("/etc/new"), A("/etc/old"),
                  C("/etc/passwd"), C("/link"), A("/link/etc"), A("/newdir"),
                  A("/newdir/f"), C("/opq"), C("/usr"), C("/usr/bin"),
                  A("/usr/bin/tool2"), C("/var"), C("/var/x"), A("/var/y")));
}

TEST_F(DiffTest, NoLowerLayersMeansEverythingIsAdded) {
  Dir(upper_ + "/a");
  File(upper_ + "/a/b");
  absl::StatusOr<std::vector<Change>> changes = DiffUpperDir(upper_, {});
  ASSERT_TRUE(changes.ok()) << changes.status();
  EXPECT_THAT(*changes, ElementsAre(A("/a"), A("/a/b")));
}

TEST_F(DiffTest, EmptyUpperHasNoChanges) {
  File(lower1_ + "/f");
  absl::StatusOr<std::vector<Change>> changes = DiffUpperDir(upper_, {lower1_});
  ASSERT_TRUE(changes.ok()) << changes.status();
  EXPECT_THAT(*changes, IsEmpty());
}

TEST_F(DiffTest, MissingDirectoryIsNotFound) {
  EXPECT_TRUE(absl::IsNotFound(
      DiffUpperDir(tmp_.path() + "/missing", {lower1_}).status()));
  EXPECT_TRUE(absl::IsNotFound(
      DiffUpperDir(upper_, {tmp_.path() + "/missing"}).status()));
}

}  // namespace
}  // namespace layer
}  // namespace imaged
}  // namespace berth
