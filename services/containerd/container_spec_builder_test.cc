#include "services/containerd/container_spec_builder.h"

#include <signal.h>

#include <set>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace berth::containerd {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

image::v1::PrepareRootfsResponse ImageWith(std::vector<std::string> entrypoint,
                                           std::vector<std::string> cmd) {
  image::v1::PrepareRootfsResponse rootfs;
  rootfs.mutable_rootfs()->set_image_id("sha256:abc");
  for (auto& part : entrypoint) rootfs.mutable_config()->add_entrypoint(part);
  for (auto& part : cmd) rootfs.mutable_config()->add_cmd(part);
  rootfs.mutable_config()->add_env("PATH=/bin");
  rootfs.mutable_config()->add_env("A=image");
  rootfs.mutable_config()->set_working_dir("/srv");
  (*rootfs.mutable_config()->mutable_labels())["from"] = "image";
  return rootfs;
}

const ContainerPaths kPaths{"/state/c1", "/run/shims/c1.sock"};
const std::string kId(64, 'a');

absl::StatusOr<container::v1::Container> Make(
    const container::v1::CreateContainerRequest& request,
    const image::v1::PrepareRootfsResponse& rootfs) {
  return NewContainer(request, rootfs, kId, "web", kPaths, absl::Now(), "host");
}

TEST(NewContainerTest, ImageDefaultsFillTheConfig) {
  container::v1::CreateContainerRequest request;
  request.mutable_config()->set_image("busybox");
  request.mutable_config()->add_env("A=mine");
  auto c = Make(request, ImageWith({}, {"sh", "-c", "true"}));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->path(), "sh");
  EXPECT_THAT(c->args(), ElementsAre("-c", "true"));
  EXPECT_THAT(c->config().env(), ElementsAre("PATH=/bin", "A=mine"));
  EXPECT_EQ(c->config().working_dir(), "/srv");
  EXPECT_EQ(c->config().hostname(), kId.substr(0, 12));
  EXPECT_EQ(c->config().labels().at("from"), "image");
  EXPECT_EQ(c->host_config().network_mode(), "bridge");  // Docker's default
  EXPECT_EQ(c->log_path(), "/state/c1/" + kId + "-json.log");
  EXPECT_EQ(c->state().status(), container::v1::CONTAINER_STATUS_CREATED);
  EXPECT_EQ(c->image_id(), "sha256:abc");
}

// The container's entries replace the image's by name, in the image's
// place; new names follow in order, a repeated one keeps its last value.
TEST(NewContainerTest, EnvMergesByName) {
  container::v1::CreateContainerRequest request;
  request.mutable_config()->set_image("x");
  for (const char* entry : {"C=1", "A=mine", "C=2", "PATH=/usr/bin"}) {
    request.mutable_config()->add_env(entry);
  }
  auto c = Make(request, ImageWith({}, {"sh"}));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_THAT(c->config().env(), ElementsAre("PATH=/usr/bin", "A=mine", "C=2"));
}

// An --env-file of 200k variables: merged in linear time. The quadratic
// merge this replaced needed far longer than this small test's timeout.
TEST(NewContainerTest, HugeEnvMergesInLinearTime) {
  container::v1::CreateContainerRequest request;
  request.mutable_config()->set_image("x");
  constexpr int kCount = 200000;
  for (int i = 0; i < kCount; ++i) {
    request.mutable_config()->add_env(absl::StrCat("VAR_", i, "=", i));
  }
  request.mutable_config()->add_env("A=last");
  auto c = Make(request, ImageWith({}, {"sh"}));
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->config().env_size(), kCount + 2);
  EXPECT_EQ(c->config().env(0), "PATH=/bin");
  EXPECT_EQ(c->config().env(1), "A=last");
  EXPECT_EQ(c->config().env(kCount + 1), absl::StrCat("VAR_", kCount - 1, "=",
                                                      kCount - 1));
}

TEST(NewContainerTest, RecordsTheOverlayImagedPrepared) {
  container::v1::CreateContainerRequest request;
  request.mutable_config()->set_image("x");
  image::v1::PrepareRootfsResponse rootfs = ImageWith({}, {"sh"});
  image::v1::OverlayMount* mount = rootfs.mutable_rootfs()->mutable_mount();
  mount->add_lower_dirs("/l/2");
  mount->add_lower_dirs("/l/1");
  mount->set_upper_dir("/s/upper");
  mount->set_work_dir("/s/work");
  mount->set_options("lowerdir=/l/2:/l/1,upperdir=/s/upper,workdir=/s/work");
  auto c = Make(request, rootfs);
  ASSERT_TRUE(c.ok()) << c.status();
  const container::v1::GraphDriver& graph = c->graph_driver();
  EXPECT_THAT(graph.lower_dirs(), ElementsAre("/l/2", "/l/1"));
  EXPECT_EQ(graph.upper_dir(), "/s/upper");
  EXPECT_EQ(graph.work_dir(), "/s/work");
  EXPECT_EQ(graph.merged_dir(), "/state/c1/rootfs");
  EXPECT_EQ(graph.mount_options(), mount->options());
}

TEST(NewContainerTest, EntrypointOverrideDropsTheImageCmd) {
  container::v1::CreateContainerRequest request;
  request.mutable_config()->set_image("x");
  request.mutable_config()->mutable_entrypoint()->add_values("/bin/echo");
  auto c = Make(request, ImageWith({"/init"}, {"serve"}));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->path(), "/bin/echo");
  EXPECT_THAT(c->args(), IsEmpty());

  request.mutable_config()->mutable_cmd()->add_values("hi");
  c = Make(request, ImageWith({"/init"}, {"serve"}));
  ASSERT_TRUE(c.ok());
  EXPECT_THAT(c->args(), ElementsAre("hi"));
}

TEST(NewContainerTest, CmdAppendsToTheImageEntrypoint) {
  container::v1::CreateContainerRequest request;
  request.mutable_config()->set_image("x");
  request.mutable_config()->mutable_cmd()->add_values("--flag");
  auto c = Make(request, ImageWith({"/init"}, {"serve"}));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->path(), "/init");
  EXPECT_THAT(c->args(), ElementsAre("--flag"));
}

TEST(NewContainerTest, NoCommandAndRelativeWorkdirAreRejected) {
  container::v1::CreateContainerRequest request;
  request.mutable_config()->set_image("x");
  auto c = Make(request, ImageWith({}, {}));
  EXPECT_TRUE(absl::IsInvalidArgument(c.status()));
  EXPECT_THAT(std::string(c.status().message()), HasSubstr("no command"));
  request.mutable_config()->set_working_dir("rel");
  c = Make(request, ImageWith({}, {"sh"}));
  EXPECT_THAT(std::string(c.status().message()), HasSubstr("absolute path"));
}

TEST(NewContainerTest, AcceptsEveryStopSignalImagedAccepts) {
  // imaged takes STOPSIGNAL SIGRTMIN+3 (as Docker does): creating a
  // container from such an image must work too.
  container::v1::CreateContainerRequest request;
  request.mutable_config()->set_image("x");
  image::v1::PrepareRootfsResponse rootfs = ImageWith({}, {"sh"});
  rootfs.mutable_config()->set_stop_signal("SIGRTMIN+3");
  auto c = Make(request, rootfs);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->config().stop_signal(), "SIGRTMIN+3");
  request.mutable_config()->set_stop_signal("SIGNOPE");
  EXPECT_THAT(std::string(Make(request, rootfs).status().message()),
              HasSubstr("Invalid signal: SIGNOPE"));
}

TEST(ValidateHostConfigTest, RejectsWhatDockerRejects) {
  container::v1::HostConfig host;
  EXPECT_TRUE(ValidateHostConfig(host).ok());
  host.mutable_resources()->set_memory(1024);
  EXPECT_THAT(std::string(ValidateHostConfig(host).status().message()),
              HasSubstr("Minimum memory limit allowed is 6MB"));
  host.Clear();
  host.set_network_mode("bridge");
  EXPECT_TRUE(ValidateHostConfig(host).ok());
  host.set_network_mode("container:db");
  EXPECT_TRUE(ValidateHostConfig(host).ok());
  host.mutable_dns()->add_servers("10.0.0.53");  // Docker refuses it there
  EXPECT_TRUE(absl::IsInvalidArgument(ValidateHostConfig(host).status()));
  host.Clear();
  host.add_cap_add("NOT_A_CAP");
  EXPECT_THAT(std::string(ValidateHostConfig(host).status().message()),
              HasSubstr("NOT_A_CAP"));
  host.Clear();
  host.set_auto_remove(true);
  host.mutable_restart_policy()->set_name(
      container::v1::RestartPolicy::NAME_ALWAYS);
  EXPECT_FALSE(ValidateHostConfig(host).ok());
  host.Clear();
  (*host.mutable_log_config()->mutable_options())["max-sise"] = "1m";
  EXPECT_THAT(std::string(ValidateHostConfig(host).status().message()),
              HasSubstr("max-sise"));
  host.Clear();
  host.mutable_resources()->add_ulimits()->set_name("nofiles");
  EXPECT_THAT(std::string(ValidateHostConfig(host).status().message()),
              HasSubstr("invalid ulimit type: nofiles"));
  host.Clear();
  host.mutable_resources()->set_nano_cpus(int64_t{1000} * 1000000000);
  EXPECT_THAT(std::string(ValidateHostConfig(host).status().message()),
              HasSubstr("Range of CPUs"));
}

TEST(BuildShimSpecTest, DefaultsConfineAndPrivilegedDoesNot) {
  container::v1::CreateContainerRequest request;
  request.mutable_config()->set_image("x");
  request.mutable_host_config()->mutable_resources()->set_memory(32 << 20);
  request.mutable_host_config()->add_cap_drop("NET_RAW");
  auto c = Make(request, ImageWith({}, {"sh"}));
  ASSERT_TRUE(c.ok());
  auto spec = BuildShimSpec(*c, "lowerdir=/l", kPaths, "berth", UsernsRange());
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->confinement().seccomp(), ::berth::shim::v1::SECCOMP_MODE_DEFAULT);
  EXPECT_THAT(spec->confinement().masked_paths().items(), Contains("/proc/kcore"));
  EXPECT_THAT(spec->confinement().readonly_paths().items(), Contains("/proc/sys"));
  EXPECT_THAT(spec->confinement().capabilities().items(), Contains("CAP_CHOWN"));
  EXPECT_THAT(spec->confinement().capabilities().items(),
              ::testing::Not(Contains("CAP_NET_RAW")));
  EXPECT_THAT(spec->confinement().capabilities().items(),
              ::testing::Not(Contains("CAP_SYS_ADMIN")));
  EXPECT_EQ(spec->memory(), 32 << 20);
  EXPECT_EQ(spec->rootfs_dir(), "/state/c1/rootfs");
  EXPECT_EQ(spec->overlay_options(), "lowerdir=/l");
  EXPECT_THAT(spec->args(), ElementsAre("sh"));
  // Every confinement field is present, so the shim accepts it.
  EXPECT_TRUE(shim::ValidateShimSpec(*spec).ok());

  c->mutable_host_config()->set_privileged(true);
  spec = BuildShimSpec(*c, "lowerdir=/l", kPaths, "berth", UsernsRange());
  ASSERT_TRUE(spec.ok());
  EXPECT_EQ(spec->confinement().seccomp(),
            ::berth::shim::v1::SECCOMP_MODE_UNCONFINED);
  EXPECT_THAT(spec->confinement().masked_paths().items(), IsEmpty());
  EXPECT_TRUE(spec->confinement().has_masked_paths());  // empty, not absent
  EXPECT_THAT(spec->confinement().capabilities().items(),
              Contains("CAP_SYS_ADMIN"));
  EXPECT_TRUE(shim::ValidateShimSpec(*spec).ok());
}

// --read-only covers the files containerd mounts over the image's too.
TEST(BuildShimSpecTest, ReadOnlyRootfsMakesEtcFilesReadOnly) {
  container::v1::CreateContainerRequest request;
  request.mutable_config()->set_image("x");
  for (bool read_only : {false, true}) {
    request.mutable_host_config()->set_read_only_rootfs(read_only);
    auto c = Make(request, ImageWith({}, {"sh"}));
    ASSERT_TRUE(c.ok());
    auto spec = BuildShimSpec(*c, "lowerdir=/l", kPaths, "berth", UsernsRange());
    ASSERT_TRUE(spec.ok()) << spec.status();
    std::set<std::string> seen;
    for (const auto& mount : spec->mounts()) {
      seen.insert(mount.destination());
      EXPECT_EQ(mount.read_only(), read_only) << mount.destination();
    }
    EXPECT_THAT(seen, ::testing::IsSupersetOf(
                          {"/etc/hosts", "/etc/hostname", "/etc/resolv.conf"}));
  }
}

TEST(ValidateHostConfigTest, UsernsModesAndMappings) {
  container::v1::HostConfig host;
  host.set_userns_mode("private");
  EXPECT_TRUE(ValidateHostConfig(host).ok());
  host.set_userns_mode("shared");
  EXPECT_THAT(std::string(ValidateHostConfig(host).status().message()),
              HasSubstr("invalid --userns \"shared\""));
  host.set_userns_mode("host");
  container::v1::IdMapping* map = host.add_uid_mappings();
  map->set_container_id(0);
  map->set_host_id(100000);
  map->set_size(10);
  EXPECT_THAT(std::string(ValidateHostConfig(host).status().message()),
              HasSubstr("need --userns private"));
  host.set_userns_mode("private");
  EXPECT_TRUE(ValidateHostConfig(host).ok());
  map->set_container_id(1);  // root unmapped
  EXPECT_THAT(std::string(ValidateHostConfig(host).status().message()),
              HasSubstr("map container id 0"));
  map->set_container_id(0);
  map->set_size(0);
  EXPECT_THAT(std::string(ValidateHostConfig(host).status().message()),
              HasSubstr("size must be positive"));
  map->set_size(10);
  host.set_privileged(true);
  EXPECT_THAT(std::string(ValidateHostConfig(host).status().message()),
              HasSubstr("privileged mode is incompatible"));
  host.set_privileged(false);
  host.set_network_mode("host");
  EXPECT_THAT(std::string(ValidateHostConfig(host).status().message()),
              HasSubstr("host's network namespace"));
}

TEST(ValidateHostConfigTest, RefusesWhatItCannotHonourYet) {
  container::v1::HostConfig host;
  // Mounts and devices are checked before anything is made.
  host.add_binds("/tmp:/tmp");
  EXPECT_TRUE(ValidateHostConfig(host).ok());
  host.add_binds("rel/dir:/x");
  EXPECT_THAT(std::string(ValidateHostConfig(host).status().message()),
              HasSubstr("use absolute path"));
  host.Clear();
  container::v1::DeviceMapping* device = host.add_devices();
  device->set_path_on_host("/dev/null");
  device->set_path_in_container("/dev/mynull");
  EXPECT_TRUE(ValidateHostConfig(host).ok());
  device->set_cgroup_permissions("rwx");
  EXPECT_THAT(std::string(ValidateHostConfig(host).status().message()),
              HasSubstr("invalid device mode: rwx"));
  device->set_cgroup_permissions("");
  device->set_path_on_host("/etc/passwd");
  EXPECT_THAT(std::string(ValidateHostConfig(host).status().message()),
              HasSubstr("not a device node"));
  host.Clear();
  // Ports are netd's now; with the host's network Docker warns they go.
  host.set_publish_all_ports(true);
  EXPECT_TRUE(ValidateHostConfig(host).ok());
  host.set_network_mode("host");
  absl::StatusOr<std::vector<std::string>> warned = ValidateHostConfig(host);
  ASSERT_TRUE(warned.ok()) << warned.status();
  EXPECT_THAT(*warned, ::testing::Contains(HasSubstr("Published ports are discarded")));
  host.Clear();
  (*host.mutable_sysctls())["net.ipv4.ip_forward"] = "1";
  EXPECT_FALSE(ValidateHostConfig(host).ok());
  host.Clear();
  host.set_pid_mode("host");
  EXPECT_THAT(std::string(ValidateHostConfig(host).status().message()),
              HasSubstr("--pid host"));
  host.Clear();
  host.set_ipc_mode("private");
  host.set_cgroupns_mode("host");
  EXPECT_TRUE(ValidateHostConfig(host).ok());
  host.set_cgroupns_mode("private");
  EXPECT_TRUE(ValidateHostConfig(host).ok());
  host.set_cgroupns_mode("foo");
  EXPECT_EQ(ValidateHostConfig(host).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(ValidateHostConfig(host).status().message()),
              HasSubstr("invalid --cgroupns \"foo\""));
}

// containerd never opens a path a client names: a log path in the request is
// refused, not silently replaced.
TEST(ValidateHostConfigTest, RefusesACallerChosenLogPath) {
  container::v1::HostConfig host;
  host.mutable_log_config()->set_driver("json-file");
  host.mutable_log_config()->set_path("/etc/shadow");
  absl::Status refused = ValidateHostConfig(host).status();
  EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(refused.message()), HasSubstr("/etc/shadow"));
  host.mutable_log_config()->clear_path();
  EXPECT_TRUE(ValidateHostConfig(host).ok());
}

// The daemon's default fills an unset mode in the record (inspect shows
// it); an explicit mode wins.
TEST(NewContainerTest, RecordsTheResolvedCgroupnsMode) {
  container::v1::CreateContainerRequest request;
  request.mutable_config()->set_image("x");
  auto make = [&](const std::string& default_mode) {
    return NewContainer(request, ImageWith({}, {"sh"}), kId, "web", kPaths,
                        absl::Now(), default_mode);
  };
  EXPECT_EQ(make("private")->host_config().cgroupns_mode(), "private");
  EXPECT_EQ(make("host")->host_config().cgroupns_mode(), "host");
  EXPECT_FALSE(make("shared").ok());
  request.mutable_host_config()->set_cgroupns_mode("host");
  EXPECT_EQ(make("private")->host_config().cgroupns_mode(), "host");
  request.mutable_host_config()->set_cgroupns_mode("private");
  EXPECT_EQ(make("host")->host_config().cgroupns_mode(), "private");
}

// Only "private" asks the shim for a namespace; a record from before the
// mode was resolved ("") keeps the host's, as it had. The field survives
// the shim spec's serialization.
TEST(BuildShimSpecTest, CgroupnsPrivateReachesTheShim) {
  container::v1::CreateContainerRequest request;
  request.mutable_config()->set_image("x");
  request.mutable_host_config()->set_cgroupns_mode("private");
  auto c = Make(request, ImageWith({}, {"sh"}));
  ASSERT_TRUE(c.ok()) << c.status();
  auto spec = BuildShimSpec(*c, "lowerdir=/l", kPaths, "berth", UsernsRange());
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_TRUE(spec->cgroupns_private());
  auto parsed = shim::ParseShimSpec(shim::SerializeShimSpec(*spec));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_TRUE(parsed->cgroupns_private());

  for (const char* mode : {"host", ""}) {
    c->mutable_host_config()->set_cgroupns_mode(mode);
    spec = BuildShimSpec(*c, "lowerdir=/l", kPaths, "berth", UsernsRange());
    ASSERT_TRUE(spec.ok());
    EXPECT_FALSE(spec->cgroupns_private()) << mode;
  }
}

TEST(BuildShimSpecTest, PrivateUsernsMapsTheDaemonRangeOrTheGivenOnes) {
  container::v1::CreateContainerRequest request;
  request.mutable_config()->set_image("x");
  request.mutable_host_config()->set_userns_mode("private");
  auto c = Make(request, ImageWith({}, {"sh"}));
  ASSERT_TRUE(c.ok());
  auto spec = BuildShimSpec(*c, "lowerdir=/l", kPaths, "berth",
                            UsernsRange{200000, 300000, 5000});
  ASSERT_TRUE(spec.ok()) << spec.status();
  ASSERT_EQ(spec->uid_map().size(), 1);
  EXPECT_EQ(spec->uid_map(0).host_id(), 200000u);
  EXPECT_EQ(spec->uid_map(0).size(), 5000u);
  EXPECT_EQ(spec->gid_map(0).host_id(), 300000u);
  EXPECT_EQ(HostRootOf(c->host_config(), UsernsRange{200000, 300000, 5000}),
            std::make_pair(200000u, 300000u));

  container::v1::IdMapping* own = c->mutable_host_config()->add_uid_mappings();
  own->set_container_id(0);
  own->set_host_id(700000);
  own->set_size(1);
  spec = BuildShimSpec(*c, "lowerdir=/l", kPaths, "berth", UsernsRange());
  ASSERT_TRUE(spec.ok());
  EXPECT_EQ(spec->uid_map(0).host_id(), 700000u);
  EXPECT_EQ(spec->gid_map(0).host_id(), 100000u);

  c->mutable_host_config()->set_userns_mode("host");
  c->mutable_host_config()->clear_uid_mappings();
  spec = BuildShimSpec(*c, "lowerdir=/l", kPaths, "berth", UsernsRange());
  ASSERT_TRUE(spec.ok());
  EXPECT_TRUE(spec->uid_map().empty());
  EXPECT_EQ(HostRootOf(c->host_config(), UsernsRange()),
            std::make_pair(0u, 0u));
}

}  // namespace
}  // namespace berth::containerd
