#include "ctl/cli/client_config.h"

#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "gtest/gtest.h"

namespace berth::ctl {
namespace {

TEST(ClientConfigTest, ReadsDetachKeys) {
  auto config = ParseClientConfig(R"({"detachKeys":"ctrl-a,x","auths":{}})",
                                  "config.json");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->detach_keys, "ctrl-a,x");
}

TEST(ClientConfigTest, ReadsTheListingFormats) {
  auto config = ParseClientConfig(
      R"({"psFormat":"{{.ID}}","imagesFormat":"{{.Tag}}",)"
      R"("statsFormat":"table {{.Name}}"})",
      "config.json");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->ps_format, "{{.ID}}");
  EXPECT_EQ(config->images_format, "{{.Tag}}");
  EXPECT_EQ(config->stats_format, "table {{.Name}}");
  auto wrong_type = ParseClientConfig(R"({"statsFormat":["x"]})", "c.json");
  ASSERT_FALSE(wrong_type.ok());
  EXPECT_NE(wrong_type.status().message().find("statsFormat"),
            std::string::npos);
}

TEST(ClientConfigTest, EmptyObjectIsTheDefaults) {
  auto config = ParseClientConfig("{}", "config.json");
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->detach_keys, "");
}

TEST(ClientConfigTest, BadFilesNameThemselves) {
  auto not_json = ParseClientConfig("{detachKeys", "/x/config.json");
  ASSERT_FALSE(not_json.ok());
  EXPECT_NE(not_json.status().message().find("/x/config.json"),
            std::string::npos);
  auto wrong_type = ParseClientConfig(R"({"detachKeys":3})", "c.json");
  ASSERT_FALSE(wrong_type.ok());
  EXPECT_NE(wrong_type.status().message().find("detachKeys"),
            std::string::npos);
}

TEST(ClientConfigTest, LoadsFromTheDirectoryAndMissingIsDefaults) {
  char dir[] = "/tmp/client_config_testXXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  auto missing = LoadClientConfig(dir);
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->detach_keys, "");
  const std::string path = std::string(dir) + "/config.json";
  std::ofstream(path) << R"({"detachKeys":"ctrl-x"})";
  auto loaded = LoadClientConfig(dir);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->detach_keys, "ctrl-x");
  unlink(path.c_str());
  rmdir(dir);
}

TEST(ClientConfigTest, DirectoryFromTheEnvironment) {
  setenv("BERTH_CONFIG", "/etc/berth-client", 1);
  EXPECT_EQ(ClientConfigDir(), "/etc/berth-client");
  unsetenv("BERTH_CONFIG");
  setenv("HOME", "/home/u", 1);
  EXPECT_EQ(ClientConfigDir(), "/home/u/.berth");
}

}  // namespace
}  // namespace berth::ctl
