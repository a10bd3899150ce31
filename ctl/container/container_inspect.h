// `berth inspect` of a container: containerd's Container record as Docker's
// ContainerJSON (same keys, order, nulls and time spellings), so that
// `-f '{{.State.Status}}'` and tools reading Docker's JSON work unchanged.
#ifndef BERTH_CTL_CONTAINER_CONTAINER_INSPECT_H_
#define BERTH_CTL_CONTAINER_CONTAINER_INSPECT_H_

#include "berth/container/v1/container_types.pb.h"
#include "nlohmann/json.hpp"

namespace berth::ctl {

nlohmann::ordered_json ContainerInspectJson(
    const container::v1::Container& container);

}  // namespace berth::ctl

#endif  // BERTH_CTL_CONTAINER_CONTAINER_INSPECT_H_
