#include "ctl/cli/format.h"

#include "gtest/gtest.h"

namespace berth::ctl {
namespace {

TEST(BytesSizeTest, MatchesGoUnits) {
  EXPECT_EQ(BytesSize(0), "0B");
  EXPECT_EQ(BytesSize(1023), "1023B");
  EXPECT_EQ(BytesSize(1024), "1KiB");
  EXPECT_EQ(BytesSize(1289748), "1.23MiB");
  EXPECT_EQ(BytesSize(8160437862.0), "7.6GiB");
  EXPECT_EQ(BytesSize(1048575), "1024KiB");
}

TEST(HumanSizeTest, MatchesGoUnits) {
  EXPECT_EQ(HumanSizeWithPrecision(4261550, 3), "4.26MB");
  EXPECT_EQ(HumanSizeWithPrecision(0, 3), "0B");
  EXPECT_EQ(HumanSizeWithPrecision(999, 3), "999B");
  EXPECT_EQ(HumanSizeWithPrecision(1000, 3), "1kB");
  EXPECT_EQ(HumanSizeWithPrecision(1234567, 3), "1.23MB");
  EXPECT_EQ(HumanSizeWithPrecision(72900000, 3), "72.9MB");
  EXPECT_EQ(HumanSizeWithPrecision(1.5e9, 3), "1.5GB");
  // Never the exponent form %g would give ("1e+03kB").
  EXPECT_EQ(HumanSizeWithPrecision(999500, 3), "1000kB");

  EXPECT_EQ(HumanSize(1000), "1kB");
  EXPECT_EQ(HumanSize(1024), "1.024kB");
  EXPECT_EQ(HumanSize(1000000), "1MB");
  EXPECT_EQ(HumanSize(1048576), "1.049MB");
  EXPECT_EQ(HumanSize(3.42e9), "3.42GB");
  EXPECT_EQ(HumanSize(5.372e12), "5.372TB");
  EXPECT_EQ(HumanSize(2.22e15), "2.22PB");
}

TEST(HumanDurationTest, MatchesGoUnits) {
  EXPECT_EQ(HumanDuration(absl::Milliseconds(450)), "Less than a second");
  EXPECT_EQ(HumanDuration(absl::Seconds(-5)), "Less than a second");
  EXPECT_EQ(HumanDuration(absl::Seconds(1)), "1 second");
  EXPECT_EQ(HumanDuration(absl::Seconds(45)), "45 seconds");
  EXPECT_EQ(HumanDuration(absl::Seconds(90)), "About a minute");
  EXPECT_EQ(HumanDuration(absl::Minutes(2)), "2 minutes");
  EXPECT_EQ(HumanDuration(absl::Minutes(59)), "59 minutes");
  EXPECT_EQ(HumanDuration(absl::Minutes(60)), "About an hour");
  EXPECT_EQ(HumanDuration(absl::Minutes(89)), "About an hour");
  EXPECT_EQ(HumanDuration(absl::Minutes(90)), "2 hours");
  EXPECT_EQ(HumanDuration(absl::Hours(47)), "47 hours");
  EXPECT_EQ(HumanDuration(absl::Hours(48)), "2 days");
  EXPECT_EQ(HumanDuration(absl::Hours(24 * 13)), "13 days");
  EXPECT_EQ(HumanDuration(absl::Hours(24 * 14)), "2 weeks");
  EXPECT_EQ(HumanDuration(absl::Hours(24 * 30)), "4 weeks");
  EXPECT_EQ(HumanDuration(absl::Hours(24 * 60)), "2 months");
  EXPECT_EQ(HumanDuration(absl::Hours(24 * 365)), "12 months");
  EXPECT_EQ(HumanDuration(absl::Hours(24 * 730)), "2 years");
}

TEST(TimeAgoTest, AppendsAgo) {
  const absl::Time now = absl::FromUnixSeconds(1700000000);
  EXPECT_EQ(TimeAgo(now - absl::Hours(24 * 14), now), "2 weeks ago");
  EXPECT_EQ(TimeAgo(now - absl::Minutes(61), now), "About an hour ago");
}

TEST(GoDurationSecondsTest, SpellsLikeGo) {
  EXPECT_EQ(GoDurationSeconds(absl::ZeroDuration()), "0s");
  EXPECT_EQ(GoDurationSeconds(absl::Milliseconds(42900)), "42s");
  EXPECT_EQ(GoDurationSeconds(absl::Seconds(60)), "1m0s");
  EXPECT_EQ(GoDurationSeconds(absl::Seconds(192)), "3m12s");
  EXPECT_EQ(GoDurationSeconds(absl::Seconds(3600)), "1h0m0s");
  EXPECT_EQ(GoDurationSeconds(absl::Seconds(3723)), "1h2m3s");
}

TEST(TruncateIdTest, DropsAlgorithmAndKeepsTwelve) {
  EXPECT_EQ(TruncateId("sha256:0123456789abcdef0123456789abcdef"),
            "0123456789ab");
  EXPECT_EQ(TruncateId("0123456789abcdef"), "0123456789ab");
  EXPECT_EQ(TruncateId("<missing>"), "<missing>");
  EXPECT_EQ(TruncateId(""), "");
}

TEST(EllipsisTest, CutsByCharacters) {
  EXPECT_EQ(Ellipsis("short", 45), "short");
  EXPECT_EQ(Ellipsis("abcdef", 6), "abcdef");
  EXPECT_EQ(Ellipsis("abcdefg", 6), "abcde…");
  EXPECT_EQ(Ellipsis("abc", 1), "a");
  EXPECT_EQ(Ellipsis("abc", 0), "");
  // Multi-byte characters count once.
  EXPECT_EQ(Ellipsis("éééééé", 4), "ééé…");
  EXPECT_EQ(DisplayWidth("éé…"), 3u);

  const std::string created_by =
      "/bin/sh -c #(nop) ADD file:a8b7c6d5e4f3a2b1c0d9e8f7 in / ";
  const std::string cut = Ellipsis(created_by, 45);
  EXPECT_EQ(DisplayWidth(cut), 45u);
  EXPECT_EQ(cut, created_by.substr(0, 44) + "…");
}

TEST(TimeFormatTest, SpellsLikeGo) {
  const absl::Time t =
      absl::FromUnixSeconds(1684527565) + absl::Nanoseconds(16496717);
  EXPECT_EQ(FormatRfc3339Nano(t), "2023-05-19T20:19:25.016496717Z");
  EXPECT_EQ(FormatRfc3339Nano(absl::FromUnixSeconds(1684527565)),
            "2023-05-19T20:19:25Z");
  EXPECT_EQ(FormatRfc3339Nano(absl::FromUnixSeconds(1684527565) +
                              absl::Milliseconds(500)),
            "2023-05-19T20:19:25.5Z");

  const absl::TimeZone plus2 = absl::FixedTimeZone(2 * 3600);
  EXPECT_EQ(FormatRfc3339(absl::FromUnixSeconds(1684527565), plus2),
            "2023-05-19T22:19:25+02:00");
  EXPECT_EQ(
      FormatRfc3339(absl::FromUnixSeconds(1684527565), absl::UTCTimeZone()),
      "2023-05-19T20:19:25Z");
  EXPECT_EQ(
      FormatGoTime(absl::FromUnixSeconds(1684527565), absl::UTCTimeZone()),
      "2023-05-19 20:19:25 +0000 UTC");
}

TEST(GoJsonEscapeTest, EscapesHtmlCharacters) {
  EXPECT_EQ(GoJsonEscape(R"({"Tag":"<none>","A":"x&y"})"),
            R"({"Tag":"\u003cnone\u003e","A":"x\u0026y"})");
}

TEST(TableTest, PadsLikeDockersTabwriter) {
  Table table({"REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"});
  table.AddRow({"busybox", "latest", "0123456789ab", "2 weeks ago", "4.26MB"});
  table.AddRow({"<none>", "<none>", "fedcba987654", "3 months ago", "0B"});
  EXPECT_EQ(table.Render(),
            "REPOSITORY   TAG       IMAGE ID       CREATED        SIZE\n"
            "busybox      latest    0123456789ab   2 weeks ago    4.26MB\n"
            "<none>       <none>    fedcba987654   3 months ago   0B\n");
}

TEST(TableTest, LastCellIsNotPaddedAndMissingCellsAreEmpty) {
  Table table({"A", "COMMENT"});
  table.AddRow({"x"});
  EXPECT_EQ(table.Render(),
            "A         COMMENT\n"
            "x         \n");
}

TEST(TableTest, CountsCharactersNotBytes) {
  Table table({"CREATED BY", "SIZE"});
  table.AddRow({"é…", "1B"});
  EXPECT_EQ(table.Render(),
            "CREATED BY   SIZE\n"
            "é…           1B\n");
}

}  // namespace
TEST(GoQuoteTest, EscapesAsStrconvQuote) {
  EXPECT_EQ(GoQuote("sh -c 'echo \"a b\"'"), "\"sh -c 'echo \\\"a b\\\"'\"");
  EXPECT_EQ(GoQuote("a\tb\n\x01\\"), "\"a\\tb\\n\\x01\\\\\"");
  EXPECT_EQ(GoQuote("é"), "\"é\"");
}

}  // namespace berth::ctl
