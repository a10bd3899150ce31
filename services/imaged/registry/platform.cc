#include "services/imaged/registry/platform.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/types/span.h"

namespace berth::imaged::registry {
namespace {

// GOOS and GOARCH values (go tool dist list), which is what --platform
// accepts as a lone component.
constexpr absl::string_view kKnownOs[] = {
    "aix",   "android", "darwin",  "dragonfly", "freebsd", "hurd",
    "illumos", "ios",   "js",      "linux",     "nacl",    "netbsd",
    "openbsd", "plan9", "solaris", "wasip1",    "windows", "zos"};
constexpr absl::string_view kKnownArch[] = {
    "386",     "amd64",   "amd64p32", "arm",      "armbe",    "arm64",
    "arm64be", "loong64", "mips",     "mipsle",   "mips64",   "mips64le",
    "ppc",     "ppc64",   "ppc64le",  "riscv",    "riscv64",  "s390",
    "s390x",   "sparc",   "sparc64",  "wasm"};

bool Known(absl::Span<const absl::string_view> names, absl::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

bool ValidComponent(absl::string_view part) {
  if (part.empty()) return false;
  for (char c : part) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' &&
        c != '-' && c != '.') {
      return false;
    }
  }
  return true;
}

// The N of "vN", or 0.
int VariantNumber(absl::string_view variant) {
  int n = 0;
  if (variant.size() < 2 || variant[0] != 'v' ||
      !absl::SimpleAtoi(variant.substr(1), &n)) {
    return 0;
  }
  return n;
}

Platform WithArch(const Platform& base, std::string arch, std::string variant) {
  Platform platform;
  platform.os = base.os;
  platform.os_version = base.os_version;
  platform.os_features = base.os_features;
  platform.architecture = std::move(arch);
  platform.variant = std::move(variant);
  return platform;
}

}  // namespace

std::string Platform::String() const {
  std::string text = absl::StrCat(os, "/", architecture);
  if (!variant.empty()) absl::StrAppend(&text, "/", variant);
  return text;
}

bool Platform::operator==(const Platform& other) const {
  return os == other.os && architecture == other.architecture &&
         variant == other.variant && os_version == other.os_version &&
         os_features == other.os_features;
}

Platform NormalizePlatform(Platform platform) {
  platform.os = absl::AsciiStrToLower(platform.os);
  if (platform.os == "macos") platform.os = "darwin";
  std::string arch = absl::AsciiStrToLower(platform.architecture);
  std::string variant = absl::AsciiStrToLower(platform.variant);
  if (arch == "i386") {
    arch = "386";
    variant.clear();
  } else if (arch == "x86_64" || arch == "x86-64" || arch == "amd64") {
    arch = "amd64";
    if (variant == "v1") variant.clear();
  } else if (arch == "aarch64" || arch == "arm64") {
    arch = "arm64";
    if (variant.empty() || variant == "8" || variant == "v8.0") variant = "v8";
  } else if (arch == "armhf") {
    arch = "arm";
    variant = "v7";
  } else if (arch == "armel") {
    arch = "arm";
    variant = "v6";
  } else if (arch == "arm") {
    if (variant.empty() || variant == "7") {
      variant = "v7";
    } else if (variant == "5" || variant == "6" || variant == "8") {
      variant = "v" + variant;
    }
  }
  platform.architecture = std::move(arch);
  platform.variant = std::move(variant);
  return platform;
}

Platform HostPlatform() {
  Platform platform;
  platform.os = "linux";
#if defined(__x86_64__)
  platform.architecture = "amd64";
#elif defined(__aarch64__)
  platform.architecture = "arm64";
#elif defined(__arm__)
  platform.architecture = "arm";
#elif defined(__i386__)
  platform.architecture = "386";
#elif defined(__riscv) && __riscv_xlen == 64
  platform.architecture = "riscv64";
#elif defined(__s390x__)
  platform.architecture = "s390x";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  platform.architecture = "ppc64le";
#else
#error "HostPlatform: unknown architecture; add it here"
#endif
  return NormalizePlatform(std::move(platform));
}

absl::StatusOr<Platform> ParsePlatform(absl::string_view text) {
  auto error = [text](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid platform \"", absl::CEscape(text.substr(0, 128)), "\": ", why));
  };
  std::vector<absl::string_view> parts = absl::StrSplit(text, '/');
  if (parts.size() > 3) return error("more than os/arch/variant");
  for (absl::string_view part : parts) {
    if (!ValidComponent(part)) {
      return error("components must be non-empty [A-Za-z0-9_.-]");
    }
  }
  Platform platform;
  if (parts.size() == 1) {
    const std::string name = absl::AsciiStrToLower(parts[0]);
    const Platform host = HostPlatform();
    const Platform as_arch = NormalizePlatform({"", name, "", "", {}});
    if (Known(kKnownOs, name) || name == "macos") {
      platform = host;
      platform.os = name;
    } else if (Known(kKnownArch, as_arch.architecture)) {
      platform = as_arch;
      platform.os = host.os;
    } else {
      return error("unknown operating system or architecture");
    }
  } else {
    platform.os = std::string(parts[0]);
    platform.architecture = std::string(parts[1]);
    if (parts.size() == 3) platform.variant = std::string(parts[2]);
  }
  return NormalizePlatform(std::move(platform));
}

std::vector<Platform> CompatiblePlatforms(const Platform& wanted) {
  const Platform p = NormalizePlatform(wanted);
  std::vector<Platform> out = {p};
  const int n = VariantNumber(p.variant);
  if (p.architecture == "amd64") {
    // x86-64 microarchitecture levels: a v3 CPU runs v2 and baseline code.
    for (int v = n - 1; v >= 2; --v) {
      out.push_back(WithArch(p, "amd64", absl::StrCat("v", v)));
    }
    if (!p.variant.empty()) out.push_back(WithArch(p, "amd64", ""));
    out.push_back(WithArch(p, "386", ""));
  } else if (p.architecture == "arm") {
    for (int v = n - 1; v >= 5; --v) {
      out.push_back(WithArch(p, "arm", absl::StrCat("v", v)));
    }
  } else if (p.architecture == "arm64" && p.variant != "v8") {
    out.push_back(WithArch(p, "arm64", "v8"));
  }
  return out;
}

int PlatformRank(const Platform& wanted, const Platform& candidate) {
  const Platform c = NormalizePlatform(candidate);
  const std::vector<Platform> ranked = CompatiblePlatforms(wanted);
  for (size_t i = 0; i < ranked.size(); ++i) {
    if (ranked[i].os == c.os && ranked[i].architecture == c.architecture &&
        ranked[i].variant == c.variant) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

}  // namespace berth::imaged::registry
