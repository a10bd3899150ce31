#include "services/containerd/mount_plan.h"

#include "services/containerd/device_mappings.h"

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace berth::containerd {
namespace {

using container::v1::HostConfig;
using container::v1::MountPoint;
using types::v1::Mount;

TEST(ParseVolumeSpecTest, HostPathIsABindMadeWhenMissing) {
  absl::StatusOr<MountPoint> point = ParseVolumeSpec("/srv/data:/data:ro,z");
  ASSERT_TRUE(point.ok()) << point.status();
  EXPECT_EQ(point->type(), Mount::TYPE_BIND);
  EXPECT_EQ(point->source(), "/srv/data");
  EXPECT_EQ(point->destination(), "/data");
  EXPECT_EQ(point->mode(), "ro,z");
  EXPECT_FALSE(point->rw());
  EXPECT_EQ(point->propagation(), Mount::PROPAGATION_RPRIVATE);
  EXPECT_TRUE(point->spec().bind_options().create_host_path());
  EXPECT_TRUE(point->spec().read_only());
}

TEST(ParseVolumeSpecTest, NameIsAVolumeWithDockersDefaultMode) {
  absl::StatusOr<MountPoint> point = ParseVolumeSpec("dbdata:/var/lib/db/");
  ASSERT_TRUE(point.ok()) << point.status();
  EXPECT_EQ(point->type(), Mount::TYPE_VOLUME);
  EXPECT_EQ(point->name(), "dbdata");
  EXPECT_EQ(point->destination(), "/var/lib/db");
  EXPECT_EQ(point->mode(), "z");
  EXPECT_EQ(point->driver(), "local");
  EXPECT_TRUE(point->rw());
  EXPECT_EQ(point->spec().source(), "dbdata");
}

TEST(ParseVolumeSpecTest, PathAloneIsAnAnonymousVolume) {
  absl::StatusOr<MountPoint> point = ParseVolumeSpec("/dbdata");
  ASSERT_TRUE(point.ok()) << point.status();
  EXPECT_EQ(point->type(), Mount::TYPE_VOLUME);
  EXPECT_EQ(point->name(), "");
  EXPECT_EQ(point->destination(), "/dbdata");
}

TEST(ParseVolumeSpecTest, NocopyAndPropagationGoWhereTheyBelong) {
  absl::StatusOr<MountPoint> nocopy = ParseVolumeSpec("v:/d:nocopy");
  ASSERT_TRUE(nocopy.ok()) << nocopy.status();
  EXPECT_TRUE(nocopy->spec().volume_options().no_copy());
  absl::StatusOr<MountPoint> slave = ParseVolumeSpec("/h:/d:rslave");
  ASSERT_TRUE(slave.ok()) << slave.status();
  EXPECT_EQ(slave->propagation(), Mount::PROPAGATION_RSLAVE);
  EXPECT_FALSE(ParseVolumeSpec("/h:/d:nocopy").ok());
  EXPECT_FALSE(ParseVolumeSpec("v:/d:rshared").ok());
}

TEST(ParseVolumeSpecTest, RefusesWhatDockerRefuses) {
  struct Case {
    const char* spec;
    const char* error;
  };
  const Case cases[] = {
      {"rel/path:/d", "includes invalid characters for a local volume name"},
      {"./here:/d", "If you intended to pass a host directory, use absolute path"},
      {"/h:d", "mount path must be absolute"},
      {"/h:/", "destination can't be '/'"},
      {"/h:/d:rw,ro", "invalid mode: rw,ro"},
      {"/h:/d:bogus", "invalid mode: bogus"},
      {"/d:ro", "invalid volume specification: '/d:ro'"},
      {"a:/b:ro:x", "invalid volume specification"},
      {"", "invalid volume specification: ''"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<MountPoint> point = ParseVolumeSpec(c.spec);
    ASSERT_FALSE(point.ok()) << c.spec;
    EXPECT_TRUE(absl::IsInvalidArgument(point.status())) << c.spec;
    EXPECT_TRUE(absl::StrContains(point.status().message(), c.error))
        << c.spec << ": " << point.status();
  }
}

Mount Structured(Mount::Type type, const std::string& source,
                 const std::string& target) {
  Mount mount;
  mount.set_type(type);
  mount.set_source(source);
  mount.set_target(target);
  return mount;
}

TEST(PlanStructuredMountTest, ChecksEachTypesFields) {
  Mount bind = Structured(Mount::TYPE_BIND, "/h", "/d");
  absl::StatusOr<MountPoint> point = PlanStructuredMount(bind);
  ASSERT_TRUE(point.ok()) << point.status();
  EXPECT_FALSE(point->spec().bind_options().create_host_path());
  EXPECT_EQ(point->propagation(), Mount::PROPAGATION_RPRIVATE);

  Mount relative = Structured(Mount::TYPE_BIND, "h", "/d");
  EXPECT_TRUE(absl::StrContains(PlanStructuredMount(relative).status().message(),
                                "mount path must be absolute"));
  Mount tmpfs_source = Structured(Mount::TYPE_TMPFS, "x", "/d");
  EXPECT_TRUE(absl::StrContains(
      PlanStructuredMount(tmpfs_source).status().message(),
      "field Source must not be specified"));
  Mount volume_bind_options = Structured(Mount::TYPE_VOLUME, "v", "/d");
  volume_bind_options.mutable_bind_options();
  EXPECT_TRUE(absl::StrContains(
      PlanStructuredMount(volume_bind_options).status().message(),
      "field BindOptions must not be specified"));
  Mount bad_name = Structured(Mount::TYPE_VOLUME, "a/b", "/d");
  EXPECT_FALSE(PlanStructuredMount(bad_name).ok());
  Mount no_type = Structured(Mount::TYPE_UNSPECIFIED, "", "/d");
  EXPECT_FALSE(PlanStructuredMount(no_type).ok());
}

TEST(TmpfsSettingsTest, DockersDefaultsAndTheirOpposites) {
  Mount tmpfs = Structured(Mount::TYPE_TMPFS, "", "/run");
  tmpfs.mutable_tmpfs_options()->set_size_bytes(65536);
  absl::StatusOr<TmpfsSettings> settings = TmpfsSettingsOf(tmpfs);
  ASSERT_TRUE(settings.ok()) << settings.status();
  EXPECT_EQ(settings->data, "size=65536,mode=1777");
  EXPECT_EQ(settings->flags, (std::vector<std::string>{"nodev", "noexec", "nosuid"}));

  tmpfs.mutable_tmpfs_options()->set_mode(0700);
  tmpfs.mutable_tmpfs_options()->add_options("exec");
  tmpfs.mutable_tmpfs_options()->add_options("uid=1000");
  settings = TmpfsSettingsOf(tmpfs);
  ASSERT_TRUE(settings.ok()) << settings.status();
  EXPECT_EQ(settings->data, "size=65536,mode=700,uid=1000");
  EXPECT_EQ(settings->flags, (std::vector<std::string>{"nodev", "nosuid"}));

  tmpfs.mutable_tmpfs_options()->clear_size_bytes();
  tmpfs.mutable_tmpfs_options()->add_options("size=10%");
  settings = TmpfsSettingsOf(tmpfs);
  ASSERT_TRUE(settings.ok()) << settings.status();
  EXPECT_EQ(settings->data, "mode=700,uid=1000,size=10%");

  tmpfs.mutable_tmpfs_options()->add_options("bogus");
  EXPECT_TRUE(absl::StrContains(TmpfsSettingsOf(tmpfs).status().message(),
                                "unknown tmpfs option \"bogus\""));
}

TEST(PlanMountsTest, GivenMountsReplaceInheritedOnesAndImageVolumesFillTheRest) {
  HostConfig host;
  host.add_binds("/host:/shared");
  *host.add_mounts() = Structured(Mount::TYPE_TMPFS, "", "/tmp");
  container::v1::Container from;
  MountPoint* shared = from.add_mounts();
  shared->set_type(Mount::TYPE_VOLUME);
  shared->set_name("old");
  shared->set_destination("/shared");
  MountPoint* kept = from.add_mounts();
  kept->set_type(Mount::TYPE_VOLUME);
  kept->set_name("data");
  kept->set_destination("/data");
  kept->set_rw(true);
  MountPoint* scratch = from.add_mounts();
  scratch->set_type(Mount::TYPE_TMPFS);
  scratch->set_destination("/scratch");

  absl::StatusOr<std::vector<MountPoint>> planned =
      PlanMounts(host, {"/data", "/cache/", "relative"},
                 InheritedMounts(from, "ro"));
  ASSERT_TRUE(planned.ok()) << planned.status();
  ASSERT_EQ(planned->size(), 4u);
  EXPECT_EQ((*planned)[0].destination(), "/shared");
  EXPECT_EQ((*planned)[0].type(), Mount::TYPE_BIND);
  EXPECT_EQ((*planned)[1].destination(), "/data");
  EXPECT_EQ((*planned)[1].name(), "data");
  EXPECT_FALSE((*planned)[1].rw());
  EXPECT_TRUE((*planned)[1].spec().volume_options().no_copy());
  EXPECT_EQ((*planned)[2].destination(), "/tmp");
  EXPECT_EQ((*planned)[3].destination(), "/cache");
  EXPECT_EQ((*planned)[3].name(), "");
}

TEST(PlanMountsTest, TwoGivenMountsOnOneTargetAreRefused) {
  HostConfig host;
  host.add_binds("/a:/x");
  host.add_binds("v:/x/");
  EXPECT_EQ(PlanMounts(host, {}, {}).status().message(),
            "Duplicate mount point: /x");
}

TEST(PlanMountsTest, TmpfsTargetsCountAsGivenButStayOutOfTheRecord) {
  HostConfig host;
  (*host.mutable_tmpfs())["/run"] = "size=64k,mode=700";
  absl::StatusOr<std::vector<MountPoint>> planned = PlanMounts(host, {"/run"}, {});
  ASSERT_TRUE(planned.ok()) << planned.status();
  EXPECT_TRUE(planned->empty());  // no anonymous volume under the tmpfs
  host.add_binds("/h:/run");
  EXPECT_EQ(PlanMounts(host, {}, {}).status().message(),
            "Duplicate mount point: /run");
  host.clear_binds();
  (*host.mutable_tmpfs())["/bad"] = "size=lots";
  EXPECT_TRUE(absl::StrContains(PlanMounts(host, {}, {}).status().message(),
                                "invalid --tmpfs \"/bad\""));

  container::v1::Container container;
  (*container.mutable_host_config()->mutable_tmpfs())["/run"] = "size=64k,mode=700";
  ::berth::shim::v1::Spec spec;
  ASSERT_TRUE(AddShimMounts(container, &spec).ok());
  ASSERT_EQ(spec.mounts_size(), 1);
  EXPECT_TRUE(spec.mounts(0).tmpfs());
  EXPECT_EQ(spec.mounts(0).tmpfs_data(), "size=65536,mode=700");
}

// --device /dev/DIR brings every node below it, as Docker's does (it was
// refused as "not a device node").
TEST(DeviceMappingsTest, ADirectoryBringsItsNodes) {
  HostConfig host;
  container::v1::DeviceMapping* device = host.add_devices();
  device->set_path_on_host("/dev/pts");
  device->set_path_in_container("/dev/hostpts");
  device->set_cgroup_permissions("rw");
  ASSERT_TRUE(ValidateDevices(host).ok());
  absl::StatusOr<std::vector<::berth::shim::v1::Device>> devices = ShimDevicesOf(host);
  ASSERT_TRUE(devices.ok()) << devices.status();
  ASSERT_FALSE(devices->empty());  // at least ptmx
  for (const ::berth::shim::v1::Device& d : *devices) {
    EXPECT_TRUE(absl::StartsWith(d.path_on_host(), "/dev/pts/")) << d.path_on_host();
    EXPECT_EQ(d.path_in_container(),
              "/dev/hostpts/" + d.path_on_host().substr(sizeof("/dev/pts/") - 1));
    EXPECT_EQ(d.permissions(), "rw");
  }
  device->set_cgroup_permissions("rwx");
  EXPECT_FALSE(ValidateDevices(host).ok());
}

TEST(ParseVolumesFromTest, AccessOverride) {
  absl::StatusOr<VolumesFrom> from = ParseVolumesFrom("db:ro");
  ASSERT_TRUE(from.ok());
  EXPECT_EQ(from->container, "db");
  EXPECT_EQ(from->access, "ro");
  EXPECT_FALSE(ParseVolumesFrom("db:xx").ok());
  EXPECT_FALSE(ParseVolumesFrom(":ro").ok());
}

TEST(AddShimMountsTest, ParentsFirstUserMountsReplaceEtcFilesAndSlaveTiesTheTree) {
  container::v1::Container container;
  auto add = [&](const std::string& raw) {
    absl::StatusOr<MountPoint> point = ParseVolumeSpec(raw);
    ASSERT_TRUE(point.ok()) << point.status();
    *container.add_mounts() = *point;
  };
  add("/h/deep:/a/b/c");
  add("/h/hosts:/etc/hosts:ro");
  add("/h/a:/a:rslave");
  ::berth::shim::v1::Spec spec;
  for (const char* etc : {"/etc/hostname", "/etc/hosts"}) {
    ::berth::shim::v1::Mount* mount = spec.add_mounts();
    mount->set_source("/state/x");
    mount->set_destination(etc);
  }
  ASSERT_TRUE(AddShimMounts(container, &spec).ok());
  ASSERT_EQ(spec.mounts_size(), 4);
  EXPECT_EQ(spec.mounts(0).destination(), "/a");
  EXPECT_EQ(spec.mounts(1).destination(), "/etc/hostname");
  EXPECT_EQ(spec.mounts(2).destination(), "/etc/hosts");
  EXPECT_EQ(spec.mounts(2).source(), "/h/hosts");
  EXPECT_TRUE(spec.mounts(2).read_only());
  EXPECT_EQ(spec.mounts(3).destination(), "/a/b/c");
  EXPECT_EQ(spec.root_propagation(), ::berth::shim::v1::PROPAGATION_RSLAVE);
}

// A volume on /etc hid the /etc files Berth writes (resolv.conf, hosts):
// they were mounted first and the volume over them.
TEST(AddShimMountsTest, AMountOnEtcGoesBeneathTheEtcFiles) {
  container::v1::Container container;
  absl::StatusOr<MountPoint> etc = ParseVolumeSpec("/h/etc:/etc");
  ASSERT_TRUE(etc.ok());
  *container.add_mounts() = *etc;
  ::berth::shim::v1::Spec spec;
  spec.add_mounts()->set_destination("/etc/resolv.conf");
  spec.mutable_mounts(0)->set_source("/state/resolv.conf");
  ASSERT_TRUE(AddShimMounts(container, &spec).ok());
  ASSERT_EQ(spec.mounts_size(), 2);
  EXPECT_EQ(spec.mounts(0).destination(), "/etc");
  EXPECT_EQ(spec.mounts(1).destination(), "/etc/resolv.conf");
}

TEST(PlanStructuredMountTest, SubpathMayHoldDotsButNotClimb) {
  Mount volume = Structured(Mount::TYPE_VOLUME, "v", "/d");
  volume.mutable_volume_options()->set_subpath("a..b/c");
  EXPECT_TRUE(PlanStructuredMount(volume).ok());
  volume.mutable_volume_options()->set_subpath("a/../../b");
  EXPECT_FALSE(PlanStructuredMount(volume).ok());
}

}  // namespace
}  // namespace berth::containerd
