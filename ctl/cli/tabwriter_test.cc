#include "ctl/cli/tabwriter.h"

#include "gtest/gtest.h"

namespace berth::ctl {
namespace {

TEST(GoTabwriteTest, AlignsColumnsWithMinimumAndPadding) {
  EXPECT_EQ(GoTabwrite("CONTAINER ID\tNAMES\nab\tx\n", 10, 3),
            "CONTAINER ID   NAMES\nab             x\n");
  EXPECT_EQ(GoTabwrite("a\tb\tc\n", 10, 3), "a         b         c\n");
}

TEST(GoTabwriteTest, BlocksEndAtLinesWithoutTheColumn) {
  // The line without a tab ends the block: the columns after it are sized
  // on their own, as Go's tabwriter does.
  EXPECT_EQ(GoTabwrite("long-cell\tx\nplain\ny\tz\n", 5, 1),
            "long-cell x\nplain\ny    z\n");
  // Lines with more cells open an inner block.
  EXPECT_EQ(GoTabwrite("a\tb\nc\tdddddd\te\n", 2, 1),
            "a b\nc dddddd e\n");
}

TEST(GoTabwriteTest, EmptyCellsArePaddedAndTextAfterTheLastNewlineKept) {
  EXPECT_EQ(GoTabwrite("\tx\nab\ty", 4, 1), "    x\nab  y");
  EXPECT_EQ(GoTabwrite("", 10, 3), "");
  EXPECT_EQ(GoTabwrite("é\tx\n", 3, 1), "é  x\n");
}

}  // namespace
}  // namespace berth::ctl
