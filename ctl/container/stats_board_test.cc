#include "ctl/container/stats_board.h"

#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace berth::ctl {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

container::v1::ContainerStats Sample(const std::string& id, uint64_t pids) {
  container::v1::ContainerStats sample;
  sample.set_id(id);
  sample.set_pids_current(pids);
  return sample;
}

std::vector<std::string> Ids(StatsBoard& board) {
  std::vector<std::string> ids;
  for (const auto& row : board.Rows()) ids.push_back(row.id());
  return ids;
}

TEST(StatsChangeTest, DockersEventsWithAndWithoutAll) {
  EXPECT_EQ(StatsChangeFor("start", false), StatsChange::kAdd);
  EXPECT_EQ(StatsChangeFor("start", true), StatsChange::kAdd);
  EXPECT_EQ(StatsChangeFor("create", false), StatsChange::kNone);
  EXPECT_EQ(StatsChangeFor("create", true), StatsChange::kAdd);
  EXPECT_EQ(StatsChangeFor("die", false), StatsChange::kRemove);
  EXPECT_EQ(StatsChangeFor("die", true), StatsChange::kNone);
  EXPECT_EQ(StatsChangeFor("destroy", false), StatsChange::kRemove);
  EXPECT_EQ(StatsChangeFor("destroy", true), StatsChange::kRemove);
  EXPECT_EQ(StatsChangeFor("pause", false), StatsChange::kNone);
  EXPECT_THAT(StatsEventActions(false), ElementsAre("start", "destroy", "die"));
  EXPECT_THAT(StatsEventActions(true), ElementsAre("start", "create", "destroy"));
}

TEST(StatsBoardTest, RowsInTheOrderAddedOnceTheyHaveASample) {
  StatsBoard board;
  EXPECT_TRUE(board.Add("b"));
  EXPECT_TRUE(board.Add("a"));
  EXPECT_FALSE(board.Add("b"));
  board.Update(Sample("a", 1));
  EXPECT_THAT(Ids(board), ElementsAre("a"));
  board.Update(Sample("b", 2));
  board.Update(Sample("stranger", 3));  // not shown: ignored
  EXPECT_THAT(Ids(board), ElementsAre("b", "a"));
  board.Update(Sample("b", 5));
  EXPECT_EQ(board.Rows()[0].pids_current(), 5u);
  EXPECT_TRUE(board.Remove("b"));
  EXPECT_FALSE(board.Remove("b"));
  EXPECT_THAT(Ids(board), ElementsAre("a"));
  board.Ended("a");
  EXPECT_THAT(Ids(board), IsEmpty());
}

TEST(StatsBoardTest, TheFirstFrameWaitsForEveryContainersFirstSample) {
  StatsBoard board;
  board.Add("a");
  board.Add("b");
  board.Update(Sample("a", 1));
  EXPECT_FALSE(board.AwaitChange(absl::Milliseconds(20)));
  board.Update(Sample("b", 1));
  EXPECT_TRUE(board.AwaitChange(absl::Milliseconds(20)));
  // Nothing new: no frame.
  EXPECT_FALSE(board.AwaitChange(absl::Milliseconds(20)));
  // Later ones do not hold the frames back.
  board.Add("c");
  EXPECT_TRUE(board.AwaitChange(absl::Milliseconds(20)));
  EXPECT_THAT(Ids(board), ElementsAre("a", "b"));
}

TEST(StatsBoardTest, NoContainersIsAnEmptyFirstFrame) {
  StatsBoard board;
  EXPECT_TRUE(board.AwaitChange(absl::Milliseconds(20)));
  EXPECT_FALSE(board.AwaitChange(absl::Milliseconds(20)));
}

TEST(StatsBoardTest, ASampleFromAnotherThreadWakesTheWaiter) {
  StatsBoard board;
  board.Add("a");
  std::thread feeder([&board] {
    absl::SleepFor(absl::Milliseconds(30));
    board.Update(Sample("a", 1));
  });
  EXPECT_TRUE(board.AwaitChange(absl::Seconds(5)));
  feeder.join();
  EXPECT_FALSE(board.closed());
  board.Close();
  EXPECT_TRUE(board.closed());
  EXPECT_FALSE(board.AwaitChange(absl::Seconds(5)));
}

}  // namespace
}  // namespace berth::ctl
