#include "ctl/cli/tabwriter.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_split.h"
#include "ctl/cli/format.h"

namespace berth::ctl {
namespace {

class Tabwriter {
 public:
  Tabwriter(absl::string_view text, size_t min_width, size_t padding)
      : min_width_(min_width), padding_(padding) {
    for (absl::string_view line : absl::StrSplit(text, '\n')) {
      lines_.push_back(absl::StrSplit(line, '\t'));
    }
  }

  std::string Run() {
    Format(0, lines_.size());
    return std::move(out_);
  }

 private:
  // Go's format(): finds the blocks of lines [begin, end) that have a cell
  // in the next column, sizes that column per block and recurses into it.
  void Format(size_t begin, size_t end) {
    const size_t column = widths_.size();
    size_t line = begin;
    while (line < end) {
      if (column + 1 >= lines_[line].size()) {
        ++line;
        continue;
      }
      WriteLines(begin, line);
      const size_t block_begin = line;
      size_t width = min_width_;
      for (; line < end && column + 1 < lines_[line].size(); ++line) {
        width = std::max(width, DisplayWidth(lines_[line][column]) + padding_);
      }
      widths_.push_back(width);
      Format(block_begin, line);
      widths_.pop_back();
      begin = line;
    }
    WriteLines(begin, end);
  }

  void WriteLines(size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      const std::vector<absl::string_view>& cells = lines_[i];
      for (size_t j = 0; j < cells.size(); ++j) {
        out_.append(cells[j].data(), cells[j].size());
        if (j < widths_.size()) {
          out_.append(widths_[j] - std::min(widths_[j], DisplayWidth(cells[j])),
                      ' ');
        }
      }
      if (i + 1 < lines_.size()) out_ += '\n';
    }
  }

  size_t min_width_;
  size_t padding_;
  std::vector<std::vector<absl::string_view>> lines_;
  std::vector<size_t> widths_;
  std::string out_;
};

}  // namespace

std::string GoTabwrite(absl::string_view text, size_t min_width,
                       size_t padding) {
  return Tabwriter(text, min_width, padding).Run();
}

}  // namespace berth::ctl
