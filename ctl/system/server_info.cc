#include "ctl/system/server_info.h"

#include <cctype>
#include <cstdint>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"

namespace berth::ctl {
namespace {

using nlohmann::ordered_json;

const ServiceReport* Answered(const std::vector<ServiceReport>& reports,
                              const std::string& service) {
  for (const ServiceReport& report : reports) {
    if (report.service == service && report.status.ok()) return &report;
  }
  return nullptr;
}

int64_t Count(const ServiceReport& report, const std::string& kind) {
  for (const auto& record : report.info.records()) {
    if (record.kind() == kind) return record.count();
  }
  return 0;
}

// go-units BytesSize: binary units with 4 significant digits ("23.47GiB").
std::string BytesSize(double size) {
  static const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  int unit = 0;
  while (size >= 1024 && unit < 5) {
    size /= 1024;
    ++unit;
  }
  return absl::StrCat(absl::StrFormat("%.4g", size), kUnits[unit]);
}

std::string Text(const ordered_json& value) {
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

}  // namespace

ordered_json ServerInfoJson(const std::vector<ServiceReport>& reports) {
  ordered_json server = ordered_json::object();
  const ServiceReport* containerd = Answered(reports, "containerd");
  const ServiceReport* imaged = Answered(reports, "imaged");
  if (containerd != nullptr) {
    const int64_t all = Count(*containerd, "containers");
    const int64_t running = Count(*containerd, "running");
    const int64_t paused = Count(*containerd, "paused");
    server["Containers"] = all;
    server["ContainersRunning"] = running;
    server["ContainersPaused"] = paused;
    server["ContainersStopped"] = all - running - paused;
  }
  if (imaged != nullptr) server["Images"] = Count(*imaged, "images");
  // Host facts: every service runs on the daemon's machine; the first that
  // answered speaks for it.
  const ServiceReport* any = nullptr;
  for (const ServiceReport& report : reports) {
    if (report.status.ok()) {
      any = &report;
      break;
    }
  }
  if (any == nullptr) return server;
  server["ServerVersion"] = any->version.version();
  ordered_json security = ordered_json::array();
  for (const ServiceReport* report : {imaged, containerd}) {
    if (report == nullptr) continue;
    for (const auto& fact : report->info.facts()) {
      if (fact.key() == "SecurityOptions") {
        security.push_back(fact.value());
      } else if (fact.key() == "BackingFilesystem") {
        server["DriverStatus"] =
            ordered_json::array({ordered_json::array({"Backing Filesystem", fact.value()})});
      } else {
        server[fact.key()] = fact.value();
      }
    }
  }
  if (containerd != nullptr) server["SecurityOptions"] = security;
  const types::v1::HostInfo& host = any->info.host();
  server["KernelVersion"] = host.kernel_version();
  server["OperatingSystem"] = host.operating_system();
  server["OSType"] = host.os_type();
  server["Architecture"] = host.architecture();
  server["NCPU"] = host.ncpu();
  server["MemTotal"] = host.mem_total();
  server["Name"] = host.name();
  // Each service keeps ROOT/<service>: the root is its parent.
  const std::string& root = any->info.root();
  server["DockerRootDir"] = root.substr(0, root.rfind('/'));
  return server;
}

std::string ServerInfoText(const ordered_json& server) {
  std::string out = "Server:\n";
  auto line = [&](int indent, const std::string& label, const std::string& key) {
    if (server.contains(key)) {
      absl::StrAppend(&out, std::string(indent, ' '), label, ": ",
                      Text(server[key]), "\n");
    }
  };
  line(1, "Containers", "Containers");
  line(2, "Running", "ContainersRunning");
  line(2, "Paused", "ContainersPaused");
  line(2, "Stopped", "ContainersStopped");
  line(1, "Images", "Images");
  line(1, "Server Version", "ServerVersion");
  line(1, "Storage Driver", "Driver");
  if (server.contains("DriverStatus")) {
    for (const auto& pair : server["DriverStatus"]) {
      absl::StrAppend(&out, "  ", Text(pair[0]), ": ", Text(pair[1]), "\n");
    }
  }
  line(1, "Logging Driver", "LoggingDriver");
  line(1, "Cgroup Driver", "CgroupDriver");
  line(1, "Cgroup Version", "CgroupVersion");
  line(1, "Default Runtime", "DefaultRuntime");
  if (server.contains("SecurityOptions")) {
    absl::StrAppend(&out, " Security Options:\n");
    // "name=seccomp,profile=builtin" prints as Docker does: the name, then
    // each other property capitalised beneath it.
    for (const auto& option : server["SecurityOptions"]) {
      const std::string text = Text(option);
      for (absl::string_view part : absl::StrSplit(text, ',')) {
        const size_t eq = part.find('=');
        if (eq == absl::string_view::npos) continue;
        std::string key(part.substr(0, eq));
        const std::string value(part.substr(eq + 1));
        if (key == "name") {
          absl::StrAppend(&out, "  ", value, "\n");
        } else {
          key[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(key[0])));
          absl::StrAppend(&out, "   ", key, ": ", value, "\n");
        }
      }
    }
  }
  line(1, "Kernel Version", "KernelVersion");
  line(1, "Operating System", "OperatingSystem");
  line(1, "OSType", "OSType");
  line(1, "Architecture", "Architecture");
  line(1, "CPUs", "NCPU");
  if (server.contains("MemTotal")) {
    absl::StrAppend(&out, " Total Memory: ",
                    BytesSize(server["MemTotal"].get<double>()), "\n");
  }
  line(1, "Name", "Name");
  line(1, "Berth Root Dir", "DockerRootDir");
  return out;
}

}  // namespace berth::ctl
