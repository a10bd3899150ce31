#include "common/config.h"

#include <fstream>

#include "gtest/gtest.h"

namespace berth {
namespace {

using config::v1::Config;

Config Resolve(const std::string& json, const ConfigOverrides& overrides = {}) {
  auto parsed = ParseConfig(json);
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  auto resolved = ResolveConfig(*parsed, overrides);
  EXPECT_TRUE(resolved.ok()) << resolved.status();
  return *resolved;
}

TEST(ConfigTest, DefaultsApplyWithoutFileOrFlags) {
  Config config = Resolve("{}");
  EXPECT_EQ(config.root(), "/var/lib/berth");
  EXPECT_EQ(config.run_root(), "/run/berth");
  EXPECT_EQ(config.log().level(), "info");
  EXPECT_EQ(config.imaged().socket(), "/run/berth/imaged.sock");
  EXPECT_EQ(config.containerd().socket(), "/run/berth/containerd.sock");
  EXPECT_EQ(config.netd().socket(), "/run/berth/netd.sock");
  EXPECT_EQ(config.volumed().socket(), "/run/berth/volumed.sock");
  EXPECT_EQ(config.netd().log().level(), "info");
  EXPECT_EQ(config.runtime().cgroup_parent(), "berth");
  EXPECT_EQ(config.runtime().shim_path(), "");
  EXPECT_EQ(config.runtime().userns_range().host_uid(), 100000u);
  EXPECT_EQ(config.runtime().userns_range().host_gid(), 100000u);
  EXPECT_EQ(config.runtime().userns_range().size(), 65536u);
}

TEST(ConfigTest, RuntimeSectionIsValidated) {
  auto ok = ParseConfig(
      R"({"runtime": {"shimPath": "/opt/berth-shim", "cgroupParent": "a/b"}})");
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->runtime().shim_path(), "/opt/berth-shim");
  auto relative = ParseConfig(R"({"runtime": {"shimPath": "berth-shim"}})");
  EXPECT_NE(relative.status().message().find("runtime.shimPath"),
            std::string::npos);
  auto range = ParseConfig(
      R"({"runtime": {"usernsRange": {"hostUid": 200000, "hostGid": 300000, "size": 1000}}})");
  ASSERT_TRUE(range.ok()) << range.status();
  EXPECT_EQ(range->runtime().userns_range().host_gid(), 300000u);
  auto to_root = ParseConfig(
      R"({"runtime": {"usernsRange": {"hostUid": 0, "hostGid": 1, "size": 10}}})");
  EXPECT_NE(to_root.status().message().find("runtime.usernsRange"),
            std::string::npos);
  auto overflowing = ParseConfig(R"({"runtime": {"usernsRange":
      {"hostUid": 4294967000, "hostGid": 1, "size": 65536}}})");
  EXPECT_NE(overflowing.status().message().find("overflows"), std::string::npos);
  auto escaping = ParseConfig(R"({"runtime": {"cgroupParent": "../x"}})");
  EXPECT_NE(escaping.status().message().find("runtime.cgroupParent"),
            std::string::npos);
}

TEST(ConfigTest, FileOverridesDefaults) {
  Config config = Resolve(R"({"root": "/srv/berth", "runRoot": "/tmp/r",
                              "log": {"level": "debug"},
                              "netd": {"socket": "/tmp/n.sock"}})");
  EXPECT_EQ(config.root(), "/srv/berth");
  EXPECT_EQ(config.imaged().socket(), "/tmp/r/imaged.sock");
  EXPECT_EQ(config.netd().socket(), "/tmp/n.sock");
  EXPECT_EQ(config.volumed().log().level(), "debug");
}

TEST(ConfigTest, FlagsOverrideFile) {
  ConfigOverrides flags;
  flags.root = "/flag/root";
  flags.run_root = "/flag/run";
  flags.log_level = "error";
  Config config = Resolve(R"({"root": "/file/root", "runRoot": "/file/run",
                              "log": {"level": "debug"}})",
                          flags);
  EXPECT_EQ(config.root(), "/flag/root");
  EXPECT_EQ(config.run_root(), "/flag/run");
  EXPECT_EQ(config.containerd().socket(), "/flag/run/containerd.sock");
  EXPECT_EQ(config.log().level(), "error");
}

TEST(ConfigTest, ServiceLevelOverridesTopLevel) {
  ConfigOverrides flags;
  flags.log_level = "warn";
  Config config = Resolve(R"({"imaged": {"log": {"level": "trace"}}})", flags);
  EXPECT_EQ(config.imaged().log().level(), "trace");
  EXPECT_EQ(config.netd().log().level(), "warn");
}

TEST(ConfigTest, SnakeCaseKeysAreAccepted) {
  Config config = Resolve(R"({"run_root": "/tmp/snake"})");
  EXPECT_EQ(config.run_root(), "/tmp/snake");
}

TEST(ConfigTest, UnknownKeyIsAnErrorNamingIt) {
  auto parsed = ParseConfig(R"({"root": "/x", "rooot": "/y"})");
  ASSERT_TRUE(absl::IsInvalidArgument(parsed.status())) << parsed.status();
  EXPECT_NE(parsed.status().message().find("rooot"), std::string::npos)
      << parsed.status();
}

TEST(ConfigTest, UnknownNestedKeyIsAnErrorNamingIt) {
  auto parsed = ParseConfig(R"({"netd": {"sockett": "/x"}})");
  ASSERT_TRUE(absl::IsInvalidArgument(parsed.status()));
  EXPECT_NE(parsed.status().message().find("sockett"), std::string::npos)
      << parsed.status();
}

TEST(ConfigTest, WrongTypeIsAnErrorNamingTheKey) {
  auto parsed = ParseConfig(R"({"log": {"level": 3}})");
  ASSERT_TRUE(absl::IsInvalidArgument(parsed.status()));
  EXPECT_NE(parsed.status().message().find("level"), std::string::npos)
      << parsed.status();
}

TEST(ConfigTest, BadLogLevelNamesKey) {
  auto parsed = ParseConfig(R"({"volumed": {"log": {"level": "loud"}}})");
  ASSERT_TRUE(absl::IsInvalidArgument(parsed.status()));
  EXPECT_NE(parsed.status().message().find("volumed.log.level"),
            std::string::npos)
      << parsed.status();
}

TEST(ConfigTest, RelativePathIsRejected) {
  auto parsed = ParseConfig(R"({"root": "var/lib/berth"})");
  ASSERT_TRUE(absl::IsInvalidArgument(parsed.status()));
  EXPECT_NE(parsed.status().message().find("root"), std::string::npos);
}

TEST(ConfigTest, BadFlagValueIsRejectedNamingFlag) {
  ConfigOverrides flags;
  flags.log_level = "chatty";
  auto resolved = ResolveConfig(Config(), flags);
  ASSERT_TRUE(absl::IsInvalidArgument(resolved.status()));
  EXPECT_NE(resolved.status().message().find("--log-level"), std::string::npos);
}

TEST(ConfigTest, MalformedJsonIsAnError) {
  EXPECT_TRUE(absl::IsInvalidArgument(ParseConfig("{\"root\": ").status()));
}

TEST(ConfigTest, LoadConfigFileReadsFileAndNamesItInErrors) {
  char path[] = "/tmp/berth-config-test-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  std::ofstream(path) << R"({"root": "/from/file"})";
  auto loaded = LoadConfigFile(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->root(), "/from/file");

  std::ofstream(path) << R"({"bogus": 1})";
  auto bad = LoadConfigFile(path);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find(path), std::string::npos);
  unlink(path);

  EXPECT_TRUE(absl::IsNotFound(LoadConfigFile(path).status()));
}

}  // namespace
}  // namespace berth
