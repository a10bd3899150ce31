// The cpu.shares (v1) to cpu.weight (v2) mapping.
#include <cmath>
#include <cstdint>
#include <limits>

#include "services/containerd/cgroups/cgroups.h"

namespace berth::containerd::cgroups {
int64_t CpuSharesToWeight(int64_t shares) {
  if (shares <= 0) return 0;
  if (shares <= 2) return 1;
  if (shares >= 262144) return 10000;
  // log10(weight) is a quadratic in log2(shares) through (2, 1),
  // (1024, 100) and (262144, 10000).
  double l = std::log2(static_cast<double>(shares));
  double exponent = (l * l + 125 * l) / 612.0 - 7.0 / 34.0;
  // Absorb rounding error so exact points (1024 -> 100) do not round up.
  return static_cast<int64_t>(std::ceil(std::pow(10.0, exponent) - 1e-9));
}

}  // namespace berth::containerd::cgroups
