#include "ctl/system/server_info.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace berth::ctl {
namespace {

using ::testing::HasSubstr;

ServiceReport Report(const std::string& service) {
  ServiceReport report;
  report.service = service;
  report.version.set_version("0.1.0");
  report.info.set_root("/var/lib/berth/" + service);
  types::v1::HostInfo* host = report.info.mutable_host();
  host->set_kernel_version("6.1.0-18-amd64");
  host->set_operating_system("Debian GNU/Linux 12 (bookworm)");
  host->set_os_type("linux");
  host->set_architecture("x86_64");
  host->set_ncpu(2);
  host->set_mem_total(25202225152);
  host->set_name("node1");
  return report;
}

void Add(ServiceReport& report, const std::string& key, const std::string& value) {
  types::v1::InfoFact* fact = report.info.add_facts();
  fact->set_key(key);
  fact->set_value(value);
}

TEST(ServerInfoTest, DockersKeysAndText) {
  ServiceReport imaged = Report("imaged");
  auto* images = imaged.info.add_records();
  images->set_kind("images");
  images->set_count(4);
  Add(imaged, "Driver", "overlay2");
  Add(imaged, "BackingFilesystem", "extfs");
  ServiceReport containerd = Report("containerd");
  for (const auto& [kind, count] : {std::pair<const char*, int>{"containers", 3},
                                    {"running", 1}, {"paused", 1}}) {
    auto* record = containerd.info.add_records();
    record->set_kind(kind);
    record->set_count(count);
  }
  Add(containerd, "CgroupVersion", "2");
  Add(containerd, "SecurityOptions", "name=seccomp,profile=builtin");
  Add(containerd, "SecurityOptions", "name=cgroupns");
  ServiceReport netd;
  netd.service = "netd";
  netd.status = absl::UnavailableError("down");

  nlohmann::ordered_json server = ServerInfoJson({imaged, containerd, netd});
  EXPECT_EQ(server["Containers"], 3);
  EXPECT_EQ(server["ContainersRunning"], 1);
  EXPECT_EQ(server["ContainersPaused"], 1);
  EXPECT_EQ(server["ContainersStopped"], 1);
  EXPECT_EQ(server["Images"], 4);
  EXPECT_EQ(server["Driver"], "overlay2");
  EXPECT_EQ(server["DriverStatus"][0][1], "extfs");
  EXPECT_EQ(server["CgroupVersion"], "2");
  EXPECT_EQ(server["SecurityOptions"].size(), 2u);
  EXPECT_EQ(server["KernelVersion"], "6.1.0-18-amd64");
  EXPECT_EQ(server["NCPU"], 2);
  EXPECT_EQ(server["DockerRootDir"], "/var/lib/berth");

  const std::string text = ServerInfoText(server);
  EXPECT_THAT(text, HasSubstr("Server:\n Containers: 3\n  Running: 1\n  "
                              "Paused: 1\n  Stopped: 1\n Images: 4\n"));
  EXPECT_THAT(text, HasSubstr(" Storage Driver: overlay2\n  Backing Filesystem: extfs\n"));
  EXPECT_THAT(text, HasSubstr(" Security Options:\n  seccomp\n   Profile: builtin\n"
                              "  cgroupns\n"));
  EXPECT_THAT(text, HasSubstr(" Operating System: Debian GNU/Linux 12 (bookworm)\n"));
  EXPECT_THAT(text, HasSubstr(" Total Memory: 23.47GiB\n"));
}

}  // namespace
}  // namespace berth::ctl
