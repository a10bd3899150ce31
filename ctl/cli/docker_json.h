// Pieces of Docker's JSON and text output shared by the image and container
// commands.
#ifndef BERTH_CTL_CLI_DOCKER_JSON_H_
#define BERTH_CTL_CLI_DOCKER_JSON_H_

#include <string>

#include "berth/types/v1/types.pb.h"
#include "google/protobuf/map.h"
#include "nlohmann/json.hpp"

namespace berth::ctl {

// A string map as Docker marshals it: null when empty, keys sorted.
nlohmann::ordered_json MapOrNull(
    const google::protobuf::Map<std::string, std::string>& map);

}  // namespace berth::ctl

#endif  // BERTH_CTL_CLI_DOCKER_JSON_H_
