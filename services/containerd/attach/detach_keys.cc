#include "services/containerd/attach/detach_keys.h"

#include <cctype>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace berth::containerd {

absl::StatusOr<std::string> ParseDetachKeys(absl::string_view keys) {
  if (keys.empty()) keys = kDefaultDetachKeys;
  std::string bytes;
  for (absl::string_view key : absl::StrSplit(keys, ',')) {
    if (key.size() == 1) {
      bytes.push_back(key[0]);
      continue;
    }
    const std::string lower = absl::AsciiStrToLower(key);
    if (lower.size() == 6 && absl::StartsWith(lower, "ctrl-")) {
      const char c = lower[5];
      if (c >= 'a' && c <= 'z') {
        bytes.push_back(static_cast<char>(c - 'a' + 1));
        continue;
      }
      const std::string specials = "@[\\]^_";
      const size_t at = specials.find(c);
      if (at != std::string::npos) {
        bytes.push_back(static_cast<char>(at == 0 ? 0 : 26 + at));
        continue;
      }
    }
    return absl::InvalidArgumentError(absl::StrCat(
        "Invalid detach keys (", keys, ") provided: unknown key '", key,
        "'; use single characters or ctrl-<a-z, @, [, \\, ], ^, _> "
        "separated by commas, e.g. ctrl-p,ctrl-q"));
  }
  return bytes;
}

std::string DetachScanner::Feed(absl::string_view input, bool* detached) {
  *detached = false;
  std::string out;
  if (sequence_.empty()) return std::string(input);
  for (char byte : input) {
    if (byte == sequence_[matched_]) {
      if (++matched_ == sequence_.size()) {
        matched_ = 0;
        *detached = true;
        return out;
      }
      continue;
    }
    // Not the sequence after all: what was held goes on, then this byte
    // may begin it afresh.
    out.append(sequence_, 0, matched_);
    matched_ = 0;
    if (byte == sequence_[0]) {
      matched_ = 1;  // (a one-key sequence matched in the branch above)
    } else {
      out.push_back(byte);
    }
  }
  return out;
}

}  // namespace berth::containerd
