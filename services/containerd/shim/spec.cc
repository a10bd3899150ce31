#include "services/containerd/shim/spec.h"

#include "absl/strings/str_cat.h"

namespace berth::containerd::shim {
namespace {

absl::Status Missing(absl::string_view field) {
  return absl::InvalidArgumentError(
      absl::StrCat("shim spec: ", field, " is missing"));
}

}  // namespace

absl::Status ValidateShimSpec(const ShimSpec& spec) {
  if (spec.id().empty()) return Missing("id");
  if (spec.state_dir().empty()) return Missing("state_dir");
  if (spec.socket_path().empty()) return Missing("socket_path");
  if (spec.rootfs_dir().empty()) return Missing("rootfs_dir");
  if (spec.args().empty()) return Missing("args (the command)");
  if (spec.cgroup_parent().empty()) return Missing("cgroup_parent");
  if (spec.network_mode() != ::berth::shim::v1::NETWORK_MODE_NONE &&
      spec.network_mode() != ::berth::shim::v1::NETWORK_MODE_HOST &&
      spec.network_mode() != ::berth::shim::v1::NETWORK_MODE_PATH) {
    return Missing("network_mode");
  }
  if ((spec.network_mode() == ::berth::shim::v1::NETWORK_MODE_PATH) !=
      !spec.netns_path().empty()) {
    return absl::InvalidArgumentError(
        "the shim spec's netns_path goes with network_mode PATH, and only "
        "with it");
  }
  if (spec.root_propagation() == ::berth::shim::v1::PROPAGATION_UNSPECIFIED) {
    return Missing("root_propagation");
  }
  if (!spec.has_confinement()) return Missing("confinement");
  const ::berth::shim::v1::Confinement& confinement = spec.confinement();
  if (!confinement.has_privileged()) return Missing("confinement.privileged");
  if (!confinement.has_capabilities()) {
    return Missing("confinement.capabilities");
  }
  if (!confinement.has_no_new_privileges()) {
    return Missing("confinement.no_new_privileges");
  }
  switch (confinement.seccomp()) {
    case ::berth::shim::v1::SECCOMP_MODE_DEFAULT:
    case ::berth::shim::v1::SECCOMP_MODE_COMPILED:
    case ::berth::shim::v1::SECCOMP_MODE_UNCONFINED:
      break;
    case ::berth::shim::v1::SECCOMP_MODE_PROFILE:
      if (confinement.seccomp_profile_json().empty()) {
        return Missing("confinement.seccomp_profile_json");
      }
      break;
    default:
      return Missing("confinement.seccomp (the seccomp mode)");
  }
  if (!confinement.has_masked_paths()) {
    return Missing("confinement.masked_paths");
  }
  if (!confinement.has_readonly_paths()) {
    return Missing("confinement.readonly_paths");
  }
  return absl::OkStatus();
}

std::string SerializeShimSpec(const ShimSpec& spec) {
  return spec.SerializeAsString();
}

absl::StatusOr<ShimSpec> ParseShimSpec(absl::string_view bytes) {
  ShimSpec spec;
  if (!spec.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::InvalidArgumentError("shim spec: not a berth.shim.v1.Spec");
  }
  absl::Status valid = ValidateShimSpec(spec);
  if (!valid.ok()) return valid;
  return spec;
}

}  // namespace berth::containerd::shim
