#include "ctl/cli/progress.h"

#include <cstdio>
#include <cstdlib>
#include <string>

#include "gtest/gtest.h"

namespace berth::ctl {
namespace {

types::v1::Progress Make(const std::string& id, const std::string& status,
                         int64_t current = 0, int64_t total = 0) {
  types::v1::Progress progress;
  progress.set_id(id);
  progress.set_status(status);
  progress.set_current(current);
  progress.set_total(total);
  return progress;
}

// Collects what a renderer writes, through a real FILE*.
class Output {
 public:
  Output() { file_ = open_memstream(&buffer_, &size_); }
  ~Output() {
    std::fclose(file_);
    std::free(buffer_);
  }
  FILE* file() { return file_; }
  std::string text() {
    std::fflush(file_);
    return std::string(buffer_, size_);
  }

 private:
  char* buffer_ = nullptr;
  size_t size_ = 0;
  FILE* file_;
};

TEST(ProgressTextTest, BarCountsAndTimeLeft) {
  EXPECT_EQ(ProgressText(0, 0, 200, absl::ZeroDuration()), "");
  EXPECT_EQ(ProgressText(1234567, 0, 200, absl::ZeroDuration()), " 1.235MB");
  EXPECT_EQ(ProgressText(1234567, 45600000, 200, absl::ZeroDuration()),
            "[=>" + std::string(49, ' ') + "]  1.235MB/45.6MB");
  EXPECT_EQ(ProgressText(45600000, 45600000, 200, absl::Seconds(3)),
            "[" + std::string(50, '=') + ">]   45.6MB/45.6MB");
  // Narrow terminals get no bar; the time left needs some elapsed time.
  EXPECT_EQ(ProgressText(25, 100, 80, absl::Seconds(10)), "     25B/100B 30s");
  EXPECT_EQ(ProgressText(25, 100, 40, absl::Seconds(10)), "     25B/100B");
  // A current past the total shows no total.
  EXPECT_EQ(ProgressText(200, 100, 80, absl::ZeroDuration()), "    200B");
}

TEST(ProgressRendererTest, PlainOutputPrintsEachStatusChangeOnce) {
  Output out;
  ProgressRenderer renderer(out.file(), {/*terminal=*/false, /*width=*/0});
  const absl::Time now = absl::FromUnixSeconds(1700000000);
  renderer.Update(Make("a3ed95caeb02", "Loading layer", 0, 1000), now);
  renderer.Update(Make("a3ed95caeb02", "Loading layer", 500, 1000), now);
  renderer.Update(Make("b4fe06dbfc13", "Loading layer", 10, 1000), now);
  renderer.Update(Make("a3ed95caeb02", "Loading layer", 1000, 1000), now);
  renderer.Update(Make("a3ed95caeb02", "Loaded", 1000, 1000), now);
  renderer.Update(Make("", "Verifying digests"), now);
  renderer.Update(Make("", ""), now);
  types::v1::Progress warning = Make("", "Warning");
  warning.set_message("platform mismatch");
  renderer.Update(warning, now);
  renderer.Finish();
  EXPECT_EQ(out.text(),
            "a3ed95caeb02: Loading layer\n"
            "b4fe06dbfc13: Loading layer\n"
            "a3ed95caeb02: Loaded\n"
            "Verifying digests\n"
            "Warning platform mismatch\n");
}

TEST(ProgressRendererTest, TerminalRedrawsEachIdOnItsLine) {
  Output out;
  ProgressRenderer renderer(out.file(), {/*terminal=*/true, /*width=*/80});
  const absl::Time now = absl::FromUnixSeconds(1700000000);
  renderer.Update(Make("aaa", "Loading layer", 10, 100), now);
  renderer.Update(Make("bbb", "Loading layer", 0, 100), now);
  renderer.Update(Make("aaa", "Loaded"), now);
  renderer.Finish();
  EXPECT_EQ(out.text(),
            // A new id opens a line below, the cursor goes up to draw it.
            "\n\x1b[1A\x1b[2K\raaa: Loading layer      10B/100B\r\x1b[1B"
            "\n\x1b[1A\x1b[2K\rbbb: Loading layer       0B/100B\r\x1b[1B"
            // An update of the first id goes two lines up and back.
            "\x1b[2A\x1b[2K\raaa: Loaded\r\x1b[2B");
}

TEST(ProgressRendererTest, TerminalLineWithoutIdIsRedrawnInPlace) {
  Output out;
  ProgressRenderer renderer(out.file(), {/*terminal=*/true, /*width=*/80});
  const absl::Time now = absl::FromUnixSeconds(1700000000);
  renderer.Update(Make("", "Saving", 50, 100), now);
  renderer.Update(Make("", "Saving", 100, 100), now + absl::Seconds(1));
  renderer.Finish();
  renderer.Finish();  // once is enough
  EXPECT_EQ(out.text(),
            "\x1b[2K\rSaving      50B/100B\r"
            "\x1b[2K\rSaving     100B/100B\r"
            "\n");
}

TEST(ProgressRendererTest, TerminalStatusLineClosesAnOpenLine) {
  Output out;
  ProgressRenderer renderer(out.file(), {/*terminal=*/true, /*width=*/80});
  const absl::Time now = absl::FromUnixSeconds(1700000000);
  renderer.Update(Make("", "Reading", 5, 10), now);
  renderer.Update(Make("", "Done"), now);
  renderer.Finish();
  EXPECT_EQ(out.text(),
            "\x1b[2K\rReading       5B/10B\r"
            "\x1b[2K\rDone\n");
}

TEST(ProgressRendererTest, DetectsThatAFileIsNoTerminal) {
  Output out;
  ProgressRenderer::Options options =
      ProgressRenderer::DetectOptions(out.file());
  EXPECT_FALSE(options.terminal);
}

}  // namespace
}  // namespace berth::ctl
