// Fuzz target for the JSON documents of image archives: every input is
// parsed as a docker-archive manifest.json, an image config, an OCI index
// and an OCI manifest. Malformed input must come back as an error status; a
// crash or a sanitizer report is a bug.
//
// With gcc it links the replay driver (tools/fuzz/replay_main.cc):
// `manifest_fuzz FILE...`. For libFuzzer, build this file and the formats
// sources with clang++ -fsanitize=fuzzer,address,undefined (as described in
// services/imaged/layer/unpack_fuzz.cc).
#include <stddef.h>
#include <stdint.h>

#include <string>

#include "absl/strings/string_view.h"
#include "services/imaged/formats/docker_archive.h"
#include "services/imaged/formats/image_config.h"
#include "services/imaged/formats/oci_layout.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  using namespace berth::imaged::formats;  // NOLINT
  auto manifest = ParseDockerManifest(input);
  auto config = ParseImageConfig(input);
  if (config.ok()) {
    // What parses must serialize and parse again.
    auto again = ParseImageConfig(SerializeImageConfig(*config));
    if (!again.ok()) __builtin_trap();
  }
  auto index = ParseOciIndex(input);
  auto oci = ParseOciManifest(input);
  (void)manifest;
  (void)index;
  (void)oci;
  return 0;
}
