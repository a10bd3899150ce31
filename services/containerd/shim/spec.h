// The shim's spec: shim::v1::Spec (proto/berth/shim/v1/spec.proto) is its
// only form. containerd fills it (container_spec_builder.cc BuildShimSpec)
// and writes it serialized to STATE_DIR/shim.pb; berth-shim parses it and
// uses the message as is. The generated code is protobuf's lite runtime,
// which keeps the static shim small.
#ifndef BERTH_SERVICES_CONTAINERD_SHIM_SPEC_H_
#define BERTH_SERVICES_CONTAINERD_SHIM_SPEC_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "berth/shim/v1/spec.pb.h"

namespace berth::containerd::shim {

using ShimSpec = ::berth::shim::v1::Spec;

// INVALID_ARGUMENT naming the first missing or unusable field. The
// confinement fails closed: a field it lacks (privileged, capabilities,
// no_new_privileges, seccomp mode, masked or read-only paths) is an error,
// never a default, as are a missing id, paths, command, network mode or
// cgroup parent.
absl::Status ValidateShimSpec(const ShimSpec& spec);

std::string SerializeShimSpec(const ShimSpec& spec);
// Parses and validates.
absl::StatusOr<ShimSpec> ParseShimSpec(absl::string_view bytes);

}  // namespace berth::containerd::shim

#endif  // BERTH_SERVICES_CONTAINERD_SHIM_SPEC_H_
