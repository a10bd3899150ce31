#include "ctl/cli/progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "ctl/cli/format.h"

namespace berth::ctl {
namespace {

constexpr int kUnknownWidth = 200;  // what Docker assumes
constexpr int kBarColumns = 50;
constexpr char kClearLine[] = "\x1b[2K\r";

}  // namespace

std::string ProgressText(int64_t current, int64_t total, int width,
                         absl::Duration elapsed) {
  if (width <= 0) width = kUnknownWidth;
  if (current <= 0 && total <= 0) return "";
  if (total <= 0) return absl::StrFormat("%8s", HumanSize(current));

  int filled = static_cast<int>(static_cast<double>(current) /
                                static_cast<double>(total) * 100) /
               2;
  filled = std::min(filled, kBarColumns);
  std::string bar;
  if (width > 110) {
    bar =
        absl::StrCat("[", std::string(std::max(filled, 0), '='), ">",
                     std::string(kBarColumns - std::max(filled, 0), ' '), "] ");
  }
  std::string numbers =
      current > total
          ? absl::StrFormat("%8s", HumanSize(current))
          : absl::StrFormat("%8s/%s", HumanSize(current), HumanSize(total));
  std::string time_left;
  if (current > 0 && elapsed > absl::ZeroDuration() && filled < kBarColumns &&
      width > 50) {
    const double seconds_left = absl::ToDoubleSeconds(elapsed) *
                                static_cast<double>(total - current) /
                                static_cast<double>(current);
    time_left = absl::StrCat(
        " ",
        GoDurationSeconds(absl::Seconds(static_cast<int64_t>(seconds_left))));
  }
  return absl::StrCat(bar, numbers, time_left);
}

ProgressRenderer::ProgressRenderer(FILE* out, Options options)
    : out_(out), options_(options) {}

ProgressRenderer::Options ProgressRenderer::DetectOptions(FILE* out) {
  Options options;
  const int fd = fileno(out);
  options.terminal = fd >= 0 && isatty(fd) == 1;
  struct winsize size = {};
  if (options.terminal && ioctl(fd, TIOCGWINSZ, &size) == 0) {
    options.width = size.ws_col;
  }
  return options;
}

void ProgressRenderer::Update(const types::v1::Progress& progress,
                              absl::Time now) {
  started_.try_emplace(progress.id(), now);
  if (options_.terminal) {
    UpdateTerminal(progress, now);
  } else {
    UpdatePlain(progress, now);
  }
  std::fflush(out_);
}

void ProgressRenderer::Finish() {
  if (line_open_) std::fputs("\n", out_);
  line_open_ = false;
  std::fflush(out_);
}

std::string ProgressRenderer::LineText(const types::v1::Progress& progress,
                                       absl::Time now) const {
  std::string text = progress.id().empty()
                         ? progress.status()
                         : absl::StrCat(progress.id(), ": ", progress.status());
  if (options_.terminal) {
    const std::string bar =
        ProgressText(progress.current(), progress.total(), options_.width,
                     now - started_.at(progress.id()));
    if (!bar.empty()) absl::StrAppend(&text, " ", bar);
  }
  if (!progress.message().empty())
    absl::StrAppend(&text, " ", progress.message());
  return text;
}

// Docker's DisplayJSONMessagesStream: each id owns a line; a new id opens a
// line at the bottom, an update moves the cursor up to its line, redraws it
// and moves back down. A line without an id is about the whole operation and
// starts a new group of id lines.
void ProgressRenderer::UpdateTerminal(const types::v1::Progress& progress,
                                      absl::Time now) {
  const std::string text = LineText(progress, now);
  if (progress.id().empty()) {
    lines_.clear();
    if (progress.current() > 0 || progress.total() > 0) {
      std::fprintf(out_, "%s%s\r", kClearLine, text.c_str());
      line_open_ = true;
    } else {
      if (line_open_) std::fputs(kClearLine, out_);
      std::fprintf(out_, "%s\n", text.c_str());
      line_open_ = false;
    }
    return;
  }
  auto [line, added] =
      lines_.try_emplace(progress.id(), static_cast<int>(lines_.size()));
  if (added) {
    std::fputs("\n", out_);
    line_open_ = false;
  }
  const int up = static_cast<int>(lines_.size()) - line->second;
  std::fprintf(out_, "\x1b[%dA%s%s\r\x1b[%dB", up, kClearLine, text.c_str(),
               up);
}

void ProgressRenderer::UpdatePlain(const types::v1::Progress& progress,
                                   absl::Time now) {
  if (progress.status().empty() && progress.message().empty()) return;
  std::string text = LineText(progress, now);
  std::string& last = last_plain_[progress.id()];
  if (text == last) return;
  last = text;
  std::fprintf(out_, "%s\n", text.c_str());
}

}  // namespace berth::ctl
