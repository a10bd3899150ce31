#include "services/volumed/volume_records.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/proto_util.h"

namespace berth::volumed {

using volume::v1::Volume;

namespace {

constexpr size_t kMaxNameLength = 255;

bool IsNameChar(char c) {
  return absl::ascii_isalnum(c) || c == '_' || c == '.' || c == '-';
}

template <typename Values, typename Pred>
bool AnyOrEmpty(const Values& values, Pred pred) {
  return values.empty() || std::any_of(values.begin(), values.end(), pred);
}

}  // namespace

Table<Volume> VolumesTable() {
  return Table<Volume>("volumes", [](const Volume& v) { return v.name(); });
}

StoreSchema VolumedSchema() {
  return StoreSchema{/*version=*/1, {VolumesTable().schema()}};
}

absl::Status ValidateVolumeName(const std::string& name) {
  if (name.size() > kMaxNameLength) {
    return absl::InvalidArgumentError(absl::StrCat(
        "create ", name.substr(0, 32), "...: volume name is too long (",
        name.size(), " characters, at most ", kMaxNameLength, ")"));
  }
  const bool valid = !name.empty() && absl::ascii_isalnum(name[0]) &&
                     std::all_of(name.begin(), name.end(), IsNameChar);
  if (valid) return absl::OkStatus();
  std::string message = absl::StrCat(
      "create ", name, ": \"", name,
      "\" includes invalid characters for a local volume name, only "
      "\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed");
  // Docker's hint: `-v ./dir:/x` or `-v dir/sub:/x` meant a bind mount.
  if (absl::StrContains(name, '/')) {
    absl::StrAppend(&message,
                    ". If you intended to pass a host directory, use absolute "
                    "path");
  }
  return absl::InvalidArgumentError(message);
}

absl::Status ValidateContainerId(const std::string& id) {
  if (!id.empty() && std::all_of(id.begin(), id.end(), IsNameChar)) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      absl::StrCat("invalid container id \"", id, "\""));
}

bool AddUser(Volume& volume, const std::string& container_id) {
  auto* users = volume.mutable_used_by();
  auto it = std::lower_bound(users->begin(), users->end(), container_id);
  if (it != users->end() && *it == container_id) return false;
  // RepeatedPtrField has no insert: append, then rotate into place.
  const int index = static_cast<int>(it - users->begin());
  users->Add(std::string(container_id));
  for (int i = users->size() - 1; i > index; --i) users->SwapElements(i, i - 1);
  volume.mutable_usage()->set_ref_count(users->size());
  return true;
}

bool RemoveUser(Volume& volume, const std::string& container_id) {
  auto* users = volume.mutable_used_by();
  auto it = std::lower_bound(users->begin(), users->end(), container_id);
  if (it == users->end() || *it != container_id) return false;
  users->erase(it);
  volume.mutable_usage()->set_ref_count(users->size());
  return true;
}

bool HoldsVolume(const Volume& volume, const std::string& container_id) {
  return std::binary_search(volume.used_by().begin(), volume.used_by().end(),
                            container_id);
}

bool MatchesVolumeFilter(const Volume& volume,
                         const volume::v1::VolumeFilter& filter) {
  if (filter.has_dangling() && filter.dangling() != volume.used_by().empty()) {
    return false;
  }
  if (filter.has_anonymous() && filter.anonymous() != volume.anonymous()) {
    return false;
  }
  if (!AnyOrEmpty(filter.names(), [&](const std::string& name) {
        return absl::StrContains(volume.name(), name);
      })) {
    return false;
  }
  if (!AnyOrEmpty(filter.drivers(), [&](const std::string& driver) {
        return driver == volume.driver();
      })) {
    return false;
  }
  return MatchesLabels(volume.labels(), filter.labels());
}

bool PrunesVolume(const Volume& volume, bool all,
                  const types::v1::PruneFilter& filter) {
  if (!volume.used_by().empty()) return false;
  if (!all && !volume.anonymous()) return false;
  if (filter.has_until() &&
      FromTimestamp(volume.created()) >= FromTimestamp(filter.until())) {
    return false;
  }
  return MatchesLabels(volume.labels(), filter.labels());
}

absl::Status InUseError(const Volume& volume) {
  return absl::FailedPreconditionError(
      absl::StrCat("remove ", volume.name(), ": volume is in use - [",
                   absl::StrJoin(volume.used_by(), ", "), "]"));
}

}  // namespace berth::volumed
