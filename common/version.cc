#include "common/version.h"

#include <sys/utsname.h>

#include "absl/strings/str_cat.h"

namespace berth {
namespace {

const char* Arch() {
#if defined(__x86_64__)
  return "amd64";
#elif defined(__aarch64__)
  return "arm64";
#else
  return "unknown";
#endif
}

}  // namespace

types::v1::VersionInfo BuildVersionInfo() {
  types::v1::VersionInfo info;
  info.set_version(kVersion);
  info.set_api_version(kApiVersion);
#if defined(__clang__)
  info.set_compiler(absl::StrCat("clang ", __clang_version__));
#elif defined(__GNUC__)
  info.set_compiler(absl::StrCat("gcc ", __VERSION__));
#endif
  info.set_os("linux");
  info.set_arch(Arch());
  struct utsname uts;
  if (uname(&uts) == 0) info.set_kernel_version(uts.release);
  return info;
}

}  // namespace berth
