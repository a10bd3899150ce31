#include "common/signals.h"

#include <signal.h>

#include "gtest/gtest.h"

namespace berth {
namespace {

TEST(ParseSignalTest, NamesNumbersAndRealTimeOffsets) {
  EXPECT_EQ(*ParseSignal("SIGTERM"), SIGTERM);
  EXPECT_EQ(*ParseSignal("hup"), SIGHUP);
  EXPECT_EQ(*ParseSignal("CLD"), SIGCHLD);
  EXPECT_EQ(*ParseSignal("9"), 9);
  EXPECT_EQ(*ParseSignal("SIGRTMIN+3"), SIGRTMIN + 3);
  EXPECT_EQ(*ParseSignal("rtmax-2"), SIGRTMAX - 2);
}

TEST(ParseSignalTest, RejectsWithDockersMessage) {
  for (const char* bad : {"", "0", "65", "SIGNOPE", "RTMIN+16", "RTMAX-0",
                          "RTMIN+x", "RTMIN++3", "SIGRTMIN+", "9x", "-1"}) {
    absl::StatusOr<int> parsed = ParseSignal(bad);
    EXPECT_TRUE(absl::IsInvalidArgument(parsed.status())) << bad;
    EXPECT_EQ(parsed.status().message(), std::string("Invalid signal: ") + bad);
  }
}

}  // namespace
}  // namespace berth
