// SHA-256 digests in the "sha256:<64 hex>" form OCI uses for content.
#ifndef BERTH_COMMON_SHA256_H_
#define BERTH_COMMON_SHA256_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace berth {

// Incremental hashing: Update() any number of times, then Digest() once.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(absl::string_view data);
  void Update(const void* data, size_t size);
  // "sha256:" + 64 lowercase hex digits. Ends the hashing.
  std::string Digest();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Digest of a whole string.
std::string Sha256Digest(absl::string_view data);

// Digest of a file's bytes.
absl::StatusOr<std::string> Sha256File(const std::string& path);

// True for "sha256:" followed by exactly 64 lowercase hex digits.
bool IsSha256Digest(absl::string_view digest);

}  // namespace berth

#endif  // BERTH_COMMON_SHA256_H_
