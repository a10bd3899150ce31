// The Go types behind Docker's JSON, as far as templates can tell them
// apart (see TemplateShapes in template.h): which fields are maps, with the
// kind of their values, and which are slices. Taken from Docker's API types
// (container.Config, HostConfig, NetworkSettings, image.InspectResponse,
// network and volume inspect, system info and version).
#include "ctl/cli/template.h"

namespace berth::ctl {

const TemplateShapes& TemplateShapes::Docker() {
  static const TemplateShapes* const kShapes = new TemplateShapes{
      {
          // map[string]string
          {"Labels", GoKind::kString},
          {"Options", GoKind::kString},
          {"DriverOpts", GoKind::kString},
          {"Sysctls", GoKind::kString},
          {"StorageOpt", GoKind::kString},
          {"Tmpfs", GoKind::kString},
          {"Annotations", GoKind::kString},
          {"Details", GoKind::kString},
          {"LogConfig.Config", GoKind::kString},
          {"GraphDriver.Data", GoKind::kString},
          {"AuxiliaryAddresses", GoKind::kString},
          // map[string]struct{}: Docker's sets
          {"Volumes", GoKind::kEmptyStruct},
          {"ExposedPorts", GoKind::kEmptyStruct},
          // map[nat.Port][]nat.PortBinding
          {"Ports", GoKind::kSlice},
          {"PortBindings", GoKind::kSlice},
          // maps of structs and pointers
          {"Networks", GoKind::kPointer},
          {"Containers", GoKind::kPointer},
          {"Runtimes", GoKind::kPointer},
          {"IndexConfigs", GoKind::kPointer},
          {"Status", GoKind::kInterface},
          {"Records", GoKind::kInterface},  // berth info
      },
      {
          "Args", "Aliases", "BlkioDeviceReadBps", "BlkioDeviceReadIOps",
          "BlkioDeviceWriteBps", "BlkioDeviceWriteIOps", "BlkioWeightDevice",
          "Binds", "CapAdd", "CapDrop", "Cmd", "Components", "ConsoleSize",
          "DeviceCgroupRules", "DeviceRequests", "Devices", "DNSNames", "Dns",
          "DnsOptions", "DnsSearch", "Entrypoint", "Env", "ExecIDs", "ExtraHosts",
          "GroupAdd", "IPAM.Config", "Layers", "Links", "Log", "MaskedPaths",
          "Mounts", "OnBuild", "ReadonlyPaths", "RepoDigests", "RepoTags",
          "SecondaryIPAddresses", "SecondaryIPv6Addresses", "SecurityOpt",
          "SecurityOptions", "Shell", "Test", "Ulimits", "VolumesFrom",
          "Warnings",
      },
  };
  return *kShapes;
}

}  // namespace berth::ctl
