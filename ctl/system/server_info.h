// The "Server" part of `berth info`: what `docker info` reports of the
// daemon and its host, gathered from the services' Info answers, under
// Docker's JSON keys so `info --format '{{.KernelVersion}}'` scripts work.
#ifndef BERTH_CTL_SYSTEM_SERVER_INFO_H_
#define BERTH_CTL_SYSTEM_SERVER_INFO_H_

#include <string>
#include <vector>

#include "ctl/system/system_client.h"
#include "nlohmann/json.hpp"

namespace berth::ctl {

// Docker's keys: Containers, ContainersRunning, ContainersPaused,
// ContainersStopped, Images, ServerVersion, Driver, DriverStatus,
// LoggingDriver, CgroupDriver, CgroupVersion, DefaultRuntime,
// SecurityOptions, KernelVersion, OperatingSystem, OSType, Architecture,
// NCPU, MemTotal, Name, DockerRootDir. Facts of a service that did not
// answer are left out.
nlohmann::ordered_json ServerInfoJson(const std::vector<ServiceReport>& reports);

// The same as `docker info` prints its Server section.
std::string ServerInfoText(const nlohmann::ordered_json& server);

}  // namespace berth::ctl

#endif  // BERTH_CTL_SYSTEM_SERVER_INFO_H_
