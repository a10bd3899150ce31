#include "services/containerd/logs/docker_time.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "gtest/gtest.h"

namespace berth {
namespace containerd {
namespace logs {
namespace {

// 2013-01-02T13:23:37Z
constexpr int64_t kBase = 1357133017;

absl::Time Unix(int64_t seconds, int64_t nanos = 0) {
  return absl::FromUnixSeconds(seconds) + absl::Nanoseconds(nanos);
}

TEST(ParseDockerTimeTest, AcceptedForms) {
  // "Local" time here is a fixed UTC+2 zone; `now` is in it.
  absl::TimeZone local = absl::FixedTimeZone(2 * 3600);
  absl::Time now = Unix(kBase + 10000, 750000000);
  struct Case {
    const char* value;
    absl::Time want;
  } cases[] = {
      {"2013-01-02T13:23:37Z", Unix(kBase)},
      {"2013-01-02T13:23:37.123456789Z", Unix(kBase, 123456789)},
      {"2013-01-02T13:23:37.5Z", Unix(kBase, 500000000)},
      {"2013-01-02T14:23:37+01:00", Unix(kBase)},
      {"2013-01-02T08:23:37-05:00", Unix(kBase)},
      {"2013-01-02T08:23:37.25-05:00", Unix(kBase, 250000000)},
      {"2013-01-02T13:23Z", Unix(kBase - 37)},
      {"2013-01-02T13Z", Unix(kBase - 23 * 60 - 37)},
      {"2013-01-02T14:23+01:00", Unix(kBase - 37)},
      {"2013-01-02Z", Unix(kBase - 13 * 3600 - 23 * 60 - 37)},
      {"2013-01-02+01:00", Unix(kBase - 14 * 3600 - 23 * 60 - 37)},
      {"2013-01-02-01:00", Unix(kBase - 12 * 3600 - 23 * 60 - 37)},
      // No zone: local time (UTC+2 here).
      {"2013-01-02T15:23:37", Unix(kBase)},
      {"2013-01-02T15:23:37.000000001", Unix(kBase, 1)},
      {"2013-01-02T15:23", Unix(kBase - 37)},
      {"2013-01-02T15", Unix(kBase - 23 * 60 - 37)},
      {"2013-01-02", Unix(kBase - 15 * 3600 - 23 * 60 - 37)},
      // Unix seconds.
      {"1700000000", Unix(1700000000)},
      {"1700000000.5", Unix(1700000000, 500000000)},
      {"1700000000.000000001", Unix(1700000000, 1)},
      {"0", Unix(0)},
      // Durations before now, in whole seconds like Docker.
      {"10s", Unix(kBase + 10000 - 10)},
      {"30m", Unix(kBase + 10000 - 1800)},
      {"1h30m", Unix(kBase + 10000 - 5400)},
      {"1.5h", Unix(kBase + 10000 - 5400)},
      {"300ms", Unix(kBase + 10000)},
      {"1s500ms", Unix(kBase + 10000 - 1)},
      {"2us", Unix(kBase + 10000)},
      {"-1h", Unix(kBase + 10000 + 3600)},
      {"0s", Unix(kBase + 10000)},
  };
  for (const Case& c : cases) {
    auto got = ParseDockerTime(c.value, now, local);
    ASSERT_TRUE(got.ok()) << c.value << ": " << got.status();
    EXPECT_EQ(*got, c.want) << c.value << " gave " << absl::FormatTime(*got);
  }
}

TEST(ParseDockerTimeTest, LocalTimeUsesTheOffsetAtNowLikeDocker) {
  absl::TimeZone berlin;
  if (!absl::LoadTimeZone("Europe/Berlin", &berlin)) {
    GTEST_SKIP() << "no tzdata";
  }
  // Now is in summer (UTC+2); a winter date is still read as UTC+2.
  absl::Time summer = absl::FromCivil(absl::CivilSecond(2023, 7, 1, 12, 0, 0),
                                      absl::UTCTimeZone());
  auto got = ParseDockerTime("2023-01-10T12:00:00", summer, berlin);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, absl::FromCivil(absl::CivilSecond(2023, 1, 10, 10, 0, 0),
                                  absl::UTCTimeZone()));
}

TEST(ParseDockerTimeTest, RejectsGarbageNamingTheValue) {
  const char* bad[] = {
      "",
      "yesterday",
      "1h30",
      "5 minutes",
      "1d",
      "2013-13-01",
      "2013-02-30",
      "2013-01-02T25:00",
      "2013-01-02T13:23:37z",
      "2013-01-02 13:23:37",
      "2013-01-02T13:23:37.Z",
      "2013-01-02T13:23.5Z",
      "2013-1-2",
      "1700000000.",
      "1700000000.5.5",
      "1700000000x",
      "-1700000000",
      ".",
      "h",
  };
  absl::Time now = Unix(kBase);
  for (const char* value : bad) {
    auto got = ParseDockerTime(value, now, absl::UTCTimeZone());
    ASSERT_FALSE(got.ok()) << value << " gave " << absl::FormatTime(*got);
    EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(got.status().message().find(absl::StrCat("\"", value, "\"")),
              std::string::npos)
        << got.status();
  }
  // A number without unit is no duration but Unix seconds.
  auto ten = ParseDockerTime("10", now, absl::UTCTimeZone());
  ASSERT_TRUE(ten.ok());
  EXPECT_EQ(*ten, Unix(10));
}

TEST(FormatTimestampTest, AlwaysNineDigitsInUtc) {
  EXPECT_EQ(FormatTimestamp(Unix(kBase)), "2013-01-02T13:23:37.000000000Z");
  EXPECT_EQ(FormatTimestamp(Unix(kBase, 277123456)),
            "2013-01-02T13:23:37.277123456Z");
  EXPECT_EQ(FormatTimestamp(Unix(kBase, 500000000)),
            "2013-01-02T13:23:37.500000000Z");
}

}  // namespace
}  // namespace logs
}  // namespace containerd
}  // namespace berth
