// Shows a stream of berth.types.v1.Progress messages (load, import, save,
// later pull and push) the way `docker` shows its JSON progress stream.
//
// On a terminal every id gets its own line, redrawn in place with ANSI
// cursor movement: "a3ed95caeb02: Loading layer [=====>   ]  12.3MB/45.6MB".
// A message without an id is a line about the whole operation. Elsewhere
// (a file, a pipe) no bars are drawn: one plain line is printed each time
// the status of an id changes ("a3ed95caeb02: Loading layer").
//
// Not thread-safe: one renderer per output, fed from one thread.
#ifndef BERTH_CTL_CLI_PROGRESS_H_
#define BERTH_CTL_CLI_PROGRESS_H_

#include <cstdint>
#include <cstdio>
#include <map>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "berth/types/v1/types.pb.h"

namespace berth::ctl {

// Docker's progress text for `current` of `total` bytes on a terminal
// `width` columns wide: a 50-column bar when the terminal is wider than 110
// columns, the byte counts, and the time left (from `elapsed`, when known,
// on terminals wider than 50 columns):
// "[=====>      ]  12.35MB/45.6MB 3s". Empty when there is nothing to show;
// just the count when the total is unknown.
std::string ProgressText(int64_t current, int64_t total, int width,
                         absl::Duration elapsed);

class ProgressRenderer {
 public:
  struct Options {
    // Draw bars and redraw lines in place (the output is a terminal).
    bool terminal = false;
    // Columns of the terminal; 0 when unknown (taken as 200, as Docker).
    int width = 0;
  };

  // `out` is not owned and must outlive the renderer.
  ProgressRenderer(FILE* out, Options options);

  // Options detected from `out`: a terminal if isatty, and its width.
  static Options DetectOptions(FILE* out);

  // Shows one message, as of `now` (which estimates the time left).
  void Update(const types::v1::Progress& progress, absl::Time now);
  void Update(const types::v1::Progress& progress) {
    Update(progress, absl::Now());
  }

  // Ends a line left open by an in-place update, so what follows starts on
  // a line of its own. Call before printing anything else to `out`.
  void Finish();

 private:
  void UpdateTerminal(const types::v1::Progress& progress, absl::Time now);
  void UpdatePlain(const types::v1::Progress& progress, absl::Time now);
  std::string LineText(const types::v1::Progress& progress,
                       absl::Time now) const;

  FILE* out_;
  Options options_;
  // Terminal: the line of each id, counted from the first bar line; the
  // cursor rests on the line below the last one.
  std::map<std::string, int> lines_;
  // When each id was first seen, for the time left.
  std::map<std::string, absl::Time> started_;
  // Plain: the last text printed for each id.
  std::map<std::string, std::string> last_plain_;
  // The cursor is at the start of a line holding text (an id-less progress
  // line drawn in place) rather than on an empty line.
  bool line_open_ = false;
};

}  // namespace berth::ctl

#endif  // BERTH_CTL_CLI_PROGRESS_H_
