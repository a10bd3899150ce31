// Go's text/tabwriter as Docker's CLI configures it (padding with spaces,
// no flags): text whose cells end in tabs, aligned column by column. Unlike
// Table (format.h), lines may have any number of cells: as in Go, a column
// is aligned over each run of consecutive lines that have a cell in it, and
// the last cell of a line (the text after its last tab) is not aligned.
#ifndef BERTH_CTL_CLI_TABWRITER_H_
#define BERTH_CTL_CLI_TABWRITER_H_

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"

namespace berth::ctl {

// Every cell is padded to max(min_width, its column's widest cell +
// padding), widths counted in characters (UTF-8 code points).
// GoTabwrite("a\tbb\nccc\td\n", 5, 1) == "a    bb\nccc  d\n".
std::string GoTabwrite(absl::string_view text, size_t min_width,
                       size_t padding);

}  // namespace berth::ctl

#endif  // BERTH_CTL_CLI_TABWRITER_H_
