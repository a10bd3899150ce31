// Fuzz target for UnpackTarFromMemory: every input is unpacked, in both
// modes, into a fresh directory under /tmp that is removed afterwards. A
// crash, a sanitizer report, or a failed unpack that leaves anything in its
// directory is a bug (abort()).
//
// With gcc, `bazel build //services/imaged/layer:unpack_fuzz` links the
// replay driver tools/fuzz/replay_main.cc: `unpack_fuzz FILE...` runs each
// file.
// To fuzz with libFuzzer, build this file without the driver with clang (one
// command, wrapped here; Debian's clang-14 ships libFuzzer), run as root so
// the device, ownership and xattr paths are reached:
//   clang++-14 -std=c++17 -O1 -g -fsanitize=fuzzer,address,undefined -I.
//     services/imaged/layer/{unpack_fuzz,unpack,extract,fd_util}.cc
//     common/sha256.cc common/status_macros.cc -larchive -lcrypto
//     -labsl_statusor -labsl_status -labsl_strings -labsl_strings_internal
//     -labsl_str_format_internal -labsl_cord -labsl_cord_internal
//     -labsl_cordz_info -labsl_cordz_functions -labsl_cordz_handle
//     -labsl_strerror -labsl_int128 -labsl_throw_delegate -labsl_base
//     -labsl_raw_logging_internal -labsl_spinlock_wait -labsl_synchronization
//     -labsl_graphcycles_internal -labsl_time -labsl_time_zone
//     -labsl_stacktrace -labsl_symbolize -labsl_debugging_internal
//     -labsl_demangle_internal -labsl_malloc_internal
//     -labsl_bad_optional_access -labsl_bad_variant_access
//     -labsl_log_severity -o /tmp/unpack_fuzz
//   mkdir -p /tmp/corpus && /tmp/unpack_fuzz -max_len=1048576 /tmp/corpus
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <system_error>

#include "absl/strings/string_view.h"
#include "services/imaged/layer/unpack.h"

namespace {

using ::berth::imaged::layer::UnpackMode;

void UnpackOnce(absl::string_view data, UnpackMode mode) {
  char dir[] = "/tmp/berth-unpack-fuzz-XXXXXX";
  if (mkdtemp(dir) == nullptr) {
    std::perror("mkdtemp");
    abort();
  }
  berth::imaged::layer::UnpackOptions options;
  options.mode = mode;
  options.max_unpacked_bytes = 64 << 20;
  auto result = berth::imaged::layer::UnpackTarFromMemory(data, dir, options);
  if (!result.ok()) {
    // The unpacker must have emptied the directory itself.
    if (rmdir(dir) != 0) {
      std::fprintf(stderr, "failed unpack left files in %s: %s\n", dir,
                   std::string(result.status().message()).c_str());
      abort();
    }
    return;
  }
  std::error_code error;
  std::filesystem::remove_all(dir, error);  // Does not follow symlinks.
  if (error) {
    std::fprintf(stderr, "removing %s: %s\n", dir, error.message().c_str());
    abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view input(reinterpret_cast<const char*>(data), size);
  UnpackOnce(input, UnpackMode::kLayer);
  UnpackOnce(input, UnpackMode::kArchive);
  return 0;
}
