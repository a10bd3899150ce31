#include "ctl/container/update_flags.h"

#include <cstdint>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "ctl/container/container_args.h"

namespace berth::ctl {
namespace {

// pflag's Uint16: strconv.ParseUint's words.
absl::StatusOr<uint32_t> ParseUint16Flag(absl::string_view flag,
                                         absl::string_view value) {
  uint64_t parsed = 0;
  bool digits = !value.empty();
  for (char c : value) digits &= c >= '0' && c <= '9';
  if (!digits || !absl::SimpleAtoi(value, &parsed)) {
    const bool huge = digits;  // all digits, yet no uint64: too large
    return FlagValueError(
        flag, value,
        absl::StrCat("strconv.ParseUint: parsing \"", value, "\": ",
                     huge ? "value out of range" : "invalid syntax"));
  }
  if (parsed > 65535) {
    return FlagValueError(flag, value,
                          absl::StrCat("strconv.ParseUint: parsing \"", value,
                                       "\": value out of range"));
  }
  return static_cast<uint32_t>(parsed);
}

// opts.MemBytes and opts.MemSwapBytes ("-1": unlimited swap).
absl::StatusOr<int64_t> ParseBytesFlag(absl::string_view flag,
                                       absl::string_view value,
                                       bool minus_one) {
  if (minus_one && value == "-1") return -1;
  absl::StatusOr<int64_t> bytes = ParseRamBytes(value);
  if (!bytes.ok()) return FlagValueError(flag, value, bytes.status().message());
  return bytes;
}

}  // namespace

absl::StatusOr<container::v1::Resources> ParseUpdateResources(
    const UpdateFlags& flags) {
  container::v1::Resources r;
  if (flags.blkio_weight) {
    absl::StatusOr<uint32_t> weight =
        ParseUint16Flag("--blkio-weight", *flags.blkio_weight);
    if (!weight.ok()) return weight.status();
    r.set_blkio_weight(*weight);
  }
  struct IntFlag {
    const std::optional<std::string>& value;
    const char* name;
    void (container::v1::Resources::*set)(int64_t);
  };
  for (const IntFlag& flag :
       {IntFlag{flags.cpu_period, "--cpu-period",
                &container::v1::Resources::set_cpu_period},
        IntFlag{flags.cpu_quota, "--cpu-quota",
                &container::v1::Resources::set_cpu_quota},
        IntFlag{flags.cpu_shares, "-c, --cpu-shares",
                &container::v1::Resources::set_cpu_shares},
        IntFlag{flags.pids_limit, "--pids-limit",
                &container::v1::Resources::set_pids_limit}}) {
    if (!flag.value) continue;
    absl::StatusOr<int64_t> parsed = ParseIntFlag(flag.name, *flag.value);
    if (!parsed.ok()) return parsed.status();
    (r.*flag.set)(*parsed);
  }
  if (flags.cpus) {
    absl::StatusOr<int64_t> nanos = ParseNanoCpus(*flags.cpus);
    if (!nanos.ok()) {
      return FlagValueError("--cpus", *flags.cpus, nanos.status().message());
    }
    r.set_nano_cpus(*nanos);
  }
  if (flags.cpuset_cpus) r.set_cpuset_cpus(*flags.cpuset_cpus);
  if (flags.cpuset_mems) r.set_cpuset_mems(*flags.cpuset_mems);
  struct BytesFlag {
    const std::optional<std::string>& value;
    const char* name;
    bool minus_one;
    void (container::v1::Resources::*set)(int64_t);
  };
  for (const BytesFlag& flag :
       {BytesFlag{flags.memory, "-m, --memory", false,
                  &container::v1::Resources::set_memory},
        BytesFlag{flags.memory_reservation, "--memory-reservation", false,
                  &container::v1::Resources::set_memory_reservation},
        BytesFlag{flags.memory_swap, "--memory-swap", true,
                  &container::v1::Resources::set_memory_swap}}) {
    if (!flag.value) continue;
    absl::StatusOr<int64_t> bytes =
        ParseBytesFlag(flag.name, *flag.value, flag.minus_one);
    if (!bytes.ok()) return bytes.status();
    (r.*flag.set)(*bytes);
  }
  return r;
}

}  // namespace berth::ctl
