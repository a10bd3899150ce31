#include "services/containerd/logs/log_writer.h"

#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/fs_util.h"
#include "gtest/gtest.h"
#include "services/containerd/logs/json_line.h"

namespace berth {
namespace containerd {
namespace logs {
namespace {

absl::Time T(int64_t seconds) {
  return absl::FromUnixSeconds(1795986288 + seconds);
}

class LogWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = MakeTempDir("/tmp", "berth-logs-writer-");
    ASSERT_TRUE(dir.ok()) << dir.status();
    dir_ = *dir;
    path_ = dir_ + "/0123abcd-json.log";
  }
  void TearDown() override { ASSERT_TRUE(RemoveTree(dir_).ok()); }

  std::unique_ptr<LogWriter> Open(LogOptions options = LogOptions()) {
    auto writer = LogWriter::Open(path_, options);
    EXPECT_TRUE(writer.ok()) << writer.status();
    return writer.ok() ? std::move(*writer) : nullptr;
  }

  // The records of one file, parsed.
  std::vector<LogRecord> FileRecords(const std::string& path) {
    auto data = ReadFileToString(path);
    EXPECT_TRUE(data.ok()) << data.status();
    std::vector<LogRecord> records;
    if (!data.ok()) return records;
    for (absl::string_view line : absl::StrSplit(*data, '\n')) {
      if (line.empty()) continue;
      LogRecord record;
      EXPECT_TRUE(internal::ParseJsonLine(line, &record)) << line;
      records.push_back(record);
    }
    return records;
  }

  static bool Exists(const std::string& path) {
    struct stat st;
    return stat(path.c_str(), &st) == 0;
  }
  static int64_t Size(const std::string& path) {
    struct stat st;
    return stat(path.c_str(), &st) == 0 ? st.st_size : -1;
  }

  std::string dir_;
  std::string path_;
};

TEST_F(LogWriterTest, OneRecordPerLineAndPartialLinesWait) {
  auto writer = Open();
  ASSERT_NE(writer, nullptr);
  ASSERT_TRUE(writer->Write(Stream::kStdout, "a\r\nb\n", T(1)).ok());
  ASSERT_TRUE(writer->Write(Stream::kStdout, "c", T(2)).ok());
  ASSERT_TRUE(writer->Write(Stream::kStderr, "err\n", T(3)).ok());
  ASSERT_TRUE(writer->Write(Stream::kStdout, "d\ne", T(4)).ok());
  auto records = FileRecords(path_);
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[0].bytes, "a\r\n");
  EXPECT_EQ(records[1].bytes, "b\n");
  EXPECT_EQ(records[2].bytes, "err\n");
  EXPECT_EQ(records[2].stream, Stream::kStderr);
  EXPECT_EQ(records[3].bytes, "cd\n");  // joined across writes
  EXPECT_EQ(records[3].time, T(4));     // stamped when the line completed
  // EOF: the rest is written without a newline, as Docker does.
  ASSERT_TRUE(writer->Flush(T(5)).ok());
  records = FileRecords(path_);
  ASSERT_EQ(records.size(), 5u);
  EXPECT_EQ(records[4].bytes, "e");
  EXPECT_EQ(records[4].time, T(5));
}

TEST_F(LogWriterTest, LongLinesAreCutEvery16KiBLikeDocker) {
  auto writer = Open();
  ASSERT_NE(writer, nullptr);
  std::string line(40000, 'x');
  ASSERT_TRUE(writer->Write(Stream::kStdout, line.substr(0, 10000), T(1)).ok());
  EXPECT_EQ(FileRecords(path_).size(), 0u);
  ASSERT_TRUE(writer->Write(Stream::kStdout, line.substr(10000), T(2)).ok());
  ASSERT_TRUE(writer->Write(Stream::kStdout, "\nnext\n", T(3)).ok());
  auto records = FileRecords(path_);
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[0].bytes, std::string(16384, 'x'));
  EXPECT_EQ(records[1].bytes, std::string(16384, 'x'));
  EXPECT_EQ(records[2].bytes, std::string(40000 - 2 * 16384, 'x') + "\n");
  // Every piece of a cut line carries the time of its first piece.
  EXPECT_EQ(records[0].time, T(2));
  EXPECT_EQ(records[2].time, T(2));
  EXPECT_EQ(records[3].bytes, "next\n");
  EXPECT_EQ(records[3].time, T(3));
}

TEST_F(LogWriterTest, ExactMultipleOf16KiBLeavesTheNewlineAlone) {
  auto writer = Open();
  ASSERT_NE(writer, nullptr);
  ASSERT_TRUE(
      writer->Write(Stream::kStderr, std::string(16384, 'y') + "\n", T(1))
          .ok());
  auto records = FileRecords(path_);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].bytes, std::string(16384, 'y'));
  EXPECT_EQ(records[1].bytes, "\n");
}

TEST_F(LogWriterTest, AppendsToAnExistingFileAndClosesATornRecord) {
  ASSERT_TRUE(WriteFileAtomic(path_, "{\"log\":\"torn").ok());
  auto writer = Open();
  ASSERT_NE(writer, nullptr);
  ASSERT_TRUE(writer->Write(Stream::kStdout, "fine\n", T(1)).ok());
  auto data = ReadFileToString(path_);
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(*data,
            "{\"log\":\"torn\n{\"log\":\"fine\\n\",\"stream\":\"stdout\","
            "\"time\":\"2026-11-29T21:04:49Z\"}\n");
}

TEST_F(LogWriterTest, RotatesKeepingExactlyMaxFileFiles) {
  LogOptions options;
  options.max_size = 1000;
  options.max_file = 3;
  auto writer = Open(options);
  ASSERT_NE(writer, nullptr);
  int64_t record_size = 0;
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(writer
                    ->Write(Stream::kStdout,
                            absl::StrCat("line ", 1000 + i, "\n"), T(i))
                    .ok());
    if (i == 0) record_size = Size(path_);
  }
  EXPECT_TRUE(Exists(path_));
  EXPECT_TRUE(Exists(path_ + ".1"));
  EXPECT_TRUE(Exists(path_ + ".2"));
  EXPECT_FALSE(Exists(path_ + ".3"));
  // A file is rotated by the first write after it reached max-size.
  for (const char* suffix : {".1", ".2"}) {
    EXPECT_GE(Size(path_ + suffix), 1000) << suffix;
    EXPECT_LT(Size(path_ + suffix), 1000 + record_size) << suffix;
  }
  // The files hold consecutive records, oldest in .2, newest in the current.
  auto newest = FileRecords(path_);
  auto middle = FileRecords(path_ + ".1");
  auto oldest = FileRecords(path_ + ".2");
  ASSERT_FALSE(newest.empty());
  EXPECT_EQ(newest.back().bytes, "line 1199\n");
  auto number = [](const LogRecord& r) { return std::stoi(r.bytes.substr(5)); };
  EXPECT_EQ(number(middle.back()) + 1, number(newest.front()));
  EXPECT_EQ(number(oldest.back()) + 1, number(middle.front()));
}

TEST_F(LogWriterTest, MaxFileOneTruncates) {
  LogOptions options;
  options.max_size = 500;
  auto writer = Open(options);
  ASSERT_NE(writer, nullptr);
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(writer->Write(Stream::kStdout, "0123456789\n", T(i)).ok());
  }
  EXPECT_FALSE(Exists(path_ + ".1"));
  EXPECT_LT(Size(path_), 600);
  EXPECT_EQ(FileRecords(path_).back().time, T(49));
}

TEST_F(LogWriterTest, NoMaxSizeNeverRotates) {
  auto writer = Open();
  ASSERT_NE(writer, nullptr);
  std::string chunk;
  for (int i = 0; i < 1000; ++i) chunk += "0123456789012345678901234567890\n";
  for (int i = 0; i < 40; ++i) {
    ASSERT_TRUE(writer->Write(Stream::kStdout, chunk, T(i)).ok());
  }
  EXPECT_FALSE(Exists(path_ + ".1"));
  EXPECT_GT(Size(path_), 40 * 1000 * 32);
}

TEST_F(LogWriterTest, OpenFailureNamesThePath) {
  auto writer = LogWriter::Open(dir_ + "/missing/x-json.log");
  ASSERT_FALSE(writer.ok());
  EXPECT_NE(writer.status().message().find(dir_ + "/missing/x-json.log"),
            std::string::npos)
      << writer.status();
}

TEST(ParseLogOptionsTest, Sizes) {
  struct Case {
    const char* text;
    int64_t bytes;
  } cases[] = {
      {"10m", 10000000}, {"1g", 1000000000}, {"512k", 512000},
      {"100", 100},      {"10MB", 10000000}, {"1.5k", 1500},
      {"2 KiB", 2000},   {"7b", 7},          {"3T", 3000000000000},
  };
  for (const Case& c : cases) {
    auto options = ParseLogOptions({{"max-size", c.text}});
    ASSERT_TRUE(options.ok()) << c.text << ": " << options.status();
    EXPECT_EQ(options->max_size, c.bytes) << c.text;
    EXPECT_EQ(options->max_file, 1);
  }
  auto defaults = ParseLogOptions({});
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->max_size, -1);
  EXPECT_EQ(defaults->max_file, 1);
  auto both = ParseLogOptions({{"max-size", "10m"},
                               {"max-file", "3"},
                               {"tag", "{{.Name}}"},
                               {"labels", "a"}});
  ASSERT_TRUE(both.ok()) << both.status();
  EXPECT_EQ(both->max_file, 3);
  // Like Docker, max-file alone is accepted and has no effect.
  EXPECT_TRUE(ParseLogOptions({{"max-file", "3"}}).ok());
  EXPECT_TRUE(ParseLogOptions({{"compress", "false"}}).ok());
}

TEST(ParseLogOptionsTest, Errors) {
  struct Case {
    std::map<std::string, std::string> opts;
    absl::StatusCode code;
    const char* message;
  } cases[] = {
      {{{"max-buffer-size", "1m"}},
       absl::StatusCode::kInvalidArgument,
       "unknown log opt 'max-buffer-size' for json-file log driver"},
      {{{"max-size", "10q"}},
       absl::StatusCode::kInvalidArgument,
       "invalid log opt max-size=\"10q\": invalid unit 'q'"},
      {{{"max-size", "m"}},
       absl::StatusCode::kInvalidArgument,
       "invalid log opt max-size=\"m\": expected a number"},
      {{{"max-size", "10mbb"}},
       absl::StatusCode::kInvalidArgument,
       "invalid unit"},
      {{{"max-size", "-1"}},
       absl::StatusCode::kInvalidArgument,
       "expected a number"},
      {{{"max-size", "0"}},
       absl::StatusCode::kInvalidArgument,
       "max-size must be a positive number"},
      {{{"max-size", "1m"}, {"max-file", "0"}},
       absl::StatusCode::kInvalidArgument,
       "max-file cannot be less than 1"},
      {{{"max-size", "1m"}, {"max-file", "three"}},
       absl::StatusCode::kInvalidArgument,
       "invalid log opt max-file=\"three\": not an integer"},
      {{{"max-size", "1m"}, {"max-file", "-2"}},
       absl::StatusCode::kInvalidArgument,
       "not an integer"},
      {{{"compress", "yes"}},
       absl::StatusCode::kInvalidArgument,
       "invalid log opt compress=\"yes\""},
      {{{"compress", "true"}, {"max-size", "1m"}},
       absl::StatusCode::kInvalidArgument,
       "compress cannot be true when max-file is less than 2 or max-size is "
       "not set"},
      {{{"compress", "true"}, {"max-size", "1m"}, {"max-file", "2"}},
       absl::StatusCode::kUnimplemented,
       "compress=true is not supported"},
  };
  for (const Case& c : cases) {
    auto options = ParseLogOptions(c.opts);
    ASSERT_FALSE(options.ok()) << c.message;
    EXPECT_EQ(options.status().code(), c.code) << options.status();
    EXPECT_NE(options.status().message().find(c.message), std::string::npos)
        << options.status();
  }
}

}  // namespace
}  // namespace logs
}  // namespace containerd
}  // namespace berth
