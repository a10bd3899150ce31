#include "common/failpoint.h"

#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/go_duration.h"

namespace berth {
namespace {

// Name -> how long to hold (nullopt: until killed).
using Points = std::map<std::string, std::optional<absl::Duration>, std::less<>>;

Points Parse() {
  Points points;
  const char* spec = std::getenv(kFailpointsEnv);
  if (spec == nullptr) return points;
  for (absl::string_view entry : absl::StrSplit(spec, ',', absl::SkipEmpty())) {
    std::vector<absl::string_view> parts =
        absl::StrSplit(entry, absl::MaxSplits('=', 1));
    std::optional<absl::Duration> hold;
    if (parts.size() == 2) {
      absl::StatusOr<absl::Duration> parsed = ParseGoDuration(parts[1]);
      if (!parsed.ok()) {
        std::fprintf(stderr, "%s: ignoring %s: %s\n", kFailpointsEnv,
                     std::string(entry).c_str(),
                     std::string(parsed.status().message()).c_str());
        continue;
      }
      hold = *parsed;
    }
    points[std::string(parts[0])] = hold;
  }
  return points;
}

}  // namespace

void Failpoint(absl::string_view name) {
  static const Points* const points = new Points(Parse());
  if (points->empty()) return;
  auto it = points->find(name);
  if (it == points->end()) return;
  std::fprintf(stderr, "failpoint %s: holding\n", it->first.c_str());
  std::fflush(stderr);
  if (it->second.has_value()) {
    absl::SleepFor(*it->second);
    return;
  }
  while (true) absl::SleepFor(absl::Hours(1));
}

}  // namespace berth
