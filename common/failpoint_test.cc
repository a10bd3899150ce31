#include "common/failpoint.h"

#include <cstdlib>

#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace berth {
namespace {

TEST(Failpoint, HoldsOnlyAtTheNamedPointsForTheirDuration) {
  // Read once, at the first point reached.
  ASSERT_EQ(setenv(kFailpointsEnv, "held=300ms,bad=forever,,", 1), 0);
  absl::Time start = absl::Now();
  Failpoint("held");
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(300));
  start = absl::Now();
  Failpoint("elsewhere");
  Failpoint("bad");  // an unparsable duration is ignored, not held forever
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(300));
}

}  // namespace
}  // namespace berth
