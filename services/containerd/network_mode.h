// A container's network mode as a typed value, parsed once from Docker's
// HostConfig.NetworkMode string ("none", "host", "bridge",
// "container:NAME", a network's name, or ""/"default" for the daemon's
// default) instead of strings compared wherever it matters.
#ifndef BERTH_SERVICES_CONTAINERD_NETWORK_MODE_H_
#define BERTH_SERVICES_CONTAINERD_NETWORK_MODE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace berth::containerd {

struct NetworkMode {
  enum class Kind {
    kNone,       // its own network namespace with only loopback
    kHost,       // the host's network namespace
    kBridge,     // the default bridge network
    kContainer,  // another container's namespace (`name` names it)
    kNetwork,    // a user-defined network (`name`)
  };
  Kind kind = Kind::kNone;
  std::string name;

  bool IsHost() const { return kind == Kind::kHost; }
  // Whether the container gets a network namespace of its own.
  bool OwnNamespace() const {
    return kind != Kind::kHost && kind != Kind::kContainer;
  }
  // Docker's string: "none", "host", "bridge", "container:NAME", NAME.
  std::string ToString() const;
};

// Parses Docker's string; "" and "default" are the daemon's default mode,
// the default bridge (as Docker's). INVALID_ARGUMENT for
// "container:" without a name.
absl::StatusOr<NetworkMode> ParseNetworkMode(absl::string_view mode);

}  // namespace berth::containerd

#endif  // BERTH_SERVICES_CONTAINERD_NETWORK_MODE_H_
