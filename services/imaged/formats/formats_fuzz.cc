// Fuzz target for every parser of //services/imaged/formats: the input goes
// to each Parse* function, CheckOciLayoutFile and ApplyChanges. None may
// crash, and whatever parses must serialize to bytes that parse back to the
// same value (the serializers are deterministic and idempotent).
//
// Here (gcc) it is linked with fuzz_driver_main.cc, which replays files:
//   bazel build //services/imaged/formats:formats_fuzz
//   bazel-bin/services/imaged/formats/formats_fuzz FILE...
// Coverage-guided with libFuzzer (clang supplies main), from the workspace
// root after a `bazel build //services/imaged/formats:formats_fuzz` (which
// generates the proto sources), as one command:
/*
  clang++ -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined \
    -I. -Ibazel-bin/proto services/imaged/formats/formats_fuzz.cc \
    services/imaged/formats/{changes,docker_archive,dockerfile_words}.cc \
    services/imaged/formats/{image_config,json_util,oci_layout}.cc \
    common/sha256.cc common/status_macros.cc \
    bazel-bin/proto/berth/image/v1/image_types.pb.cc \
    bazel-bin/proto/berth/types/v1/types.pb.cc \
    -lprotobuf -lcrypto -labsl_status -labsl_statusor -labsl_strings \
    -labsl_strings_internal -labsl_str_format_internal -labsl_cord \
    -labsl_cord_internal -labsl_cordz_info -labsl_cordz_functions \
    -labsl_cordz_handle -labsl_time -labsl_time_zone -labsl_int128 \
    -labsl_base -labsl_raw_logging_internal -labsl_throw_delegate \
    -labsl_spinlock_wait -labsl_synchronization -labsl_stacktrace \
    -labsl_symbolize -labsl_debugging_internal -labsl_demangle_internal \
    -labsl_malloc_internal -labsl_graphcycles_internal \
    -labsl_bad_optional_access -labsl_strerror -o /tmp/formats_fuzz
  mkdir -p /tmp/corpus && /tmp/formats_fuzz -max_len=65536 /tmp/corpus
*/
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "services/imaged/formats/changes.h"
#include "services/imaged/formats/docker_archive.h"
#include "services/imaged/formats/image_config.h"
#include "services/imaged/formats/oci_layout.h"

namespace {

using namespace berth::imaged::formats;  // NOLINT: one small test driver

// A broken invariant is a crash the fuzzer reports with its input.
void Check(bool condition) {
  if (!condition) __builtin_trap();
}

void FuzzImageConfig(absl::string_view input) {
  auto doc = ParseImageConfig(input);
  if (!doc.ok()) return;
  std::string once = SerializeImageConfig(*doc);
  auto again = ParseImageConfig(once);
  Check(again.ok());
  Check(SerializeImageConfig(*again) == once);
}

void FuzzChanges(absl::string_view input) {
  berth::image::v1::ImageConfig config;
  config.add_env("PATH=/usr/bin:/bin");
  config.add_cmd("sh");
  berth::image::v1::ImageConfig before = config;
  absl::Status status = ApplyChanges({std::string(input)}, &config);
  if (!status.ok()) {
    Check(config.SerializeAsString() == before.SerializeAsString());
    return;
  }
  ImageConfigDoc doc;
  doc.config = config;
  Check(ParseImageConfig(SerializeImageConfig(doc)).ok());
}

void FuzzDockerManifest(absl::string_view input) {
  auto entries = ParseDockerManifest(input);
  if (!entries.ok()) return;
  for (const DockerManifestEntry& entry : *entries) {
    Check(IsSafeArchivePath(entry.config));
    for (const std::string& layer : entry.layers) {
      Check(IsSafeArchivePath(layer));
    }
  }
  auto again = ParseDockerManifest(SerializeDockerManifest(*entries));
  Check(again.ok() && *again == *entries);
}

void FuzzOci(absl::string_view input) {
  auto index = ParseOciIndex(input);
  if (index.ok()) {
    auto again = ParseOciIndex(SerializeOciIndex(*index));
    Check(again.ok() && *again == *index);
  }
  auto manifest = ParseOciManifest(input);
  if (manifest.ok()) {
    auto again = ParseOciManifest(SerializeOciManifest(*manifest));
    Check(again.ok() && *again == *manifest);
  }
  (void)CheckOciLayoutFile(input);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view input(reinterpret_cast<const char*>(data), size);
  FuzzImageConfig(input);
  FuzzChanges(input);
  FuzzDockerManifest(input);
  FuzzOci(input);
  return 0;
}
