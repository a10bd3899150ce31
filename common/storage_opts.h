// Sizes in Docker's units and the `--storage-opt` options, shared by the CLI
// (which refuses a bad value before it calls a daemon) and containerd (which
// refuses it from any client and turns it into bytes for imaged).
#ifndef BERTH_COMMON_STORAGE_OPTS_H_
#define BERTH_COMMON_STORAGE_OPTS_H_

#include <cstdint>
#include <optional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "berth/types/v1/types.pb.h"

namespace berth {

// go-units RAMInBytes: "512", "512b", "32k", "32m", "1.5g", "1gb", "2 GiB"
// (binary multiples, case-insensitive). INVALID_ARGUMENT "invalid size:
// 'x'" otherwise.
absl::StatusOr<int64_t> ParseRamBytes(absl::string_view value);

// What a container's storage options ask of its writable layer.
struct StorageLimits {
  // Most bytes the writable layer may hold (a project quota); 0: no limit.
  uint64_t size_bytes = 0;
};

// One `--storage-opt KEY=VALUE` into `limits`. As Docker's overlay2 driver,
// the only key is "size" (in any case), a RAMInBytes size. INVALID_ARGUMENT
// naming the key for any other ("unknown storage option \"k\""), naming the
// value for a bad size or a size of 0 (Docker would ignore it; a limit of
// nothing is more likely a mistake than a wish).
absl::Status ApplyStorageOpt(absl::string_view key, absl::string_view value,
                             StorageLimits* limits);

// An octal file mode such as "1777"; nullopt for anything else.
std::optional<uint32_t> ParseOctalMode(absl::string_view value);

// One `--tmpfs PATH[:OPTIONS]` (HostConfig.tmpfs's key and value joined by
// ':'): a tmpfs mount whose OPTIONS, a comma list of mount(8) tmpfs
// options, give size= (a RAMInBytes size) and mode= (octal, at most 07777)
// to its tmpfs_options, ro/rw to read_only, the others kept in order.
// INVALID_ARGUMENT naming the problem for a relative path, a bad size or
// mode (read by the CLI, which refuses a bad flag, and by containerd).
absl::StatusOr<types::v1::Mount> ParseTmpfsSpec(absl::string_view value);

}  // namespace berth

#endif  // BERTH_COMMON_STORAGE_OPTS_H_
