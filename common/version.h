// Release and contract versions of this build.
#ifndef BERTH_COMMON_VERSION_H_
#define BERTH_COMMON_VERSION_H_

#include "berth/types/v1/types.pb.h"

namespace berth {

inline constexpr char kVersion[] = "0.1.0";
inline constexpr char kApiVersion[] = "v1";

// This build's version, compiler, platform and the running kernel.
types::v1::VersionInfo BuildVersionInfo();

}  // namespace berth

#endif  // BERTH_COMMON_VERSION_H_
