#include "services/containerd/files/change_order.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace berth::containerd::files {
namespace {

TEST(SortInWalkOrderTest, DirectoryBeforeItsChildrenAndSiblings) {
  google::protobuf::RepeatedPtrField<types::v1::FileChange> changes;
  for (const char* path : {"/a.txt", "/a/b", "/a", "/etc/passwd", "/etc",
                           "/a-b", "/a/b/c"}) {
    changes.Add()->set_path(path);
  }
  SortInWalkOrder(&changes);
  std::vector<std::string> paths;
  for (const auto& change : changes) paths.push_back(change.path());
  EXPECT_THAT(paths, ::testing::ElementsAre("/a", "/a/b", "/a/b/c", "/a-b",
                                            "/a.txt", "/etc", "/etc/passwd"));
}

}  // namespace
}  // namespace berth::containerd::files
