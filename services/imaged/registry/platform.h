// Image platforms ("linux/amd64", "linux/arm/v7") as `docker pull
// --platform` takes them, normalised and matched as Docker does (through
// containerd's platforms package): a wanted platform also accepts the
// older variants the CPU runs.
//
// Pure functions on values; thread-safe.
#ifndef BERTH_SERVICES_IMAGED_REGISTRY_PLATFORM_H_
#define BERTH_SERVICES_IMAGED_REGISTRY_PLATFORM_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace berth::imaged::registry {

// The "platform" of an index entry (OCI image-spec image-index.md).
struct Platform {
  std::string os;            // "linux", "windows"
  std::string architecture;  // GOARCH: "amd64", "arm64", "arm", "386"
  std::string variant;       // "v7", "v8", "v3", or ""
  std::string os_version;    // "os.version", Windows only in practice
  std::vector<std::string> os_features;  // "os.features"

  // "os/architecture[/variant]".
  std::string String() const;

  bool operator==(const Platform& other) const;
  bool operator!=(const Platform& other) const { return !(*this == other); }
};

// The spelling Docker compares: lowercase; "macos" -> "darwin";
// "x86_64"/"x86-64" -> "amd64" with "v1" as no variant (every amd64 is
// v1); "i386" -> "386"; "aarch64" -> "arm64" and arm64's default variant
// "v8" made explicit ("8" -> "v8"); "armhf" -> arm/v7, "armel" -> arm/v6,
// arm's default variant "v7" and "5".."8" -> "v5".."v8".
Platform NormalizePlatform(Platform platform);

// The platform this binary runs on, normalised: linux/amd64 on x86-64,
// linux/arm64/v8 on AArch64.
Platform HostPlatform();

// Parses what --platform accepts: "os", "arch", "os/arch",
// "os/arch/variant", normalised. A single component is an OS when it names
// one (with the host's architecture), else an architecture (with the
// host's OS). INVALID_ARGUMENT for empty components, characters outside
// [A-Za-z0-9_.-], more than three components, or a single component that is
// neither a known OS nor a known architecture.
absl::StatusOr<Platform> ParsePlatform(absl::string_view text);

// The platforms a host wanting `wanted` runs, best first (containerd's
// platforms.Only): the platform itself, then for amd64/vN the lower
// variants down to plain amd64, then 386; for arm/vN the lower variants
// down to v5; for arm64 with a variant above v8, arm64/v8. Normalised.
std::vector<Platform> CompatiblePlatforms(const Platform& wanted);

// Where `candidate` ranks in CompatiblePlatforms(wanted): 0 is best, -1
// means it does not run. Compares os, architecture and variant after
// normalisation; os.version and os.features are not compared (Linux
// images do not set them).
int PlatformRank(const Platform& wanted, const Platform& candidate);

}  // namespace berth::imaged::registry

#endif  // BERTH_SERVICES_IMAGED_REGISTRY_PLATFORM_H_
