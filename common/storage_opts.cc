#include "common/storage_opts.h"

#include <cctype>
#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace berth {

absl::StatusOr<int64_t> ParseRamBytes(absl::string_view value) {
  const absl::Status invalid =
      absl::InvalidArgumentError(absl::StrCat("invalid size: '", value, "'"));
  // ^(\d+(\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$
  size_t i = 0;
  auto digits = [&] {
    const size_t start = i;
    while (i < value.size() && std::isdigit(static_cast<unsigned char>(value[i])))
      ++i;
    return i > start;
  };
  if (!digits()) return invalid;
  while (i < value.size() && value[i] == '.') {
    ++i;
    if (!digits()) return invalid;
  }
  const absl::string_view number = value.substr(0, i);
  if (i < value.size() && value[i] == ' ') ++i;
  int shift = 0;
  if (i < value.size()) {
    const char unit = absl::ascii_tolower(value[i]);
    static constexpr absl::string_view kUnits = "kmgtp";
    const size_t index = kUnits.find(unit);
    if (index != absl::string_view::npos) {
      shift = static_cast<int>(10 * (index + 1));
      ++i;
    }
  }
  if (i < value.size() && absl::ascii_tolower(value[i]) == 'i') ++i;
  if (i < value.size() && absl::ascii_tolower(value[i]) == 'b') ++i;
  if (i != value.size()) return invalid;
  double size = 0;
  if (!absl::SimpleAtod(number, &size)) return invalid;
  const double bytes = size * std::ldexp(1.0, shift);
  if (bytes >= 9.2233720368547758e18) return invalid;
  return static_cast<int64_t>(bytes);
}

absl::Status ApplyStorageOpt(absl::string_view key, absl::string_view value,
                             StorageLimits* limits) {
  if (absl::AsciiStrToLower(key) != "size") {
    return absl::InvalidArgumentError(absl::StrCat(
        "unknown storage option \"", key, "\": the only one is size"));
  }
  absl::StatusOr<int64_t> bytes = ParseRamBytes(value);
  if (!bytes.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid storage option size \"", value, "\": ", bytes.status().message(),
        " (use bytes or a unit: 512k, 20m, 10G)"));
  }
  if (*bytes <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid storage option size \"", value,
        "\": the writable layer's limit must be at least 1 byte"));
  }
  limits->size_bytes = static_cast<uint64_t>(*bytes);
  return absl::OkStatus();
}

std::optional<uint32_t> ParseOctalMode(absl::string_view value) {
  if (value.empty() || value.size() > 11) return std::nullopt;
  uint64_t mode = 0;
  for (char c : value) {
    if (c < '0' || c > '7') return std::nullopt;
    mode = mode * 8 + static_cast<uint64_t>(c - '0');
  }
  if (mode > 0xffffffffu) return std::nullopt;
  return static_cast<uint32_t>(mode);
}

absl::StatusOr<types::v1::Mount> ParseTmpfsSpec(absl::string_view value) {
  using types::v1::Mount;
  std::pair<absl::string_view, absl::string_view> parts =
      absl::StrSplit(value, absl::MaxSplits(':', 1));
  if (!absl::StartsWith(parts.first, "/")) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid mount path: '", parts.first, "' mount path must be absolute"));
  }
  Mount mount;
  mount.set_type(Mount::TYPE_TMPFS);
  mount.set_target(std::string(parts.first));
  Mount::TmpfsOptions* tmpfs = mount.mutable_tmpfs_options();
  for (absl::string_view option :
       absl::StrSplit(parts.second, ',', absl::SkipEmpty())) {
    std::pair<absl::string_view, absl::string_view> kv =
        absl::StrSplit(option, absl::MaxSplits('=', 1));
    if (kv.first == "size" && absl::EndsWith(kv.second, "%")) {
      // A share of RAM, which the kernel's tmpfs takes as is (Docker passes
      // it through).
      int64_t percent = 0;
      if (!absl::SimpleAtoi(kv.second.substr(0, kv.second.size() - 1), &percent) ||
          percent <= 0) {
        return absl::InvalidArgumentError(
            absl::StrCat("invalid size: '", kv.second, "'"));
      }
      tmpfs->add_options(std::string(option));
    } else if (kv.first == "size") {
      absl::StatusOr<int64_t> bytes = ParseRamBytes(kv.second);
      if (!bytes.ok()) return bytes.status();
      tmpfs->set_size_bytes(*bytes);
    } else if (kv.first == "mode") {
      std::optional<uint32_t> mode = ParseOctalMode(kv.second);
      if (!mode.has_value() || *mode > 07777) {
        return absl::InvalidArgumentError(absl::StrCat(
            "invalid tmpfs mode: '", kv.second, "' (an octal mode such as 1777)"));
      }
      tmpfs->set_mode(*mode);
    } else if (option == "ro") {
      mount.set_read_only(true);
    } else if (option != "rw") {
      tmpfs->add_options(std::string(option));
    }
  }
  return mount;
}

}  // namespace berth
