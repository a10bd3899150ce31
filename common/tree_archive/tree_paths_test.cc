#include "common/tree_archive/tree_paths.h"

#include <map>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace berth::tree_archive {
namespace {

using ::testing::ElementsAre;

TEST(CleanPathTest, FoldsAsGoDoes) {
  EXPECT_EQ(CleanPath(""), ".");
  EXPECT_EQ(CleanPath("/"), "/");
  EXPECT_EQ(CleanPath("//a/./b/"), "/a/b");
  EXPECT_EQ(CleanPath("/../a/.."), "/");
  EXPECT_EQ(CleanPath("a/../../b"), "../b");
  EXPECT_EQ(CleanPath("./"), ".");
}

TEST(BaseDirTest, AsFilepath) {
  EXPECT_EQ(BasePath("/a/b/"), "b");
  EXPECT_EQ(BasePath("/a/."), ".");
  EXPECT_EQ(BasePath("/"), "/");
  EXPECT_EQ(DirPath("/a/b"), "/a");
  EXPECT_EQ(DirPath("/a"), "/");
  EXPECT_EQ(DirPath("a"), ".");
}

TEST(DockerPathRulesTest, TrailingDotsAndSeparators) {
  EXPECT_TRUE(AssertsDirectory("/a/"));
  EXPECT_TRUE(AssertsDirectory("/a/."));
  EXPECT_FALSE(AssertsDirectory("/a"));
  EXPECT_EQ(PreserveTrailingDotOrSeparator("/a", "/a/./"), "/a/./");
  EXPECT_EQ(PreserveTrailingDotOrSeparator("/a", "/a//"), "/a/");
  EXPECT_EQ(PreserveTrailingDotOrSeparator("/", "/."), "/.");
  EXPECT_EQ(PreserveTrailingDotOrSeparator("/a", "/a"), "/a");
  EXPECT_EQ(SplitPathDirEntry("/a/b/."), std::make_pair(std::string("/a/b"),
                                                        std::string(".")));
  EXPECT_EQ(SplitPathDirEntry("/a/b/"), std::make_pair(std::string("/a"),
                                                       std::string("b")));
  EXPECT_EQ(SplitPathDirEntry("b"), std::make_pair(std::string("."),
                                                   std::string("b")));
}

TEST(EntryComponentsTest, DropsRootAndDotsRefusesParent) {
  EXPECT_THAT(*EntryComponents("./a//b/"), ElementsAre("a", "b"));
  EXPECT_THAT(*EntryComponents("/a"), ElementsAre("a"));
  EXPECT_TRUE(EntryComponents("./")->empty());
  EXPECT_EQ(EntryComponents("a/../../etc").status().code(),
            absl::StatusCode::kInvalidArgument);
}

// A tree of links: /etc/alt -> /usr/etc (absolute), /lib -> usr/lib
// (relative), /up -> ../../.. (clamped at the root), /loop -> /loop.
ReadLink Links() {
  static const std::map<std::string, std::string> links = {
      {"/etc/alt", "/usr/etc"}, {"/lib", "usr/lib"}, {"/up", "../../.."},
      {"/loop", "/loop"},       {"/usr/lib/cur", "."}};
  return [](const std::string& path) -> std::optional<std::string> {
    auto it = links.find(path);
    if (it == links.end()) return std::nullopt;
    return it->second;
  };
}

TEST(FollowSymlinksInScopeTest, FollowsInsideTheRoot) {
  EXPECT_EQ(*FollowSymlinksInScope("/etc/alt/x", Links()), "/usr/etc/x");
  EXPECT_EQ(*FollowSymlinksInScope("/lib/cur/so", Links()), "/usr/lib/so");
  EXPECT_EQ(*FollowSymlinksInScope("/up/etc/passwd", Links()), "/etc/passwd");
  EXPECT_EQ(*FollowSymlinksInScope("/missing/a/../b", Links()), "/missing/b");
  EXPECT_EQ(*FollowSymlinksInScope("/", Links()), "/");
  EXPECT_EQ(FollowSymlinksInScope("/loop/x", Links()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace berth::tree_archive
