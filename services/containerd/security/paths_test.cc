// MaskPaths and MakeReadonly in forked children with their own mount
// namespace, so every mount vanishes with the child. Needs root.
#include "services/containerd/security/paths.h"

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/containerd/security/test_util.h"

namespace berth::containerd::security {
namespace {

using testing::ChildResult;
using ::testing::Contains;
using testing::RunInChild;

bool WriteFile(const std::string& path, const std::string& content) {
  int fd = open(path.c_str(), O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  bool ok = write(fd, content.data(), content.size()) ==
            static_cast<ssize_t>(content.size());
  close(fd);
  return ok;
}

// -1 if unreadable.
ssize_t ReadSize(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  char buf[4096];
  ssize_t total = 0;
  ssize_t n;
  while ((n = read(fd, buf, sizeof(buf))) > 0) total += n;
  close(fd);
  return n < 0 ? -1 : total;
}

int Entries(const std::string& dir) {
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return -1;
  int count = 0;
  while (dirent* e = readdir(d)) {
    if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) {
      ++count;
    }
  }
  closedir(d);
  return count;
}

// A private mount namespace for the child.
int PrivateMountNamespace() {
  CHILD_CHECK(unshare(CLONE_NEWNS) == 0, 90, "unshare(CLONE_NEWNS)");
  CHILD_CHECK(mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0,
              91, "make / rprivate");
  return 0;
}

class PathsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root";
    dir_ = testing::MakeTempDir();
    ASSERT_FALSE(dir_.empty());
  }
  std::string dir_;
};

TEST(DefaultPathsTest, DockerLists) {
  EXPECT_EQ(DefaultMaskedPaths().size(), 11u);
  EXPECT_THAT(DefaultMaskedPaths(), Contains("/proc/kcore"));
  EXPECT_THAT(DefaultMaskedPaths(), Contains("/sys/firmware"));
  EXPECT_THAT(DefaultReadonlyPaths(),
              ::testing::ElementsAre("/proc/bus", "/proc/fs", "/proc/irq",
                                     "/proc/sys", "/proc/sysrq-trigger"));
}

TEST_F(PathsTest, MasksFilesAndDirectories) {
  ChildResult child = RunInChild([&] {
    int rc = PrivateMountNamespace();
    if (rc != 0) return rc;
    CHILD_CHECK(mount("tmpfs", dir_.c_str(), "tmpfs", MS_NOSUID | MS_NODEV,
                      nullptr) == 0,
                2, "mount tmpfs");
    const std::string secret = dir_ + "/secret";
    const std::string hidden = dir_ + "/hidden";
    CHILD_CHECK(WriteFile(secret, "top secret"), 3, "write secret");
    CHILD_CHECK(mkdir(hidden.c_str(), 0755) == 0, 4, "mkdir hidden");
    CHILD_CHECK(WriteFile(hidden + "/inner", "also secret"), 5, "write inner");

    absl::Status status =
        MaskPaths({secret, hidden, dir_ + "/missing", dir_ + "/no/such"});
    CHILD_CHECK(status.ok(), 6, status.ToString());

    CHILD_CHECK(ReadSize(secret) == 0, 10, "masked file reads empty");
    CHILD_CHECK(Entries(hidden) == 0, 11, "masked dir is empty");
    CHILD_CHECK(ReadSize(hidden + "/inner") == -1 && errno == ENOENT, 12,
                "inner file hidden");
    CHILD_CHECK(!WriteFile(hidden + "/new", "x") && errno == EROFS, 13,
                "masked dir is read-only");
    // Writes to a masked file go to /dev/null.
    CHILD_CHECK(WriteFile(secret, "overwrite"), 14, "write masked file");
    CHILD_CHECK(ReadSize(secret) == 0, 15, "still empty");
    CHILD_CHECK(WriteFile(dir_ + "/other", "x"), 16, "rest stays writable");
    return 0;
  });
  EXPECT_EQ(child.exit_code, 0) << child.output;
}

TEST_F(PathsTest, ReadonlyKeepsMountFlags) {
  ChildResult child = RunInChild([&] {
    int rc = PrivateMountNamespace();
    if (rc != 0) return rc;
    CHILD_CHECK(
        mount("tmpfs", dir_.c_str(), "tmpfs",
              MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME, nullptr) == 0,
        2, "mount tmpfs");
    const std::string ro = dir_ + "/ro";
    const std::string file = dir_ + "/ro-file";
    CHILD_CHECK(mkdir(ro.c_str(), 0755) == 0, 3, "mkdir ro");
    CHILD_CHECK(WriteFile(ro + "/existing", "data"), 4, "write existing");
    CHILD_CHECK(WriteFile(file, "data"), 5, "write file");

    absl::Status status = MakeReadonly({ro, file, dir_ + "/missing"});
    CHILD_CHECK(status.ok(), 6, status.ToString());

    CHILD_CHECK(!WriteFile(ro + "/new", "x") && errno == EROFS, 10,
                "create in read-only dir");
    CHILD_CHECK(
        open((ro + "/existing").c_str(), O_WRONLY) == -1 && errno == EROFS, 11,
        "write existing file in read-only dir");
    CHILD_CHECK(mkdir((ro + "/sub").c_str(), 0755) == -1 && errno == EROFS, 12,
                "mkdir in read-only dir");
    CHILD_CHECK(open(file.c_str(), O_WRONLY) == -1 && errno == EROFS, 13,
                "write read-only file");
    CHILD_CHECK(ReadSize(ro + "/existing") == 4, 14, "still readable");
    struct statvfs vfs;
    CHILD_CHECK(statvfs(ro.c_str(), &vfs) == 0, 15, "statvfs");
    const unsigned long want =
        ST_RDONLY | ST_NOSUID | ST_NODEV | ST_NOEXEC | ST_NOATIME;
    CHILD_CHECK((vfs.f_flag & want) == want, 16, "flags kept");
    CHILD_CHECK(WriteFile(dir_ + "/other", "x"), 17, "rest stays writable");
    return 0;
  });
  EXPECT_EQ(child.exit_code, 0) << child.output;
}

// Docker's lists on the host's own /proc and /sys, as after pivot_root.
TEST_F(PathsTest, DefaultListsOnRealProc) {
  ChildResult child = RunInChild([&] {
    int rc = PrivateMountNamespace();
    if (rc != 0) return rc;
    absl::Status status = MaskPaths(DefaultMaskedPaths());
    CHILD_CHECK(status.ok(), 2, status.ToString());
    status = MakeReadonly(DefaultReadonlyPaths());
    CHILD_CHECK(status.ok(), 3, status.ToString());
    for (const char* path : {"/proc/timer_list", "/proc/keys"}) {
      struct stat st;
      if (stat(path, &st) != 0) continue;  // not in this kernel
      CHILD_CHECK(ReadSize(path) == 0, 10, path);
    }
    CHILD_CHECK(
        open("/proc/sys/kernel/hostname", O_WRONLY) == -1 && errno == EROFS, 11,
        "/proc/sys is read-only");
    struct stat st;
    if (stat("/proc/sysrq-trigger", &st) == 0) {  // absent in some kernels
      CHILD_CHECK(open("/proc/sysrq-trigger", O_WRONLY) == -1 && errno == EROFS,
                  12, "/proc/sysrq-trigger is read-only");
    }
    CHILD_CHECK(ReadSize("/proc/sys/kernel/hostname") > 0, 13,
                "/proc/sys is readable");
    return 0;
  });
  EXPECT_EQ(child.exit_code, 0) << child.output;
}

}  // namespace
}  // namespace berth::containerd::security
