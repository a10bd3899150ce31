#include "ctl/container/container_inspect.h"

#include <string>

#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "ctl/cli/template.h"

namespace berth::ctl {
namespace {

container::v1::Container Sample() {
  container::v1::Container c;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(
      R"pb(
        id: "4a7f7eebae0f63178aff7eb0aa39cd3f0627a203ab2df258c1a00b456cf20063"
        name: "web"
        created { seconds: 1700000000 nanos: 500 }
        path: "sh"
        args: "-c"
        args: "exit 3"
        image_id: "sha256:beae"
        state {
          status: CONTAINER_STATUS_EXITED
          exit_code: 3
          started_at { seconds: 1700000001 }
          finished_at { seconds: 1700000002 }
        }
        config {
          image: "busybox"
          cmd { values: "sh" values: "-c" values: "exit 3" }
          env: "PATH=/bin"
          labels { key: "a" value: "1" }
          stop_timeout: 5
        }
        host_config {
          network_mode: "none"
          auto_remove: true
          restart_policy { name: NAME_NO }
          resources { memory: 33554432 nano_cpus: 1500000000 pids_limit: 100 }
          security { seccomp_mode: SECCOMP_MODE_UNCONFINED no_new_privileges: true }
          port_bindings { container_port: 80 host_port: 8080 }
        }
        mounts { type: TYPE_BIND source: "/src" destination: "/dst" rw: true }
      )pb",
      &c));
  return c;
}

TEST(ContainerInspectJsonTest, DockersShape) {
  nlohmann::ordered_json json = ContainerInspectJson(Sample());
  EXPECT_EQ(json["Id"].get<std::string>().size(), 64u);
  EXPECT_EQ(json["Created"], "2023-11-14T22:13:20.0000005Z");
  EXPECT_EQ(json["Path"], "sh");
  EXPECT_EQ(json["Args"], nlohmann::ordered_json({"-c", "exit 3"}));
  EXPECT_EQ(json["Name"], "/web");
  EXPECT_EQ(json["Image"], "sha256:beae");
  const auto& state = json["State"];
  EXPECT_EQ(state["Status"], "exited");
  EXPECT_EQ(state["Running"], false);
  EXPECT_EQ(state["ExitCode"], 3);
  EXPECT_EQ(state["StartedAt"], "2023-11-14T22:13:21Z");
  EXPECT_EQ(state["Error"], "");
  EXPECT_FALSE(state.contains("Health"));
  EXPECT_EQ(json["Config"]["Image"], "busybox");
  EXPECT_EQ(json["Config"]["Cmd"], nlohmann::ordered_json({"sh", "-c", "exit 3"}));
  EXPECT_TRUE(json["Config"]["Entrypoint"].is_null());
  EXPECT_EQ(json["Config"]["StopTimeout"], 5);
  EXPECT_EQ(json["Config"]["Labels"]["a"], "1");
  const auto& host = json["HostConfig"];
  EXPECT_EQ(host["NetworkMode"], "none");
  EXPECT_EQ(host["AutoRemove"], true);
  EXPECT_EQ(host["RestartPolicy"]["Name"], "no");
  EXPECT_EQ(host["Memory"], 33554432);
  EXPECT_EQ(host["NanoCpus"], 1500000000);
  EXPECT_EQ(host["PidsLimit"], 100);
  EXPECT_EQ(host["SecurityOpt"],
            nlohmann::ordered_json({"seccomp=unconfined", "no-new-privileges"}));
  EXPECT_EQ(host["PortBindings"]["80/tcp"][0]["HostPort"], "8080");
  EXPECT_EQ(host["LogConfig"]["Type"], "json-file");
  // Docker omits StorageOpt unless it was given.
  EXPECT_FALSE(host.contains("StorageOpt"));
  EXPECT_EQ(json["Mounts"][0]["Type"], "bind");
  EXPECT_EQ(json["Mounts"][0]["Destination"], "/dst");
  EXPECT_TRUE(json["NetworkSettings"]["Networks"].is_object());
  // Docker's key order for the top of the document.
  auto it = json.begin();
  EXPECT_EQ(it.key(), "Id");
  ++it;
  EXPECT_EQ(it.key(), "Created");
  ++it;
  EXPECT_EQ(it.key(), "Path");
}

TEST(ContainerInspectJsonTest, StorageOptAsGivenAfterSecurityOpt) {
  container::v1::Container c = Sample();
  (*c.mutable_host_config()->mutable_storage_opt())["size"] = "20m";
  nlohmann::ordered_json host = ContainerInspectJson(c)["HostConfig"];
  EXPECT_EQ(host["StorageOpt"], nlohmann::ordered_json({{"size", "20m"}}));
  auto it = host.find("SecurityOpt");
  ASSERT_NE(it, host.end());
  EXPECT_EQ((++it).key(), "StorageOpt");
}

TEST(ContainerInspectJsonTest, MountPointsAsDockerShowsThem) {
  container::v1::Container c = Sample();
  ASSERT_TRUE(google::protobuf::TextFormat::MergeFromString(
      R"pb(
        mounts {
          type: TYPE_VOLUME name: "data" source: "/v/data/_data"
          destination: "/data" driver: "local" mode: "z" rw: true
        }
        mounts { type: TYPE_BIND source: "/h" destination: "/c" mode: "ro"
                 propagation: PROPAGATION_RSHARED }
        mounts { type: TYPE_TMPFS destination: "/run" rw: true }
      )pb",
      &c));
  const nlohmann::ordered_json mounts = ContainerInspectJson(c)["Mounts"];
  ASSERT_EQ(mounts.size(), 4u);
  EXPECT_EQ(mounts[0].dump(),
            R"({"Type":"bind","Source":"/src","Destination":"/dst",)"
            R"("Mode":"","RW":true,"Propagation":"rprivate"})");
  EXPECT_EQ(mounts[1].dump(),
            R"({"Type":"volume","Name":"data","Source":"/v/data/_data",)"
            R"("Destination":"/data","Driver":"local","Mode":"z","RW":true,)"
            R"("Propagation":""})");
  EXPECT_EQ(mounts[2]["Propagation"], "rshared");
  EXPECT_EQ(mounts[2]["RW"], false);
  EXPECT_EQ(mounts[3].dump(),
            R"({"Type":"tmpfs","Source":"","Destination":"/run","Mode":"",)"
            R"("RW":true,"Propagation":""})");
}

TEST(ContainerInspectJsonTest, HostConfigStorage) {
  container::v1::Container c = Sample();
  nlohmann::ordered_json host = ContainerInspectJson(c)["HostConfig"];
  // Docker: null Binds and VolumesFrom, [] Devices, no Mounts by default.
  EXPECT_TRUE(host["Binds"].is_null());
  EXPECT_TRUE(host["VolumesFrom"].is_null());
  EXPECT_EQ(host["Devices"], nlohmann::ordered_json::array());
  EXPECT_FALSE(host.contains("Mounts"));
  ASSERT_TRUE(google::protobuf::TextFormat::MergeFromString(
      R"pb(
        binds: "data:/data"
        volumes_from: "db:ro"
        devices { path_on_host: "/dev/fuse" }
        mounts { type: TYPE_VOLUME source: "v" target: "/v" read_only: true
                 volume_options { no_copy: true driver: "local"
                                  labels { key: "k" value: "x" } } }
        mounts { type: TYPE_BIND source: "/h" target: "/b"
                 bind_options { propagation: PROPAGATION_SLAVE } }
        mounts { type: TYPE_TMPFS target: "/t"
                 tmpfs_options { size_bytes: 1024 mode: 448
                                 options: "noexec" options: "nr_inodes=5" } }
      )pb",
      c.mutable_host_config()));
  host = ContainerInspectJson(c)["HostConfig"];
  EXPECT_EQ(host["Binds"], nlohmann::ordered_json({"data:/data"}));
  EXPECT_EQ(host["VolumesFrom"], nlohmann::ordered_json({"db:ro"}));
  EXPECT_EQ(host["Devices"][0].dump(),
            R"({"PathOnHost":"/dev/fuse","PathInContainer":"/dev/fuse",)"
            R"("CgroupPermissions":"rwm"})");
  ASSERT_EQ(host["Mounts"].size(), 3u);
  EXPECT_EQ(host["Mounts"][0].dump(),
            R"({"Type":"volume","Source":"v","Target":"/v","ReadOnly":true,)"
            R"("VolumeOptions":{"NoCopy":true,"Labels":{"k":"x"},)"
            R"("DriverConfig":{"Name":"local"}}})");
  EXPECT_EQ(host["Mounts"][1].dump(),
            R"({"Type":"bind","Source":"/h","Target":"/b",)"
            R"("BindOptions":{"Propagation":"slave"}})");
  EXPECT_EQ(host["Mounts"][2].dump(),
            R"({"Type":"tmpfs","Target":"/t","TmpfsOptions":{"SizeBytes":1024,)"
            R"("Mode":448,"Options":[["noexec"],["nr_inodes","5"]]}})");
  // Where Docker puts it: after the resources, before the masked paths.
  auto it = host.find("Ulimits");
  ASSERT_NE(it, host.end());
  EXPECT_EQ((++it).key(), "Mounts");
}

TEST(ContainerInspectJsonTest, ZeroTimesAndTemplates) {
  container::v1::Container c = Sample();
  c.mutable_state()->clear_started_at();
  c.mutable_state()->set_status(container::v1::CONTAINER_STATUS_CREATED);
  nlohmann::ordered_json json = ContainerInspectJson(c);
  EXPECT_EQ(json["State"]["StartedAt"], "0001-01-01T00:00:00Z");
  absl::StatusOr<Template> tmpl =
      Template::Parse("{{.State.Status}} {{.State.ExitCode}} {{.Name}}");
  ASSERT_TRUE(tmpl.ok());
  EXPECT_EQ(*tmpl->Execute(json), "created 3 /web");
}

}  // namespace
}  // namespace berth::ctl
