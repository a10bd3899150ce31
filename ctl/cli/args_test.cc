#include "ctl/cli/args.h"

#include "gtest/gtest.h"

namespace berth::ctl {
namespace {

const CommandUsage kTag = {"berth tag", "SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
                           "Create a tag TARGET_IMAGE that refers to "
                           "SOURCE_IMAGE"};

TEST(ArgCountErrorTest, AcceptsCountsInRange) {
  EXPECT_EQ(ArgCountError(kTag, 2, 2, 2), "");
  EXPECT_EQ(ArgCountError(kTag, 5, 1, kUnlimited), "");
  EXPECT_EQ(ArgCountError(kTag, 0, 0, 1), "");
}

// Docker 28's texts, as `docker tag a`, `docker rmi`, `docker images a b`
// and `docker load x` print them.
TEST(ArgCountErrorTest, SpeaksDockersWords) {
  EXPECT_EQ(ArgCountError(kTag, 1, 2, 2),
            "berth: 'berth tag' requires 2 arguments\n\n"
            "Usage:  berth tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]\n\n"
            "Run 'berth tag --help' for more information");
  const CommandUsage history = {"berth history", "[OPTIONS] IMAGE", "x"};
  EXPECT_EQ(ArgCountError(history, 0, 1, 1),
            "berth: 'berth history' requires 1 argument\n\n"
            "Usage:  berth history [OPTIONS] IMAGE\n\n"
            "Run 'berth history --help' for more information");
  const CommandUsage rmi = {"berth rmi", "[OPTIONS] IMAGE [IMAGE...]", "x"};
  EXPECT_EQ(ArgCountError(rmi, 0, 1, kUnlimited),
            "berth: 'berth rmi' requires at least 1 argument\n\n"
            "Usage:  berth rmi [OPTIONS] IMAGE [IMAGE...]\n\n"
            "See 'berth rmi --help' for more information");
  const CommandUsage images = {"berth images", "[OPTIONS] [REPOSITORY[:TAG]]",
                               "x"};
  // Docker 28 prints "SRun" here, a typo Berth does not copy.
  EXPECT_EQ(ArgCountError(images, 2, 0, 1),
            "berth: 'berth images' requires at most 1 argument\n\n"
            "Usage:  berth images [OPTIONS] [REPOSITORY[:TAG]]\n\n"
            "Run 'berth images --help' for more information");
  const CommandUsage import = {"berth import", "[OPTIONS] file|-", "x"};
  EXPECT_EQ(ArgCountError(import, 3, 1, 2).substr(0, 68),
            "berth: 'berth import' requires at least 1 and at most 2 "
            "arguments\n\nU");
  const CommandUsage load = {"berth load", "[OPTIONS]", "x"};
  EXPECT_EQ(ArgCountError(load, 1, 0, 0),
            "berth: 'berth load' accepts no arguments\n\n"
            "Usage:  berth load [OPTIONS]\n\n"
            "Run 'berth load --help' for more information");
}

TEST(SplitFiltersTest, SplitsTrimsAndLowercasesNames) {
  absl::StatusOr<std::vector<FilterTerm>> terms =
      SplitFilters({" Dangling = true ", "", "label=a=b", "label!=c"});
  ASSERT_TRUE(terms.ok()) << terms.status();
  ASSERT_EQ(terms->size(), 3u);
  EXPECT_EQ((*terms)[0].name, "dangling");
  EXPECT_EQ((*terms)[0].value, "true");
  EXPECT_EQ((*terms)[1].name, "label");
  EXPECT_EQ((*terms)[1].value, "a=b");
  EXPECT_EQ((*terms)[2].name, "label!");
  EXPECT_EQ((*terms)[2].value, "c");
}

TEST(SplitFiltersTest, RefusesTermWithoutEquals) {
  absl::StatusOr<std::vector<FilterTerm>> terms = SplitFilters({"dangling"});
  ASSERT_FALSE(terms.ok());
  EXPECT_EQ(terms.status().message(),
            "invalid argument \"dangling\" for \"--filter\" flag: bad format "
            "of filter (expected name=value)");
}

TEST(ParseGoIntTest, GoSyntaxAndWords) {
  EXPECT_EQ(*ParseGoInt("42"), 42);
  EXPECT_EQ(*ParseGoInt("+7"), 7);
  EXPECT_EQ(*ParseGoInt("-3"), -3);
  EXPECT_EQ(ParseGoInt("x").status().message(),
            "strconv.ParseInt: parsing \"x\": invalid syntax");
  EXPECT_EQ(ParseGoInt(" 1").status().message(),
            "strconv.ParseInt: parsing \" 1\": invalid syntax");
  EXPECT_EQ(ParseGoInt("99999999999999999999", "strconv.Atoi")
                .status()
                .message(),
            "strconv.Atoi: parsing \"99999999999999999999\": value out of "
            "range");
  EXPECT_EQ(IntFlagProblem("10"), "");
  EXPECT_EQ(IntFlagProblem("ten"),
            "strconv.ParseInt: parsing \"ten\": invalid syntax");
}

TEST(LabelProblemTest, DockersValidateLabel) {
  EXPECT_EQ(LabelProblem("a=b"), "");
  EXPECT_EQ(LabelProblem("a"), "");
  EXPECT_EQ(LabelProblem(""), "invalid label '': empty name");
  EXPECT_EQ(LabelProblem(" =v"), "invalid label ' =v': empty name");
  EXPECT_EQ(LabelProblem("a b=c"), "label 'a b' contains whitespaces");
}

TEST(InvalidFilterTest, NamesTheTerm) {
  EXPECT_EQ(InvalidFilter("x").message(), "invalid filter 'x'");
  EXPECT_EQ(InvalidFilter("dangling", "maybe").message(),
            "invalid filter 'dangling=maybe'");
}

TEST(ParseLabelFilterTest, KeyAloneOrWithValue) {
  types::v1::LabelFilter key = ParseLabelFilter("com.example", false);
  EXPECT_EQ(key.key(), "com.example");
  EXPECT_FALSE(key.has_value());
  types::v1::LabelFilter pair = ParseLabelFilter("a=b=c", true);
  EXPECT_EQ(pair.key(), "a");
  EXPECT_EQ(pair.value(), "b=c");
  EXPECT_TRUE(pair.negate());
  types::v1::LabelFilter empty = ParseLabelFilter("a=", false);
  EXPECT_TRUE(empty.has_value());
  EXPECT_EQ(empty.value(), "");
}

TEST(ParseTimestampTest, DurationsCountBackFromNow) {
  const absl::Time now = absl::FromUnixSeconds(1700000000);
  EXPECT_EQ(*ParseTimestamp("24h", now, absl::UTCTimeZone()),
            now - absl::Hours(24));
  EXPECT_EQ(*ParseTimestamp("1h30m", now, absl::UTCTimeZone()),
            now - absl::Minutes(90));
}

TEST(ParseTimestampTest, UnixTimes) {
  const absl::Time now = absl::FromUnixSeconds(1700000000);
  EXPECT_EQ(*ParseTimestamp("0", now, absl::UTCTimeZone()), absl::UnixEpoch());
  EXPECT_EQ(*ParseTimestamp("1600000000", now, absl::UTCTimeZone()),
            absl::FromUnixSeconds(1600000000));
  EXPECT_EQ(*ParseTimestamp("1600000000.25", now, absl::UTCTimeZone()),
            absl::FromUnixSeconds(1600000000) + absl::Milliseconds(250));
}

TEST(ParseTimestampTest, DatesWithAndWithoutZone) {
  const absl::Time now = absl::FromUnixSeconds(1700000000);
  const absl::TimeZone plus2 = absl::FixedTimeZone(2 * 3600);
  const absl::Time noon_utc =
      absl::FromUnixSeconds(1704196800);  // 2024-01-02 12:00Z
  EXPECT_EQ(*ParseTimestamp("2024-01-02T12:00:00Z", now, plus2), noon_utc);
  EXPECT_EQ(*ParseTimestamp("2024-01-02T14:00:00+02:00", now, plus2), noon_utc);
  EXPECT_EQ(*ParseTimestamp("2024-01-02T14:00:00", now, plus2), noon_utc);
  EXPECT_EQ(*ParseTimestamp("2024-01-02T14:00", now, plus2), noon_utc);
  EXPECT_EQ(*ParseTimestamp("2024-01-02T12:00:00.5Z", now, plus2),
            noon_utc + absl::Milliseconds(500));
  EXPECT_EQ(*ParseTimestamp("2024-01-02", now, absl::UTCTimeZone()),
            noon_utc - absl::Hours(12));
}

TEST(ParseTimestampTest, RefusesGarbage) {
  const absl::Time now = absl::FromUnixSeconds(1700000000);
  for (const char* bad : {"garbage", "10", "2024-13-45", "12.", "inf", ""}) {
    absl::StatusOr<absl::Time> parsed =
        ParseTimestamp(bad, now, absl::UTCTimeZone());
    // "10" is a Unix time, as for Docker.
    if (std::string(bad) == "10") {
      EXPECT_TRUE(parsed.ok());
      continue;
    }
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.status().message(),
              "failed to parse value as time or duration: \"" +
                  std::string(bad) + "\"");
  }
}

TEST(BuildPruneFilterTest, UntilAndLabels) {
  const absl::Time now = absl::FromUnixSeconds(1700000000);
  absl::StatusOr<types::v1::PruneFilter> filter = BuildPruneFilter(
      {{"until", "1h"}, {"label", "keep=no"}, {"label!", "pin"}}, now,
      absl::UTCTimeZone());
  ASSERT_TRUE(filter.ok()) << filter.status();
  EXPECT_EQ(filter->until().seconds(), 1700000000 - 3600);
  EXPECT_EQ(filter->until().nanos(), 0);
  ASSERT_EQ(filter->labels_size(), 2);
  EXPECT_EQ(filter->labels(0).key(), "keep");
  EXPECT_EQ(filter->labels(0).value(), "no");
  EXPECT_FALSE(filter->labels(0).negate());
  EXPECT_EQ(filter->labels(1).key(), "pin");
  EXPECT_TRUE(filter->labels(1).negate());
}

TEST(BuildPruneFilterTest, RefusesUnknownTermsAndBadTimes) {
  const absl::Time now = absl::FromUnixSeconds(1700000000);
  EXPECT_EQ(BuildPruneFilter({{"dangling", "true"}}, now, absl::UTCTimeZone())
                .status()
                .message(),
            "invalid filter 'dangling'");
  EXPECT_FALSE(
      BuildPruneFilter({{"until", "soon"}}, now, absl::UTCTimeZone()).ok());
}

TEST(ParsePlatformTest, OsArchVariant) {
  absl::StatusOr<types::v1::Platform> platform = ParsePlatform("linux/arm/v7");
  ASSERT_TRUE(platform.ok());
  EXPECT_EQ(platform->os(), "linux");
  EXPECT_EQ(platform->architecture(), "arm");
  EXPECT_EQ(platform->variant(), "v7");
  EXPECT_EQ(ParsePlatform("linux")->architecture(), "");
  EXPECT_FALSE(ParsePlatform("").ok());
  EXPECT_FALSE(ParsePlatform("linux//v7").ok());
  EXPECT_FALSE(ParsePlatform("a/b/c/d").ok());
}

}  // namespace
}  // namespace berth::ctl
