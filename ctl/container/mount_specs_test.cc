#include "ctl/container/mount_specs.h"

#include <string>

#include "gtest/gtest.h"

namespace berth::ctl {
namespace {

constexpr char kCwd[] = "/home/me/app";

std::string Mount(const std::string& value) {
  absl::StatusOr<types::v1::Mount> mount = ParseMountFlag(value, kCwd);
  EXPECT_TRUE(mount.ok()) << value << ": " << mount.status();
  return mount.ok() ? mount->ShortDebugString() : "";
}

// The problem after pflag's frame.
std::string MountError(const std::string& value) {
  absl::StatusOr<types::v1::Mount> mount = ParseMountFlag(value, kCwd);
  EXPECT_FALSE(mount.ok()) << value;
  const std::string frame =
      "invalid argument \"" + value + "\" for \"--mount\" flag: ";
  const std::string message(mount.status().message());
  EXPECT_EQ(message.substr(0, frame.size()), frame);
  return message.substr(std::min(frame.size(), message.size()));
}

TEST(ParseMountFlagTest, VolumeMounts) {
  EXPECT_EQ(Mount("target=/data"), "type: TYPE_VOLUME target: \"/data\"");
  EXPECT_EQ(Mount("type=volume,source=data,target=/data,readonly"),
            "type: TYPE_VOLUME source: \"data\" target: \"/data\" "
            "read_only: true");
  EXPECT_EQ(Mount("Type=VOLUME,src=data,dst=/d,ro=false,volume-nocopy,"
                  "volume-label=a=b,volume-label=c,volume-driver=local,"
                  "volume-opt=type=tmpfs,volume-opt=o=size=1m,"
                  "volume-subpath=sub/dir"),
            "type: TYPE_VOLUME source: \"data\" target: \"/d\" "
            "volume_options { no_copy: true labels { key: \"a\" value: \"b\" "
            "} labels { key: \"c\" value: \"\" } driver: \"local\" "
            "driver_options { key: \"o\" value: \"size=1m\" } "
            "driver_options { key: \"type\" value: \"tmpfs\" } "
            "subpath: \"sub/dir\" }");
  EXPECT_EQ(Mount("destination=/d,volume-nocopy=0,consistency=cached"),
            "type: TYPE_VOLUME target: \"/d\" volume_options { }");
}

TEST(ParseMountFlagTest, BindAndTmpfsMounts) {
  EXPECT_EQ(Mount("type=bind,source=/srv,target=/srv,bind-propagation=rslave,"
                  "bind-nonrecursive"),
            "type: TYPE_BIND source: \"/srv\" target: \"/srv\" "
            "bind_options { propagation: PROPAGATION_RSLAVE non_recursive: "
            "true }");
  // Only a source starting with "." is relative, as in Docker.
  EXPECT_EQ(Mount("type=bind,src=./conf/../etc,dst=/etc/app,ro=1"),
            "type: TYPE_BIND source: \"/home/me/app/etc\" target: "
            "\"/etc/app\" read_only: true");
  EXPECT_EQ(Mount("type=bind,src=rel,dst=/x,bind-recursive=disabled"),
            "type: TYPE_BIND source: \"rel\" target: \"/x\" bind_options { "
            "non_recursive: true }");
  EXPECT_EQ(Mount("type=tmpfs,target=/run,tmpfs-size=64m,tmpfs-mode=1770"),
            "type: TYPE_TMPFS target: \"/run\" tmpfs_options { size_bytes: "
            "67108864 mode: 1016 }");
  // CSV quoting, as Go's encoding/csv.
  EXPECT_EQ(Mount("type=bind,\"source=/a,b\",target=/c"),
            "type: TYPE_BIND source: \"/a,b\" target: \"/c\"");
}

TEST(ParseMountFlagTest, DockersErrors) {
  EXPECT_EQ(MountError("type=volume,x=y,target=/d"),
            "unexpected key 'x' in 'x=y'");
  EXPECT_EQ(MountError("type=volume,source=v"), "target is required");
  EXPECT_EQ(MountError("type=,target=/d"), "type is required");
  EXPECT_EQ(MountError("target=/d,bogus"),
            "invalid field 'bogus' must be a key=value pair");
  EXPECT_EQ(MountError("target=/d,readonly=maybe"),
            "invalid value for readonly: maybe");
  EXPECT_EQ(MountError("target=/d,volume-nocopy=2"),
            "invalid value for volume-nocopy: 2");
  EXPECT_EQ(MountError("type=tmpfs,target=/d,tmpfs-size=lots"),
            "invalid value for tmpfs-size: lots");
  EXPECT_EQ(MountError("type=tmpfs,target=/d,tmpfs-mode=999"),
            "invalid value for tmpfs-mode: 999");
  EXPECT_EQ(MountError("type=bind,src=/a,target=/d,volume-nocopy"),
            "cannot mix 'volume-*' options with mount type 'bind'");
  EXPECT_EQ(MountError("target=/d,bind-propagation=shared"),
            "cannot mix 'bind-*' options with mount type 'volume'");
  EXPECT_EQ(MountError("type=bind,src=/a,target=/d,tmpfs-size=1m"),
            "cannot mix 'tmpfs-*' options with mount type 'bind'");
  EXPECT_EQ(MountError("target=/d,image-subpath=x"),
            "cannot mix 'image-*' options with mount type 'volume'");
  EXPECT_EQ(MountError("type=bind,src=/a,target=/d,bind-recursive=sometimes"),
            "invalid value for bind-recursive: sometimes (must be \"enabled\", "
            "\"disabled\", \"writable\", or \"readonly\")");
  EXPECT_EQ(MountError("type=bind,src=/a,target=/d,bind-recursive=writable"),
            "invalid value for bind-recursive: writable (Berth supports "
            "\"enabled\" and \"disabled\")");
  EXPECT_EQ(MountError(""), "EOF");
  EXPECT_EQ(MountError("target=/d,src=a\"b"),
            "parse error on line 1, column 16: bare \" in non-quoted-field");
  EXPECT_EQ(MountError("\"target=/d"),
            "parse error on line 1, column 11: extraneous or missing \" in "
            "quoted-field");
}

TEST(ParseMountFlagTest, TheDaemonsChecksMadeEarly) {
  EXPECT_EQ(MountError("type=foo,target=/d"),
            "invalid mount config for type \"foo\": mount type unknown");
  EXPECT_EQ(MountError("type=bind,target=/d"),
            "invalid mount config for type \"bind\": field Source must not "
            "be empty");
  EXPECT_EQ(MountError("type=tmpfs,source=x,target=/d"),
            "invalid mount config for type \"tmpfs\": field Source must not "
            "be specified");
  EXPECT_EQ(MountError("target=rel"),
            "invalid mount config for type \"volume\": invalid mount path: "
            "'rel' mount path must be absolute");
  EXPECT_EQ(MountError("type=bind,src=/a,target=/d,bind-propagation=weird"),
            "invalid propagation mode: weird");
}

TEST(ParseTmpfsFlagTest, SizeAndModeParsedOthersKept) {
  absl::StatusOr<types::v1::Mount> mount =
      ParseTmpfsFlag("/run:rw,noexec,nosuid,size=65536k,mode=1777");
  ASSERT_TRUE(mount.ok()) << mount.status();
  EXPECT_EQ(mount->ShortDebugString(),
            "type: TYPE_TMPFS target: \"/run\" tmpfs_options { size_bytes: "
            "67108864 mode: 1023 options: \"noexec\" options: \"nosuid\" }");
  mount = ParseTmpfsFlag("/tmp");
  ASSERT_TRUE(mount.ok());
  EXPECT_EQ(mount->ShortDebugString(),
            "type: TYPE_TMPFS target: \"/tmp\" tmpfs_options { }");
  mount = ParseTmpfsFlag("/ro:ro");
  ASSERT_TRUE(mount.ok());
  EXPECT_TRUE(mount->read_only());
}

TEST(ParseTmpfsFlagTest, Errors) {
  EXPECT_EQ(ParseTmpfsFlag("/t:size=big").status().message(),
            "invalid argument \"/t:size=big\" for \"--tmpfs\" flag: invalid "
            "size: 'big'");
  EXPECT_EQ(ParseTmpfsFlag("/t:mode=rwx").status().message(),
            "invalid argument \"/t:mode=rwx\" for \"--tmpfs\" flag: invalid "
            "tmpfs mode: 'rwx' (an octal mode such as 1777)");
  EXPECT_EQ(ParseTmpfsFlag("tmp").status().message(),
            "invalid argument \"tmp\" for \"--tmpfs\" flag: invalid mount "
            "path: 'tmp' mount path must be absolute");
  EXPECT_FALSE(ParseTmpfsFlag("").ok());
}

TEST(ParseVolumeFlagTest, AnonymousOrBind) {
  auto parsed = [](const std::string& value) {
    absl::StatusOr<VolumeFlag> flag = ParseVolumeFlag(value, kCwd);
    EXPECT_TRUE(flag.ok()) << value << ": " << flag.status();
    if (!flag.ok()) return std::string();
    return std::string(flag->anonymous ? "anonymous " : "bind ") + flag->value;
  };
  EXPECT_EQ(parsed("/data"), "anonymous /data");
  EXPECT_EQ(parsed("/a"), "anonymous /a");
  EXPECT_EQ(parsed("data:/data"), "bind data:/data");
  EXPECT_EQ(parsed("/srv:/srv:ro,z"), "bind /srv:/srv:ro,z");
  EXPECT_EQ(parsed("./conf:/etc/app:ro"), "bind /home/me/app/conf:/etc/app:ro");
  EXPECT_EQ(parsed("~/x:/x"), "bind ~/x:/x");
}

TEST(ParseVolumeFlagTest, DockersErrors) {
  auto error = [](const std::string& value) {
    return std::string(ParseVolumeFlag(value, kCwd).status().message());
  };
  EXPECT_EQ(error(""), "invalid empty volume spec");
  EXPECT_EQ(error("/a::ro"), "invalid spec: /a::ro: empty section between colons");
  EXPECT_EQ(error("/a:/b:"), "invalid spec: /a:/b:: empty section between colons");
  EXPECT_EQ(error("/a:/b:ro:x"), "invalid spec: /a:/b:ro:x: too many colons");
}

std::string Device(const std::string& value) {
  absl::StatusOr<container::v1::DeviceMapping> device = ParseDeviceFlag(value);
  EXPECT_TRUE(device.ok()) << value << ": " << device.status();
  if (!device.ok()) return "";
  return device->path_on_host() + " " + device->path_in_container() + " " +
         device->cgroup_permissions();
}

TEST(ParseDeviceFlagTest, DockersForms) {
  EXPECT_EQ(Device("/dev/fuse"), "/dev/fuse /dev/fuse rwm");
  EXPECT_EQ(Device("/dev//sda/"), "/dev/sda /dev/sda rwm");
  EXPECT_EQ(Device("/dev/sda:r"), "/dev/sda /dev/sda r");
  EXPECT_EQ(Device("/dev/sda:mw"), "/dev/sda /dev/sda mw");
  EXPECT_EQ(Device("/dev/sda:/dev/xvdc/"), "/dev/sda /dev/xvdc rwm");
  EXPECT_EQ(Device("/dev/sda:/dev/xvdc:rw"), "/dev/sda /dev/xvdc rw");
}

TEST(ParseDeviceFlagTest, DockersErrors) {
  auto error = [](const std::string& value) {
    return std::string(ParseDeviceFlag(value).status().message());
  };
  EXPECT_EQ(error(""), "bad format for path: ");
  EXPECT_EQ(error(":/dev/x"), "bad format for path: :/dev/x");
  EXPECT_EQ(error("/a:/b:rw:x"), "bad format for path: /a:/b:rw:x");
  EXPECT_EQ(error("/dev/sda:/dev/xvdc:rwx"), "bad mode specified: rwx");
  EXPECT_EQ(error("/dev/sda:/dev/xvdc:rr"), "bad mode specified: rr");
  // A second part that is no permission set is the container path.
  EXPECT_EQ(error("/dev/sda:rwx"), "rwx is not an absolute path");
  EXPECT_EQ(error("sda"), "sda is not an absolute path");
}

}  // namespace
}  // namespace berth::ctl
