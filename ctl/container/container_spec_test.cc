#include "ctl/container/container_spec.h"

#include <map>
#include <optional>
#include <string>

#include "gtest/gtest.h"

namespace berth::ctl {
namespace {

using container::v1::CreateContainerRequest;

SpecInputs FakeInputs() {
  SpecInputs inputs;
  inputs.lookup_env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "TERM") return std::string("xterm");
    return std::nullopt;
  };
  inputs.read_file = [](const std::string& path) -> absl::StatusOr<std::string> {
    if (path == "app.env") return std::string("# app\nA=from-file\nTERM\n");
    if (path == "labels") return std::string("team=core\nowner\n");
    return absl::NotFoundError("open " + path + ": no such file or directory");
  };
  return inputs;
}

TEST(BuildCreateRequestTest, ImageAndCommandAfterIt) {
  ContainerFlags flags;
  flags.positional = {"busybox", "sh", "-c", "ls -l"};
  absl::StatusOr<CreateContainerRequest> request =
      BuildCreateRequest(flags, FakeInputs());
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->config().image(), "busybox");
  ASSERT_TRUE(request->config().has_cmd());
  EXPECT_EQ(request->config().cmd().values_size(), 3);
  EXPECT_EQ(request->config().cmd().values(1), "-c");
  EXPECT_EQ(request->config().cmd().values(2), "ls -l");
  EXPECT_FALSE(request->config().has_entrypoint());
  // The daemon picks its default network (the bridge).
  EXPECT_EQ(request->host_config().network_mode(), "");
  EXPECT_TRUE(request->networking_config().endpoints().empty());
  EXPECT_TRUE(request->config().attach_stdout());
  EXPECT_TRUE(request->config().attach_stderr());
}

TEST(BuildCreateRequestTest, StorageFlagsInDockersPlaces) {
  ContainerFlags flags;
  flags.positional = {"busybox"};
  flags.volumes = {"/data", "data:/srv", "./conf:/etc/app:ro", "/data"};
  flags.mounts = {"type=bind,src=/host,dst=/host"};
  flags.tmpfs = {"/run:size=1m"};
  flags.volumes_from = {"db:ro", "cache"};
  flags.devices = {"/dev/fuse"};
  SpecInputs inputs = FakeInputs();
  inputs.working_dir = "/work";
  absl::StatusOr<CreateContainerRequest> request =
      BuildCreateRequest(flags, inputs);
  ASSERT_TRUE(request.ok()) << request.status();
  const container::v1::HostConfig& host = request->host_config();
  // No source: an anonymous volume, once, in the config (Docker's Volumes).
  ASSERT_EQ(request->config().volumes_size(), 1);
  EXPECT_EQ(request->config().volumes(0), "/data");
  ASSERT_EQ(host.binds_size(), 2);
  EXPECT_EQ(host.binds(0), "data:/srv");
  EXPECT_EQ(host.binds(1), "/work/conf:/etc/app:ro");
  ASSERT_EQ(host.mounts_size(), 1);
  EXPECT_EQ(host.mounts(0).type(), types::v1::Mount::TYPE_BIND);
  // --tmpfs is Docker's Tmpfs map, as given.
  ASSERT_EQ(host.tmpfs_size(), 1);
  EXPECT_EQ(host.tmpfs().at("/run"), "size=1m");
  ASSERT_EQ(host.volumes_from_size(), 2);
  EXPECT_EQ(host.volumes_from(0), "db:ro");
  ASSERT_EQ(host.devices_size(), 1);
  EXPECT_EQ(host.devices(0).cgroup_permissions(), "rwm");
}

TEST(BuildCreateRequestTest, StorageFlagErrors) {
  auto error = [](void (*set)(ContainerFlags&)) {
    ContainerFlags flags;
    flags.positional = {"busybox"};
    set(flags);
    return std::string(BuildCreateRequest(flags, FakeInputs()).status().message());
  };
  EXPECT_EQ(error([](ContainerFlags& f) { f.volumes = {""}; }),
            "invalid empty volume spec");
  EXPECT_EQ(error([](ContainerFlags& f) { f.mounts = {"type=volume"}; }),
            "invalid argument \"type=volume\" for \"--mount\" flag: target "
            "is required");
  EXPECT_EQ(error([](ContainerFlags& f) { f.devices = {"/dev/sda:/b:x"}; }),
            "bad mode specified: x");
}

TEST(BuildCreateRequestTest, NoCommandKeepsTheImages) {
  ContainerFlags flags;
  flags.positional = {"busybox"};
  absl::StatusOr<CreateContainerRequest> request =
      BuildCreateRequest(flags, FakeInputs());
  ASSERT_TRUE(request.ok());
  EXPECT_FALSE(request->config().has_cmd());
}

TEST(BuildCreateRequestTest, EntrypointSetOrCleared) {
  ContainerFlags flags;
  flags.positional = {"busybox"};
  flags.entrypoint = "/bin/sh -c";
  absl::StatusOr<CreateContainerRequest> request =
      BuildCreateRequest(flags, FakeInputs());
  ASSERT_TRUE(request.ok());
  ASSERT_TRUE(request->config().has_entrypoint());
  ASSERT_EQ(request->config().entrypoint().values_size(), 1);
  EXPECT_EQ(request->config().entrypoint().values(0), "/bin/sh -c");

  flags.entrypoint = "";
  request = BuildCreateRequest(flags, FakeInputs());
  ASSERT_TRUE(request.ok());
  ASSERT_TRUE(request->config().has_entrypoint());
  EXPECT_EQ(request->config().entrypoint().values_size(), 0);
}

TEST(BuildCreateRequestTest, EveryFlagLandsInItsField) {
  ContainerFlags flags;
  flags.positional = {"busybox"};
  flags.detach = true;
  flags.interactive = true;
  flags.tty = true;
  flags.name = "web";
  flags.workdir = "/srv";
  flags.user = "1000:1000";
  flags.hostname = "box";
  flags.restart = "on-failure:3";
  flags.network = "host";
  flags.read_only = true;
  flags.privileged = true;
  flags.init = true;
  flags.memory = "32m";
  flags.memory_swap = "-1";
  flags.cpus = "1.5";
  flags.cpu_shares = "512";
  flags.pids_limit = "100";
  flags.stop_signal = "SIGINT";
  flags.stop_timeout = "5";
  flags.env_files = {"app.env"};
  flags.env = {"B=2", "TERM", "NOPE"};
  flags.label_files = {"labels"};
  flags.labels = {"team=edge", "tier=web"};
  flags.cap_add = {"NET_ADMIN"};
  flags.cap_drop = {"ALL"};
  flags.security_opts = {"no-new-privileges"};
  flags.ulimits = {"nofile=10:20"};
  flags.log_opts = {"max-size=10m", "max-file=3"};
  absl::StatusOr<CreateContainerRequest> request =
      BuildCreateRequest(flags, FakeInputs());
  ASSERT_TRUE(request.ok()) << request.status();
  const auto& config = request->config();
  const auto& host = request->host_config();
  EXPECT_EQ(request->name(), "web");
  EXPECT_EQ(config.working_dir(), "/srv");
  EXPECT_EQ(config.user(), "1000:1000");
  EXPECT_EQ(config.hostname(), "box");
  EXPECT_TRUE(config.tty());
  EXPECT_TRUE(config.open_stdin());
  EXPECT_FALSE(config.attach_stdin());  // detached
  EXPECT_FALSE(config.attach_stdout());
  EXPECT_EQ(config.stop_signal(), "SIGINT");
  ASSERT_TRUE(config.has_stop_timeout());
  EXPECT_EQ(config.stop_timeout(), 5);
  EXPECT_EQ(std::vector<std::string>(config.env().begin(), config.env().end()),
            (std::vector<std::string>{"A=from-file", "TERM=xterm", "B=2",
                                      "TERM=xterm", "NOPE"}));
  EXPECT_EQ(config.labels().at("team"), "edge");  // -l wins over the file
  EXPECT_EQ(config.labels().at("owner"), "");
  EXPECT_EQ(config.labels().at("tier"), "web");
  EXPECT_EQ(host.restart_policy().name(),
            container::v1::RestartPolicy::NAME_ON_FAILURE);
  EXPECT_EQ(host.restart_policy().maximum_retry_count(), 3);
  EXPECT_EQ(host.network_mode(), "host");
  EXPECT_TRUE(host.read_only_rootfs());
  EXPECT_TRUE(host.privileged());
  EXPECT_TRUE(host.init());
  EXPECT_EQ(host.resources().memory(), 32 << 20);
  EXPECT_EQ(host.resources().memory_swap(), -1);
  EXPECT_EQ(host.resources().nano_cpus(), 1500000000);
  EXPECT_EQ(host.resources().cpu_shares(), 512);
  EXPECT_EQ(host.resources().pids_limit(), 100);
  ASSERT_EQ(host.resources().ulimits_size(), 1);
  EXPECT_EQ(host.resources().ulimits(0).hard(), 20);
  EXPECT_EQ(host.cap_add(0), "NET_ADMIN");
  EXPECT_EQ(host.cap_drop(0), "ALL");
  EXPECT_TRUE(host.security().no_new_privileges());
  EXPECT_EQ(host.log_config().options().at("max-size"), "10m");
  EXPECT_EQ(host.log_config().options().at("max-file"), "3");
}

TEST(BuildCreateRequestTest, BadValuesSpeakDocker) {
  ContainerFlags flags;
  flags.positional = {"busybox"};
  flags.memory = "lots";
  EXPECT_EQ(BuildCreateRequest(flags, FakeInputs()).status().message(),
            "invalid argument \"lots\" for \"-m, --memory\" flag: invalid "
            "size: 'lots'");
  // An empty value is Docker's error too, not "no limit".
  flags.memory = "";
  EXPECT_EQ(BuildCreateRequest(flags, FakeInputs()).status().message(),
            "invalid argument \"\" for \"-m, --memory\" flag: invalid "
            "size: ''");
  flags.memory.reset();
  flags.cpus = "x";
  EXPECT_EQ(BuildCreateRequest(flags, FakeInputs()).status().message(),
            "invalid argument \"x\" for \"--cpus\" flag: failed to parse x as "
            "a rational number");
  flags.cpus = "";
  flags.ulimits = {"nofile"};
  EXPECT_EQ(BuildCreateRequest(flags, FakeInputs()).status().message(),
            "invalid argument \"nofile\" for \"--ulimit\" flag: invalid ulimit "
            "argument: nofile");
  flags.ulimits.clear();
  flags.restart = "always";
  flags.auto_remove = true;
  EXPECT_EQ(BuildCreateRequest(flags, FakeInputs()).status().message(),
            "Conflicting options: --restart and --rm");
  flags.restart = "no";
  EXPECT_TRUE(BuildCreateRequest(flags, FakeInputs()).ok());
  flags.network = "bridge";
  flags.network_aliases = {"db"};
  absl::Status network = BuildCreateRequest(flags, FakeInputs()).status();
  EXPECT_EQ(network.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(network.message().find("only supported for user-defined networks"),
            absl::string_view::npos);
  flags.network_aliases.clear();
  flags.ip = "10.0.0.9";
  EXPECT_NE(BuildCreateRequest(flags, FakeInputs())
                .status()
                .message()
                .find("user defined networks only"),
            absl::string_view::npos);
  flags.network = "backend";
  flags.network_aliases = {"db", "sql"};
  absl::StatusOr<CreateContainerRequest> on_backend =
      BuildCreateRequest(flags, FakeInputs());
  ASSERT_TRUE(on_backend.ok()) << on_backend.status();
  EXPECT_EQ(on_backend->host_config().network_mode(), "backend");
  const types::v1::EndpointConfig& endpoint =
      on_backend->networking_config().endpoints().at("backend");
  ASSERT_EQ(endpoint.aliases_size(), 2);
  EXPECT_EQ(endpoint.aliases(0), "db");
  EXPECT_EQ(endpoint.aliases(1), "sql");
  EXPECT_EQ(endpoint.ipv4_address(), "10.0.0.9");
  flags.network = "";
  flags.network_aliases.clear();
  flags.ip.clear();
  flags.env_files = {"missing.env"};
  EXPECT_EQ(BuildCreateRequest(flags, FakeInputs()).status().message(),
            "open missing.env: no such file or directory");
}

TEST(BuildCreateRequestTest, HealthFlagsAsDockersCli) {
  ContainerFlags flags;
  flags.positional = {"busybox"};
  flags.health_cmd = "wget -q localhost";
  flags.health_interval = "1m30s";
  flags.health_start_period = "500ms";
  flags.health_retries = "4";
  absl::StatusOr<container::v1::CreateContainerRequest> request =
      BuildCreateRequest(flags, FakeInputs());
  ASSERT_TRUE(request.ok()) << request.status();
  const types::v1::Healthcheck& check = request->config().healthcheck();
  ASSERT_EQ(check.test_size(), 2);
  EXPECT_EQ(check.test(0), "CMD-SHELL");
  EXPECT_EQ(check.test(1), "wget -q localhost");
  EXPECT_EQ(check.interval().seconds(), 90);
  EXPECT_EQ(check.start_period().nanos(), 500000000);
  EXPECT_EQ(check.retries(), 4);
  EXPECT_FALSE(check.has_timeout());

  flags.no_healthcheck = true;
  EXPECT_EQ(BuildCreateRequest(flags, FakeInputs()).status().message(),
            "--no-healthcheck conflicts with --health-* options");
  flags = ContainerFlags{};
  flags.positional = {"busybox"};
  flags.no_healthcheck = true;
  request = BuildCreateRequest(flags, FakeInputs());
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request->config().healthcheck().test(0), "NONE");
  flags.no_healthcheck = false;
  flags.health_timeout = "-1s";
  EXPECT_EQ(BuildCreateRequest(flags, FakeInputs()).status().message(),
            "--health-timeout cannot be negative");
  flags.health_timeout = "soon";
  EXPECT_EQ(BuildCreateRequest(flags, FakeInputs()).status().message(),
            "invalid argument \"soon\" for \"--health-timeout\" flag: time: "
            "invalid duration \"soon\"");
}

TEST(BuildCreateRequestTest, StorageOptSizeKeptAsTyped) {
  ContainerFlags flags;
  flags.positional = {"busybox"};
  absl::StatusOr<CreateContainerRequest> none =
      BuildCreateRequest(flags, FakeInputs());
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->host_config().storage_opt().empty());
  flags.storage_opts = {"size=20m"};
  absl::StatusOr<CreateContainerRequest> request =
      BuildCreateRequest(flags, FakeInputs());
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->host_config().storage_opt().size(), 1u);
  EXPECT_EQ(request->host_config().storage_opt().at("size"), "20m");
  // Repeated: the last one wins, as in Docker's map.
  flags.storage_opts = {"size=1G", "size=1073741824"};
  request = BuildCreateRequest(flags, FakeInputs());
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->host_config().storage_opt().at("size"), "1073741824");
}

TEST(BuildCreateRequestTest, StorageOptErrorsNameKeyOrValue) {
  ContainerFlags flags;
  flags.positional = {"busybox"};
  flags.storage_opts = {"dm.basesize=10G"};
  absl::Status unknown = BuildCreateRequest(flags, FakeInputs()).status();
  EXPECT_EQ(unknown.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(unknown.message(),
            "invalid argument \"dm.basesize=10G\" for \"--storage-opt\" flag: "
            "unknown storage option \"dm.basesize\": the only one is size");
  flags.storage_opts = {"size=10q"};
  EXPECT_EQ(BuildCreateRequest(flags, FakeInputs()).status().message(),
            "invalid argument \"size=10q\" for \"--storage-opt\" flag: "
            "invalid storage option size \"10q\": invalid size: '10q' (use "
            "bytes or a unit: 512k, 20m, 10G)");
  for (const char* bad : {"size", "=20m", "size=", "size=0"}) {
    flags.storage_opts = {bad};
    absl::Status status = BuildCreateRequest(flags, FakeInputs()).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(status.message().find("--storage-opt"), absl::string_view::npos)
        << status;
  }
}

TEST(BuildCreateRequestTest, UsernsAndIdMaps) {
  ContainerFlags flags;
  flags.positional = {"busybox"};
  flags.userns = "private";
  auto request = BuildCreateRequest(flags, FakeInputs());
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->host_config().userns_mode(), "private");
  EXPECT_EQ(request->host_config().uid_mappings_size(), 0);

  // A map alone asks for a private namespace; gids follow the uid map.
  flags.userns = "";
  flags.uid_maps = {"0:200000:1000"};
  request = BuildCreateRequest(flags, FakeInputs());
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->host_config().userns_mode(), "private");
  ASSERT_EQ(request->host_config().gid_mappings_size(), 1);
  EXPECT_EQ(request->host_config().gid_mappings(0).host_id(), 200000u);
  EXPECT_EQ(request->host_config().gid_mappings(0).size(), 1000u);

  flags.gid_maps = {"0:300000:10"};
  request = BuildCreateRequest(flags, FakeInputs());
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->host_config().gid_mappings(0).host_id(), 300000u);

  flags.uid_maps = {"0:200000"};
  EXPECT_NE(BuildCreateRequest(flags, FakeInputs()).status().message().find(
                "CONTAINER_ID:HOST_ID:SIZE"),
            std::string::npos);
  flags.uid_maps.clear();
  flags.gid_maps.clear();
  flags.userns = "shared";
  EXPECT_NE(BuildCreateRequest(flags, FakeInputs()).status().message().find(
                "--userns"),
            std::string::npos);
}

// --cgroupns: unset leaves the daemon's default; anything but private or
// host is refused before a request is sent.
TEST(BuildCreateRequestTest, CgroupnsMode) {
  ContainerFlags flags;
  flags.positional = {"busybox"};
  auto request = BuildCreateRequest(flags, FakeInputs());
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->host_config().cgroupns_mode(), "");
  for (const char* mode : {"private", "host"}) {
    flags.cgroupns = mode;
    request = BuildCreateRequest(flags, FakeInputs());
    ASSERT_TRUE(request.ok()) << request.status();
    EXPECT_EQ(request->host_config().cgroupns_mode(), mode);
  }
  flags.cgroupns = "foo";
  request = BuildCreateRequest(flags, FakeInputs());
  EXPECT_EQ(request.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(request.status().message().find("--cgroupns"), std::string::npos);
}

TEST(BuildCreateRequestTest, AutoRemoveAndAttachedStreams) {
  ContainerFlags flags;
  flags.positional = {"busybox"};
  flags.auto_remove = true;
  flags.interactive = true;
  absl::StatusOr<CreateContainerRequest> request =
      BuildCreateRequest(flags, FakeInputs());
  ASSERT_TRUE(request.ok());
  EXPECT_TRUE(request->host_config().auto_remove());
  EXPECT_TRUE(request->config().attach_stdin());
  EXPECT_TRUE(request->config().stdin_once());
}

TEST(CheckInputTerminalTest, KeysForAContainerTerminalNeedOne) {
  EXPECT_FALSE(CheckInputTerminal(true, true, false).ok());
  EXPECT_EQ(CheckInputTerminal(true, true, false).message(),
            "the input device is not a TTY");
  EXPECT_TRUE(CheckInputTerminal(true, true, true).ok());
  EXPECT_TRUE(CheckInputTerminal(true, false, false).ok());   // -t alone
  EXPECT_TRUE(CheckInputTerminal(false, true, false).ok());   // -i alone
}

}  // namespace
}  // namespace berth::ctl
