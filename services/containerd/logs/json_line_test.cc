#include "services/containerd/logs/json_line.h"

#include <string>

#include "absl/time/civil_time.h"
#include "gtest/gtest.h"

namespace berth {
namespace containerd {
namespace logs {
namespace internal {
namespace {

absl::Time T(int64_t unix_seconds, int64_t nanos = 0) {
  return absl::FromUnixSeconds(unix_seconds) + absl::Nanoseconds(nanos);
}

// 2026-11-29T21:04:48Z
constexpr int64_t kSample = 1795986288;

std::string Line(Stream stream, absl::string_view bytes, absl::Time time) {
  std::string out;
  AppendJsonLine(stream, bytes, time, &out);
  return out;
}

std::string Json(absl::string_view bytes) {
  std::string out;
  AppendJsonString(bytes, &out);
  return out;
}

TEST(JsonLineTest, WritesExactlyWhatDockerWrites) {
  EXPECT_EQ(Line(Stream::kStdout, "hello world\n", T(kSample, 277123456)),
            "{\"log\":\"hello world\\n\",\"stream\":\"stdout\","
            "\"time\":\"2026-11-29T21:04:48.277123456Z\"}\n");
  EXPECT_EQ(Line(Stream::kStderr, "x\n", T(kSample)),
            "{\"log\":\"x\\n\",\"stream\":\"stderr\","
            "\"time\":\"2026-11-29T21:04:48Z\"}\n");
}

TEST(JsonLineTest, TimeIsRfc3339NanoWithTrailingZerosTrimmed) {
  std::string out;
  AppendRfc3339Nano(T(kSample, 500000000), &out);
  EXPECT_EQ(out, "2026-11-29T21:04:48.5Z");
  out.clear();
  AppendRfc3339Nano(T(kSample, 123000), &out);
  EXPECT_EQ(out, "2026-11-29T21:04:48.000123Z");
  out.clear();
  AppendRfc3339Nano(T(0, 1), &out);
  EXPECT_EQ(out, "1970-01-01T00:00:00.000000001Z");
}

TEST(JsonLineTest, EscapesLikeDockersEncoder) {
  EXPECT_EQ(Json("<a href=\"x\">&</a>"),
            "\"\\u003ca href=\\\"x\\\"\\u003e\\u0026\\u003c/a\\u003e\"");
  EXPECT_EQ(Json("back\\slash"), "\"back\\\\slash\"");
  // Only \n and \r get short escapes; tab and the rest are \u00XX.
  EXPECT_EQ(Json("\r\n\t\b\f"), "\"\\r\\n\\u0009\\u0008\\u000c\"");
  EXPECT_EQ(Json(std::string("\x00\x01\x1b\x1f", 4)),
            "\"\\u0000\\u0001\\u001b\\u001f\"");
  EXPECT_EQ(Json("\x7f/"), "\"\x7f/\"");  // DEL and '/' verbatim
  // Valid UTF-8 is kept verbatim, U+2028/2029 are escaped.
  EXPECT_EQ(Json("caf\xC3\xA9 \xF0\x9F\x98\x80"),
            "\"caf\xC3\xA9 \xF0\x9F\x98\x80\"");
  EXPECT_EQ(Json("a\xE2\x80\xA8"
                 "b\xE2\x80\xA9"),
            "\"a\\u2028b\\u2029\"");
  // Each invalid byte becomes \ufffd.
  EXPECT_EQ(Json("\xff\xC3(\xED\xA0\x80\xC0\xAF"),
            "\"\\ufffd\\ufffd(\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\"");
  EXPECT_EQ(Json("\xF0\x9F\x98"), "\"\\ufffd\\ufffd\\ufffd\"");  // cut short
}

TEST(JsonLineTest, EmptyLogIsOmittedLikeDocker) {
  EXPECT_EQ(Line(Stream::kStdout, "", T(kSample)),
            "{\"stream\":\"stdout\",\"time\":\"2026-11-29T21:04:48Z\"}\n");
  LogRecord record;
  ASSERT_TRUE(ParseJsonLine(
      "{\"stream\":\"stdout\",\"time\":\"2026-11-29T21:04:48Z\"}", &record));
  EXPECT_EQ(record.bytes, "");
}

TEST(JsonLineTest, ParsesALineAsDockerWritesIt) {
  LogRecord record;
  ASSERT_TRUE(ParseJsonLine(
      "{\"log\":\"GET /index.html \\u003e 200 \\u0026 ok\\u0009\\r\\n\","
      "\"stream\":\"stderr\",\"attrs\":{\"tag\":\"web\",\"n\":[1,{\"a\":"
      "null}],\"b\":true},\"time\":\"2026-11-29T21:04:48.277123456Z\"}",
      &record));
  EXPECT_EQ(record.stream, Stream::kStderr);
  EXPECT_EQ(record.bytes, "GET /index.html > 200 & ok\t\r\n");
  EXPECT_EQ(record.time, T(kSample, 277123456));
}

TEST(JsonLineTest, DecodesAllJsonEscapes) {
  LogRecord record;
  ASSERT_TRUE(ParseJsonLine(
      "{ \"log\" : \"\\/\\b\\f\\u00e9\\ud83d\\ude00\\ud800x\\udc00\" , "
      "\"stream\":\"stdout\", \"time\":\"2026-11-29T22:04:48.5+01:00\" }",
      &record));
  EXPECT_EQ(record.bytes,
            "/\b\f\xC3\xA9\xF0\x9F\x98\x80\xEF\xBF\xBDx\xEF\xBF\xBD");
  EXPECT_EQ(record.time, T(kSample, 500000000));
}

TEST(JsonLineTest, EveryAsciiByteAndValidUtf8RoundTrips) {
  std::string bytes;
  for (int c = 0; c < 0x80; ++c) bytes.push_back(static_cast<char>(c));
  bytes += "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xE2\x80\xA8\xEF\xBF\xBD";
  std::string line = Line(Stream::kStderr, bytes, T(kSample, 1));
  ASSERT_EQ(line.back(), '\n');
  LogRecord record;
  ASSERT_TRUE(ParseJsonLine(absl::string_view(line).substr(0, line.size() - 1),
                            &record));
  EXPECT_EQ(record.bytes, bytes);
  EXPECT_EQ(record.stream, Stream::kStderr);
  EXPECT_EQ(record.time, T(kSample, 1));
}

TEST(JsonLineTest, RejectsCorruptLines) {
  LogRecord record;
  const char* bad[] = {
      "",
      "{\"log\":\"x\\n\",\"stream\":\"stdout\",\"time\":\"2026-11-29T21:04:4",
      "{\"log\":\"x\\n\",\"stream\":\"stdout\"}",
      "{\"log\":\"x\\n\",\"stream\":\"stdin\",\"time\":\"2026-11-29T21:04:"
      "48Z\"}",
      "{\"log\":\"x\\n\",\"stream\":\"stdout\",\"time\":\"yesterday\"}",
      "{\"log\":\"x\\n\",\"stream\":\"stdout\",\"time\":\"2026-11-29\"}",
      "{\"log\":\"x\\q\",\"stream\":\"stdout\",\"time\":\"2026-11-29T21:04:"
      "48Z\"}",
      "{\"log\":\"x\\n\",\"stream\":\"stdout\",\"time\":\"2026-11-29T21:04:"
      "48Z\"}x",
      // A record torn by a killed writer, followed by the next one.
      "{\"log\":\"ab{\"log\":\"x\\n\",\"stream\":\"stdout\","
      "\"time\":\"2026-11-29T21:04:48Z\"}",
      "{\"log\":\"raw\ttab\",\"stream\":\"stdout\","
      "\"time\":\"2026-11-29T21:04:48Z\"}",
  };
  for (const char* line : bad) {
    EXPECT_FALSE(ParseJsonLine(line, &record)) << line;
  }
}

TEST(TimeFieldsTest, ValidatesRanges) {
  TimeFields f;
  std::string why;
  EXPECT_FALSE(ParseTimeFields("2026-13-01", &f, &why));
  EXPECT_EQ(why, "month out of range");
  EXPECT_FALSE(ParseTimeFields("2026-02-29", &f, &why));
  EXPECT_EQ(why, "day out of range");
  EXPECT_TRUE(ParseTimeFields("2024-02-29", &f, &why)) << why;
  EXPECT_FALSE(ParseTimeFields("2026-01-01T24:00", &f, &why));
  EXPECT_FALSE(ParseTimeFields("2026-01-01T10:60", &f, &why));
  EXPECT_FALSE(ParseTimeFields("2026-01-01T10:00:60Z", &f, &why));
  EXPECT_FALSE(ParseTimeFields("2026-01-01T10:00:00+24:00", &f, &why));
  EXPECT_FALSE(ParseTimeFields("2026-01-01T10:00:00.", &f, &why));
  EXPECT_TRUE(ParseTimeFields("2026-01-01T10:00:00.1234567891Z", &f, &why));
  EXPECT_EQ(f.nanos, 123456789);  // digits past nanoseconds are dropped
}

}  // namespace
}  // namespace internal
}  // namespace logs
}  // namespace containerd
}  // namespace berth
