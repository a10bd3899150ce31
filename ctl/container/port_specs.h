// `-p/--publish` and `--expose` as Docker's CLI reads them
// (go-connections' nat.ParsePortSpec): pure.
#ifndef BERTH_CTL_CONTAINER_PORT_SPECS_H_
#define BERTH_CTL_CONTAINER_PORT_SPECS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "berth/types/v1/types.pb.h"

namespace berth::ctl {

// `[IP:][HOST_PORT:]CONTAINER_PORT[/PROTO]`, ports or equal-sized ranges
// ("8000-8002:8000-8002"), an IPv6 address in brackets; a missing host
// port is 0 (netd picks one). One binding per container port.
// INVALID_ARGUMENT in Docker's words ("invalid containerPort: x").
absl::StatusOr<std::vector<types::v1::PortBinding>> ParsePublish(
    const std::string& spec);

// `--expose PORT[-PORT][/PROTO]`: "80/tcp" entries.
absl::StatusOr<std::vector<std::string>> ParseExpose(const std::string& spec);

// "80/tcp" for a binding's container side.
std::string ExposedName(const types::v1::PortBinding& binding);

}  // namespace berth::ctl

#endif  // BERTH_CTL_CONTAINER_PORT_SPECS_H_
