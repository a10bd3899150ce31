#include "services/containerd/runtime/user.h"

#include <sys/stat.h>
#include <unistd.h>

#include "gtest/gtest.h"

namespace berth {
namespace containerd {
namespace runtime {
namespace {

constexpr char kPasswd[] =
    "root:x:0:0:root:/root:/bin/sh\n"
    "# comment\n"
    "app:x:1000:1000:App:/home/app:/bin/sh\n"
    "nohome:x:1001:1001::\n";
constexpr char kGroup[] =
    "root:x:0:\n"
    "audio:x:29:app\n"
    "staff:x:50:root,app\n"
    "app:x:1000:\n";

ExecUser Resolve(const std::string& spec, std::vector<std::string> add = {}) {
  absl::StatusOr<ExecUser> user = ResolveUser(spec, kPasswd, kGroup, add);
  EXPECT_TRUE(user.ok()) << user.status();
  return user.ok() ? *user : ExecUser{};
}

TEST(ResolveUserTest, EmptyIsRoot) {
  ExecUser user = Resolve("");
  EXPECT_EQ(user.uid, 0u);
  EXPECT_EQ(user.gid, 0u);
  EXPECT_EQ(user.home, "/root");
  // The primary group first, as Docker lists it.
  EXPECT_EQ(user.groups, (std::vector<gid_t>{0, 50}));
}

TEST(ResolveUserTest, ByNameWithMemberships) {
  ExecUser user = Resolve("app");
  EXPECT_EQ(user.uid, 1000u);
  EXPECT_EQ(user.gid, 1000u);
  EXPECT_EQ(user.home, "/home/app");
  EXPECT_EQ(user.groups, (std::vector<gid_t>{1000, 29, 50}));
}

TEST(ResolveUserTest, NumericUidMatchesTheEntry) {
  ExecUser user = Resolve("1000");
  EXPECT_EQ(user.gid, 1000u);
  EXPECT_EQ(user.home, "/home/app");
}

TEST(ResolveUserTest, UnknownNumericUid) {
  ExecUser user = Resolve("1234:5678");
  EXPECT_EQ(user.uid, 1234u);
  EXPECT_EQ(user.gid, 5678u);
  EXPECT_EQ(user.home, "/");
  EXPECT_EQ(user.groups, (std::vector<gid_t>{5678}));
}

TEST(ResolveUserTest, ExplicitGroupDropsMemberships) {
  ExecUser user = Resolve("app:audio");
  EXPECT_EQ(user.gid, 29u);
  EXPECT_EQ(user.groups, (std::vector<gid_t>{29}));
  EXPECT_EQ(Resolve("app:0").gid, 0u);
}

TEST(ResolveUserTest, GroupAdd) {
  ExecUser user = Resolve("app", {"staff", "777", "root"});
  EXPECT_EQ(user.groups, (std::vector<gid_t>{1000, 29, 50, 777, 0}));
}

TEST(ResolveUserTest, EmptyHomeIsSlash) { EXPECT_EQ(Resolve("nohome").home, "/"); }

TEST(ResolveUserTest, Errors) {
  EXPECT_EQ(ResolveUser("ghost", kPasswd, kGroup, {}).status(),
            absl::InvalidArgumentError(
                "unable to find user ghost: no matching entries in passwd file"));
  EXPECT_EQ(ResolveUser("app:ghosts", kPasswd, kGroup, {}).status(),
            absl::InvalidArgumentError(
                "unable to find group ghosts: no matching entries in group file"));
  EXPECT_FALSE(ResolveUser("app", kPasswd, kGroup, {"ghosts"}).ok());
  EXPECT_FALSE(ResolveUser("99999999999", kPasswd, kGroup, {}).ok());
}

TEST(ResolveUserTest, NoFiles) {
  absl::StatusOr<ExecUser> user = ResolveUser("", "", "", {});
  ASSERT_TRUE(user.ok());
  EXPECT_EQ(user->uid, 0u);
  EXPECT_EQ(user->home, "/");
  EXPECT_FALSE(ResolveUser("app", "", "", {}).ok());
  user = ResolveUserFromFiles("5:6", "/nonexistent/passwd", "/nonexistent/group", {});
  ASSERT_TRUE(user.ok()) << user.status();
  EXPECT_EQ(user->uid, 5u);
  EXPECT_EQ(user->gid, 6u);
}

// An image whose /etc/passwd is a FIFO held every start open (until a
// deadline) and rm -f behind it: the lookup reads regular files only.
TEST(ResolveUserTest, AFifoOrDeviceCountsAsNoFile) {
  char pattern[] = "/tmp/user-test-XXXXXX";
  ASSERT_NE(mkdtemp(pattern), nullptr);
  const std::string fifo = std::string(pattern) + "/passwd";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0644), 0);
  absl::StatusOr<ExecUser> user =
      ResolveUserFromFiles("7:8", fifo, "/dev/null", {});
  ASSERT_TRUE(user.ok()) << user.status();
  EXPECT_EQ(user->uid, 7u);
  EXPECT_EQ(user->gid, 8u);
  EXPECT_FALSE(ResolveUserFromFiles("app", fifo, "/dev/null", {}).ok());
  unlink(fifo.c_str());
  rmdir(pattern);
}

}  // namespace
}  // namespace runtime
}  // namespace containerd
}  // namespace berth
