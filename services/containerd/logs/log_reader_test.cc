#include "services/containerd/logs/log_reader.h"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/fs_util.h"
#include "gtest/gtest.h"
#include "services/containerd/logs/log_writer.h"

namespace berth {
namespace containerd {
namespace logs {
namespace {

absl::Time T(int64_t seconds) {
  return absl::FromUnixSeconds(4102444800 + seconds);  // 2100-01-01
}

class LogReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = MakeTempDir("/tmp", "berth-logs-reader-");
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

  // Writes "line N\n" with time T(N) for N in [first, last).
  void WriteLines(LogWriter* writer, int first, int last) {
    for (int i = first; i < last; ++i) {
      ASSERT_TRUE(writer
                      ->Write(i % 3 == 0 ? Stream::kStderr : Stream::kStdout,
                              absl::StrCat("line ", i, "\n"), T(i))
                      .ok());
    }
  }

  std::vector<LogRecord> ReadAll(ReadOptions options,
                                 int64_t* skipped = nullptr) {
    std::vector<LogRecord> records;
    LogReader reader(path_, options);
    absl::Status status = reader.Read([&](const LogRecord& r) {
      records.push_back(r);
      return absl::OkStatus();
    });
    EXPECT_TRUE(status.ok()) << status;
    if (skipped != nullptr) *skipped = reader.skipped_lines();
    return records;
  }

  // The numbers N of "line N\n" records.
  static std::vector<int> Numbers(const std::vector<LogRecord>& records) {
    std::vector<int> numbers;
    for (const LogRecord& r : records) {
      numbers.push_back(std::stoi(r.bytes.substr(5)));
    }
    return numbers;
  }
  static std::vector<int> Range(int first, int last) {
    std::vector<int> numbers;
    for (int i = first; i < last; ++i) numbers.push_back(i);
    return numbers;
  }

  std::string dir_;
  std::string path_;
};

TEST_F(LogReaderTest, MissingLogIsEmpty) {
  EXPECT_TRUE(ReadAll(ReadOptions()).empty());
}

TEST_F(LogReaderTest, RecordsRoundTripExactly) {
  auto writer = Open();
  ASSERT_NE(writer, nullptr);
  std::string binary;
  for (int c = 0; c < 128; ++c) {
    if (c != '\n') binary.push_back(static_cast<char>(c));
  }
  binary += "\xC3\xA9\xE2\x80\xA8\n";
  const std::vector<std::pair<Stream, std::string>> writes = {
      {Stream::kStdout, "dos line\r\n"},
      {Stream::kStderr, "<b>&amp;</b> \"quoted\" \\ \t tab\n"},
      {Stream::kStdout, binary},
      {Stream::kStdout, std::string(20000, 'z') + "\n"},
      {Stream::kStderr, "no newline at eof"},
  };
  for (size_t i = 0; i < writes.size(); ++i) {
    ASSERT_TRUE(writer->Write(writes[i].first, writes[i].second, T(i)).ok());
  }
  ASSERT_TRUE(writer->Flush(T(9)).ok());
  auto records = ReadAll(ReadOptions());
  // The 20001-byte line comes back as a 16 KiB piece plus the rest.
  ASSERT_EQ(records.size(), writes.size() + 1);
  std::string out, err;
  for (const LogRecord& r : records) {
    (r.stream == Stream::kStdout ? out : err) += r.bytes;
  }
  EXPECT_EQ(out, writes[0].second + writes[2].second + writes[3].second);
  EXPECT_EQ(err, writes[1].second + writes[4].second);
  EXPECT_EQ(records[0].time, T(0));
  EXPECT_EQ(records[5].time, T(9));
}

TEST_F(LogReaderTest, ReadsAFileWrittenByDocker) {
  ASSERT_TRUE(
      WriteFileAtomic(
          path_,
          "{\"log\":\"Listening on :80 \\u0026 :443\\n\",\"stream\":"
          "\"stdout\",\"time\":\"2023-05-04T09:10:11.123456789Z\"}\n"
          "{\"log\":\"warn: \\u003cnil\\u003e\\n\",\"stream\":\"stderr\","
          "\"attrs\":{\"tag\":\"web\"},"
          "\"time\":\"2023-05-04T09:10:12Z\"}\n")
          .ok());
  auto records = ReadAll(ReadOptions());
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].bytes, "Listening on :80 & :443\n");
  EXPECT_EQ(records[0].stream, Stream::kStdout);
  EXPECT_EQ(records[0].time,
            absl::FromUnixSeconds(1683191411) + absl::Nanoseconds(123456789));
  EXPECT_EQ(records[1].bytes, "warn: <nil>\n");
  EXPECT_EQ(records[1].stream, Stream::kStderr);
}

TEST_F(LogReaderTest, ReadsAllRotatedFilesInOrder) {
  LogOptions options;
  options.max_size = 2000;
  options.max_file = 4;
  auto writer = Open(options);
  ASSERT_NE(writer, nullptr);
  // About 25 records a file: 100 records fill all four files, none dropped.
  WriteLines(writer.get(), 0, 90);
  EXPECT_EQ(Numbers(ReadAll(ReadOptions())), Range(0, 90));
  // Many more: the oldest files are gone; what is left is contiguous.
  WriteLines(writer.get(), 90, 400);
  auto numbers = Numbers(ReadAll(ReadOptions()));
  ASSERT_FALSE(numbers.empty());
  EXPECT_LT(numbers.size(), 130u);
  EXPECT_EQ(numbers, Range(numbers.front(), 400));
}

TEST_F(LogReaderTest, TailAcrossRotatedFiles) {
  LogOptions options;
  options.max_size = 1000;
  options.max_file = 3;
  auto writer = Open(options);
  ASSERT_NE(writer, nullptr);
  WriteLines(writer.get(), 0, 50);
  auto all = Numbers(ReadAll(ReadOptions()));
  ASSERT_GT(all.size(), 30u);
  for (int64_t tail : {1, 5, 20, 30}) {
    ReadOptions read;
    read.tail = tail;
    EXPECT_EQ(Numbers(ReadAll(read)), Range(50 - tail, 50)) << tail;
  }
  ReadOptions read;
  read.tail = 1000;
  EXPECT_EQ(Numbers(ReadAll(read)), all);
  read.tail = 0;
  EXPECT_TRUE(ReadAll(read).empty());
}

TEST_F(LogReaderTest, TailDoesNotParseTheHistory) {
  // 10 MB of corrupt lines before the last records: a tail must not touch
  // them (a reader that parses everything would count them as skipped).
  std::string junk;
  for (int i = 0; i < 200000; ++i) junk += "not json at all, 50 bytes long..\n";
  ASSERT_TRUE(WriteFileAtomic(path_, junk).ok());
  auto writer = Open();
  ASSERT_NE(writer, nullptr);
  WriteLines(writer.get(), 0, 20);
  ReadOptions read;
  read.tail = 10;
  int64_t skipped = -1;
  EXPECT_EQ(Numbers(ReadAll(read, &skipped)), Range(10, 20));
  EXPECT_EQ(skipped, 0);
  ReadAll(ReadOptions(), &skipped);
  EXPECT_EQ(skipped, 200000);
}

TEST_F(LogReaderTest, SinceAndUntilAreInclusive) {
  auto writer = Open();
  ASSERT_NE(writer, nullptr);
  WriteLines(writer.get(), 0, 10);
  ReadOptions read;
  read.since = T(3);
  read.until = T(6);
  EXPECT_EQ(Numbers(ReadAll(read)), Range(3, 7));
  read.since = T(3) + absl::Nanoseconds(1);
  read.until = absl::InfiniteFuture();
  EXPECT_EQ(Numbers(ReadAll(read)), Range(4, 10));
  // Like Docker, tail picks the last records first, then since filters.
  read.since = T(5);
  read.tail = 3;
  EXPECT_EQ(Numbers(ReadAll(read)), Range(7, 10));
  read.tail = 8;
  EXPECT_EQ(Numbers(ReadAll(read)), Range(5, 10));
}

TEST_F(LogReaderTest, CorruptAndTornLinesAreSkipped) {
  ASSERT_TRUE(WriteFileAtomic(path_,
                              "{\"log\":\"one\\n\",\"stream\":\"stdout\","
                              "\"time\":\"2026-11-29T21:04:48Z\"}\n"
                              "\x01garbage\n"
                              "{\"log\":\"two\\n\",\"stream\":\"stdout\",\"ti\n"
                              "{\"log\":\"three\\n\",\"stream\":\"stderr\","
                              "\"time\":\"2026-11-29T21:04:49Z\"}\n"
                              "{\"log\":\"four\\n\",\"stream\":\"stdo")
                  .ok());
  int64_t skipped = 0;
  auto records = ReadAll(ReadOptions(), &skipped);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].bytes, "one\n");
  EXPECT_EQ(records[1].bytes, "three\n");
  EXPECT_EQ(skipped, 3);  // including the torn last line
}

TEST_F(LogReaderTest, CallbackErrorStopsReading) {
  auto writer = Open();
  ASSERT_NE(writer, nullptr);
  WriteLines(writer.get(), 0, 10);
  int calls = 0;
  LogReader reader(path_, ReadOptions());
  absl::Status status = reader.Read([&](const LogRecord&) {
    return ++calls == 3 ? absl::CancelledError("client went away")
                        : absl::OkStatus();
  });
  EXPECT_EQ(status, absl::CancelledError("client went away"));
  EXPECT_EQ(calls, 3);
}

// Follows with a writer in another thread, which starts once the reader has
// read what was there and waits for new data; stops once `want` records came.
class FollowTest : public LogReaderTest {
 protected:
  std::vector<LogRecord> Follow(ReadOptions read, size_t want,
                                std::function<void()> write) {
    std::vector<LogRecord> records;
    absl::Time deadline = absl::Now() + absl::Seconds(20);
    read.follow = true;
    read.poll_interval = absl::Milliseconds(5);
    std::function<bool()> stop = read.stop;
    read.stop = [&] {
      idle_ = true;
      if (stop) return stop();
      return seen_ >= want || absl::Now() > deadline;
    };
    LogReader reader(path_, read);
    std::thread writer_thread([&] {
      while (!idle_) absl::SleepFor(absl::Milliseconds(1));
      write();
    });
    absl::Status status = reader.Read([&](const LogRecord& r) {
      records.push_back(r);
      ++seen_;
      return absl::OkStatus();
    });
    writer_thread.join();
    EXPECT_TRUE(status.ok()) << status;
    return records;
  }

  // Lets the reader catch up: a writer far ahead can rotate away files the
  // reader has not opened yet (Docker has the same limit).
  void WaitUntilSeen(size_t n) {
    absl::Time deadline = absl::Now() + absl::Seconds(5);
    while (seen_ < n && absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(1));
    }
  }

  std::atomic<size_t> seen_{0};
  std::atomic<bool> idle_{false};
};

// With nothing to read, a follow waits in `idle` (which containerd ends when
// the container exits), not in a sleep of poll_interval.
TEST_F(LogReaderTest, FollowWaitsInIdleAndEndsWhenTheContainerStops) {
  auto writer = Open();
  ASSERT_NE(writer, nullptr);
  WriteLines(writer.get(), 0, 2);
  ReadOptions read;
  read.follow = true;
  read.poll_interval = absl::Hours(1);
  bool running = true;
  std::vector<absl::Duration> waits;
  read.still_running = [&] { return running; };
  read.idle = [&](absl::Duration at_most) {
    waits.push_back(at_most);
    // The container writes its last line and exits while we wait.
    WriteLines(writer.get(), 2, 3);
    running = false;
  };
  const absl::Time start = absl::Now();
  auto records = ReadAll(read);
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));
  EXPECT_EQ(Numbers(records), Range(0, 3));
  ASSERT_EQ(waits.size(), 1u);
  EXPECT_EQ(waits[0], absl::Hours(1));
}

TEST_F(FollowTest, SeesRecordsWrittenAfterItStartedAndStopsWhenAsked) {
  auto writer = Open();
  ASSERT_NE(writer, nullptr);
  WriteLines(writer.get(), 0, 5);
  ReadOptions read;
  read.tail = 2;
  auto records = Follow(read, 2 + 20, [&] {
    for (int i = 5; i < 25; ++i) {
      absl::SleepFor(absl::Milliseconds(2));
      WriteLines(writer.get(), i, i + 1);
    }
  });
  EXPECT_EQ(Numbers(records), Range(3, 25));
}

TEST_F(FollowTest, FollowsAcrossRotations) {
  LogOptions options;
  options.max_size = 600;
  options.max_file = 3;
  auto writer = Open(options);
  ASSERT_NE(writer, nullptr);
  WriteLines(writer.get(), 0, 3);
  ReadOptions read;
  read.tail = 0;
  auto records = Follow(read, 300, [&] {
    for (int i = 3; i < 303; ++i) {
      WaitUntilSeen(i > 7 ? i - 7 : 0);  // at most ~1 file behind
      WriteLines(writer.get(), i, i + 1);
    }
  });
  // Every record once, in order, although the writer rotated ~30 times.
  EXPECT_EQ(Numbers(records), Range(3, 303));
}

TEST_F(FollowTest, FollowsAcrossTruncationWithMaxFileOne) {
  LogOptions options;
  options.max_size = 300;
  auto writer = Open(options);
  ASSERT_NE(writer, nullptr);
  ReadOptions read;
  auto records = Follow(read, 12, [&] {
    for (int i = 0; i < 12; ++i) {
      // A truncation hides what the reader had not read yet: let it catch
      // up before each write.
      WaitUntilSeen(i);
      WriteLines(writer.get(), i, i + 1);
    }
  });
  EXPECT_EQ(Numbers(records), Range(0, 12));
}

TEST_F(FollowTest, StopsWhenTheContainerExitedAndAllIsRead) {
  auto writer = Open();
  ASSERT_NE(writer, nullptr);
  std::atomic<bool> running{true};
  ReadOptions read;
  read.stop = [] { return false; };
  read.still_running = [&] { return running.load(); };
  absl::Time start = absl::Now();
  auto records = Follow(read, 0, [&] {
    for (int i = 0; i < 30; ++i) {
      WriteLines(writer.get(), i, i + 1);
      if (i % 5 == 0) absl::SleepFor(absl::Milliseconds(3));
    }
    ASSERT_TRUE(writer->Write(Stream::kStdout, "bye", T(40)).ok());
    ASSERT_TRUE(writer->Flush(T(41)).ok());
    running = false;  // the shim flushed at EOF, then the container exited
  });
  ASSERT_EQ(records.size(), 31u);
  records.pop_back();
  EXPECT_EQ(Numbers(records), Range(0, 30));
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));
}

TEST_F(FollowTest, WaitsForTheLogFileToAppear) {
  ReadOptions read;
  auto records = Follow(read, 3, [&] {
    absl::SleepFor(absl::Milliseconds(30));
    auto writer = Open();
    ASSERT_NE(writer, nullptr);
    WriteLines(writer.get(), 0, 3);
  });
  EXPECT_EQ(Numbers(records), Range(0, 3));
}

TEST_F(FollowTest, StopsAtUntil) {
  auto writer = Open();
  ASSERT_NE(writer, nullptr);
  WriteLines(writer.get(), 0, 3);
  ReadOptions read;
  read.until = T(4);
  read.stop = [] { return false; };
  auto records = Follow(read, 0, [&] {
    absl::SleepFor(absl::Milliseconds(20));
    WriteLines(writer.get(), 3, 10);  // T(5) ends the reading
  });
  EXPECT_EQ(Numbers(records), Range(0, 5));
}

}  // namespace
}  // namespace logs
}  // namespace containerd
}  // namespace berth
