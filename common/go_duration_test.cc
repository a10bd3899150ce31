#include "common/go_duration.h"

#include "gtest/gtest.h"

namespace berth {
namespace {

TEST(ParseGoDurationTest, MatchesGo) {
  struct Case {
    const char* value;
    absl::Duration want;
  } cases[] = {
      {"0", absl::ZeroDuration()},
      {"+5s", absl::Seconds(5)},
      {"-1.5h", -absl::Minutes(90)},
      {".5s", absl::Milliseconds(500)},
      {"5.s", absl::Seconds(5)},
      {"1h2m3s4ms5us6ns", absl::Hours(1) + absl::Minutes(2) + absl::Seconds(3) +
                              absl::Milliseconds(4) + absl::Microseconds(5) +
                              absl::Nanoseconds(6)},
      {"3\xC2\xB5s", absl::Microseconds(3)},
      {"3\xCE\xBCs", absl::Microseconds(3)},
      {"2562047h", absl::Hours(2562047)},
  };
  for (const Case& c : cases) {
    auto got = ParseGoDuration(c.value);
    ASSERT_TRUE(got.ok()) << c.value << ": " << got.status();
    EXPECT_EQ(*got, c.want) << c.value;
  }
  for (const char* bad :
       {"", "+", "1", "s", "1x", "1.h.", "9999999999h", "1e3s", "--1s"}) {
    EXPECT_FALSE(ParseGoDuration(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace berth
