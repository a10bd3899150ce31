#include "services/containerd/device_mappings.h"

#include <dirent.h>
#include <sys/stat.h>

#include <cerrno>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "services/containerd/cgroups/device_filter.h"

namespace berth::containerd {
namespace {

std::string PermissionsOf(const container::v1::DeviceMapping& device) {
  return device.cgroup_permissions().empty() ? "rwm" : device.cgroup_permissions();
}

std::string ContainerPathOf(const container::v1::DeviceMapping& device) {
  return device.path_in_container().empty() ? device.path_on_host()
                                            : device.path_in_container();
}

bool IsDirectory(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// The device nodes below `host_dir`, mapped below `container_dir`.
absl::Status AddNodesBelow(const std::string& host_dir,
                           const std::string& container_dir,
                           const std::string& permissions, int depth,
                           std::vector<::berth::shim::v1::Device>* devices) {
  if (depth > 8) return absl::OkStatus();
  DIR* dir = opendir(host_dir.c_str());
  if (dir == nullptr) return ErrnoStatus(errno, "opendir", host_dir);
  std::vector<std::string> names;
  while (struct dirent* entry = readdir(dir)) {
    const std::string name = entry->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  closedir(dir);
  for (const std::string& name : names) {
    const std::string host = absl::StrCat(host_dir, "/", name);
    const std::string inside = absl::StrCat(container_dir, "/", name);
    struct stat st;
    if (lstat(host.c_str(), &st) != 0) continue;  // gone meanwhile
    if (S_ISDIR(st.st_mode)) {
      RETURN_IF_ERROR(AddNodesBelow(host, inside, permissions, depth + 1, devices));
    } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
      ::berth::shim::v1::Device* device = &devices->emplace_back();
      device->set_path_on_host(host);
      device->set_path_in_container(inside);
      device->set_permissions(permissions);
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateDevices(const container::v1::HostConfig& host) {
  for (const container::v1::DeviceMapping& device : host.devices()) {
    const std::string& inside = device.path_in_container();
    if (!inside.empty() && inside[0] != '/') {
      return absl::InvalidArgumentError(absl::StrCat(
          "invalid --device \"", device.path_on_host(), ":", inside,
          "\": the path in the container must be absolute"));
    }
    if (IsDirectory(device.path_on_host())) {
      // Its nodes are read at each start; the permissions still must be
      // good ones.
      const std::string permissions = PermissionsOf(device);
      if (permissions.find_first_not_of("rwm") != std::string::npos) {
        return absl::InvalidArgumentError(
            absl::StrCat("invalid device mode: ", permissions));
      }
      continue;
    }
    RETURN_IF_ERROR(
        cgroups::DeviceRuleFor(device.path_on_host(), PermissionsOf(device))
            .status());
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<::berth::shim::v1::Device>> ShimDevicesOf(
    const container::v1::HostConfig& host) {
  std::vector<::berth::shim::v1::Device> devices;
  for (const container::v1::DeviceMapping& device : host.devices()) {
    if (IsDirectory(device.path_on_host())) {
      RETURN_IF_ERROR(AddNodesBelow(device.path_on_host(), ContainerPathOf(device),
                                    PermissionsOf(device), 0, &devices));
      continue;
    }
    ::berth::shim::v1::Device* to = &devices.emplace_back();
    to->set_path_on_host(device.path_on_host());
    to->set_path_in_container(ContainerPathOf(device));
    to->set_permissions(PermissionsOf(device));
  }
  return devices;
}

}  // namespace berth::containerd
