#include "services/containerd/network_mode.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace berth::containerd {

std::string NetworkMode::ToString() const {
  switch (kind) {
    case Kind::kNone: return "none";
    case Kind::kHost: return "host";
    case Kind::kBridge: return "bridge";
    case Kind::kContainer: return absl::StrCat("container:", name);
    case Kind::kNetwork: return name;
  }
  return "none";
}

absl::StatusOr<NetworkMode> ParseNetworkMode(absl::string_view mode) {
  NetworkMode parsed;
  if (mode == "none") {
    parsed.kind = NetworkMode::Kind::kNone;
  } else if (mode.empty() || mode == "default" || mode == "bridge") {
    parsed.kind = NetworkMode::Kind::kBridge;
  } else if (mode == "host") {
    parsed.kind = NetworkMode::Kind::kHost;
  } else if (absl::ConsumePrefix(&mode, "container:")) {
    if (mode.empty()) {
      return absl::InvalidArgumentError(
          "invalid network mode \"container:\": name the container, as in "
          "--network container:web");
    }
    parsed.kind = NetworkMode::Kind::kContainer;
    parsed.name = std::string(mode);
  } else {
    parsed.kind = NetworkMode::Kind::kNetwork;
    parsed.name = std::string(mode);
  }
  return parsed;
}

}  // namespace berth::containerd
