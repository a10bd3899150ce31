// Constructors of the real drivers, used by DetectCgroupDriver. Internal.
#ifndef BERTH_SERVICES_CONTAINERD_CGROUPS_DRIVERS_H_
#define BERTH_SERVICES_CONTAINERD_CGROUPS_DRIVERS_H_

#include <map>
#include <memory>
#include <string>

#include "services/containerd/cgroups/cgroups.h"

namespace berth::containerd::cgroups::internal {

// `hierarchies` maps a v1 controller name ("memory") to the root of the
// hierarchy holding it ("/sys/fs/cgroup/memory"); co-mounted controllers map
// to the same root.
std::unique_ptr<CgroupDriver> NewV1Driver(
    std::string parent, std::map<std::string, std::string> hierarchies);

// `root` is the cgroup2 mount.
std::unique_ptr<CgroupDriver> NewV2Driver(std::string parent, std::string root);

}  // namespace berth::containerd::cgroups::internal

#endif  // BERTH_SERVICES_CONTAINERD_CGROUPS_DRIVERS_H_
