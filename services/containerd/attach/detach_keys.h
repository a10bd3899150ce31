// Docker's detach keys: a sequence typed by an attached client
// ("ctrl-p,ctrl-q" by default) that leaves the container running and ends
// the client's attachment. containerd watches the client's input for it,
// so the sequence itself never reaches the container.
#ifndef BERTH_SERVICES_CONTAINERD_ATTACH_DETACH_KEYS_H_
#define BERTH_SERVICES_CONTAINERD_ATTACH_DETACH_KEYS_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace berth::containerd {

inline constexpr char kDefaultDetachKeys[] = "ctrl-p,ctrl-q";

// The bytes of a comma-separated key list, as Docker reads it: each key a
// single character or ctrl-<a..z, @, [, \, ], ^, _>. "" is the default.
// INVALID_ARGUMENT naming the key otherwise.
absl::StatusOr<std::string> ParseDetachKeys(absl::string_view keys);

// Finds the sequence in a client's input. Bytes that might begin it are
// held back until the next byte decides; when it turns out not to be the
// sequence they are passed on after all.
class DetachScanner {
 public:
  explicit DetachScanner(std::string sequence) : sequence_(std::move(sequence)) {}

  // The bytes of `input` to pass on to the container. Sets `*detached` when
  // the sequence completed; what followed it in `input` is dropped.
  std::string Feed(absl::string_view input, bool* detached);

 private:
  const std::string sequence_;
  size_t matched_ = 0;  // bytes of the sequence seen (and held) so far
};

}  // namespace berth::containerd

#endif  // BERTH_SERVICES_CONTAINERD_ATTACH_DETACH_KEYS_H_
