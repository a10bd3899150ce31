#include "services/imaged/registry/credentials.h"

#include <sys/stat.h>

#include <cstdlib>

#include "absl/strings/escaping.h"
#include "common/fs_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace berth::imaged::registry {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kSecret[] = "hunter2-secret";

std::string B64(absl::string_view text) { return absl::Base64Escape(text); }

TEST(ParseAuthsTest, AuthFieldUsernamePasswordAndIdentityToken) {
  const std::string config = R"({
    "auths": {
      "https://index.docker.io/v1/": {"auth": ")" + B64("hub:pa:ss") + R"("},
      "127.0.0.1:5000": {"username": "u", "password": "p"},
      "reg.example": {"auth": ")" + B64("a:b") + R"(", "username": "x",
                      "password": "y", "identitytoken": "idt",
                      "email": "ignored@example.com"},
      "padded": {"auth": ")" + B64(std::string("me:pw\0\0", 7)) + R"("},
      "empty": {}
    },
    "credsStore": "desktop"
  })";
  auto auths = ParseAuths(config);
  ASSERT_TRUE(auths.ok()) << auths.status();
  ASSERT_EQ(auths->size(), 5u);
  // Only the first ":" separates: passwords may hold colons.
  EXPECT_EQ(auths->at(kDockerHubAuthKey), (AuthEntry{"hub", "pa:ss", ""}));
  EXPECT_EQ(auths->at("127.0.0.1:5000"), (AuthEntry{"u", "p", ""}));
  // "auth" wins over username/password, as in Docker.
  EXPECT_EQ(auths->at("reg.example"), (AuthEntry{"a", "b", "idt"}));
  EXPECT_EQ(auths->at("padded"), (AuthEntry{"me", "pw", ""}));
  EXPECT_EQ(auths->at("empty"), AuthEntry());
}

TEST(ParseAuthsTest, NoAuths) {
  for (const char* config : {"{}", R"({"auths":null})", R"({"auths":{}})",
                             R"({"credsStore":"x"})"}) {
    auto auths = ParseAuths(config);
    ASSERT_TRUE(auths.ok()) << config << ": " << auths.status();
    EXPECT_TRUE(auths->empty());
  }
}

TEST(ParseAuthsTest, ErrorsNameTheEntryButNoSecret) {
  const std::string secret_b64 = B64(kSecret);  // no ":" in it
  struct Case {
    std::string config;
    std::string message;
  };
  for (const Case& c : std::vector<Case>{
           {std::string("{\"auths\": {\"r\": {\"password\": \"") + kSecret,
            "config file: not a JSON object"},
           {std::string("[\"") + kSecret + "\"]",
            "config file: not a JSON object"},
           {R"({"auths": [1]})", "config file: field \"auths\" is not an object"},
           {R"({"auths": {"r:1": "x"}})",
            "config file: auths entry \"r:1\" is not an object"},
           {std::string(R"({"auths": {"r": {"password": ")") + kSecret +
                R"(", "username": 7}}})",
            "config file: auths entry \"r\" field \"username\" is not a string"},
           {std::string(R"({"auths": {"r": {"auth": "%%)") + kSecret + R"("}}})",
            "config file: auths entry \"r\" has an \"auth\" field that is not "
            "base64"},
           {R"({"auths": {"r": {"auth": ")" + secret_b64 + R"("}}})",
            "config file: auths entry \"r\" has an \"auth\" field that is not "
            "user:password"},
           {R"({"auths": {"r": {"auth": ")" + B64(std::string(":") + kSecret) +
                R"("}}})",
            "config file: auths entry \"r\" has an \"auth\" field that is not "
            "user:password"},
       }) {
    auto auths = ParseAuths(c.config);
    EXPECT_EQ(auths.status().code(), absl::StatusCode::kInvalidArgument)
        << c.config;
    EXPECT_EQ(auths.status().message(), c.message) << c.config;
    EXPECT_THAT(std::string(auths.status().message()),
                Not(HasSubstr(kSecret)));
    EXPECT_THAT(std::string(auths.status().message()),
                Not(HasSubstr(secret_b64)));
  }
}

TEST(ReplaceAuthsTest, KeepsOtherKeysInOrderAndWritesAuthAsDocker) {
  AuthMap auths;
  auths[kDockerHubAuthKey] = {"hub", "pw", ""};
  auths["127.0.0.1:5000"] = {"", "", "idt"};
  auto text = ReplaceAuths(
      R"({"zeta": 1, "auths": {"old": {"auth": "eDp5"}}, "alpha": {"k": [1]}})",
      auths);
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(*text, "{\n"
                   "\t\"zeta\": 1,\n"
                   "\t\"auths\": {\n"
                   "\t\t\"127.0.0.1:5000\": {\n"
                   "\t\t\t\"identitytoken\": \"idt\"\n"
                   "\t\t},\n"
                   "\t\t\"https://index.docker.io/v1/\": {\n"
                   "\t\t\t\"auth\": \"" + B64("hub:pw") + "\"\n"
                   "\t\t}\n"
                   "\t},\n"
                   "\t\"alpha\": {\n"
                   "\t\t\"k\": [\n"
                   "\t\t\t1\n"
                   "\t\t]\n"
                   "\t}\n"
                   "}\n");
  auto back = ParseAuths(*text);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, auths);
}

TEST(ReplaceAuthsTest, NewFileAndErrors) {
  auto text = ReplaceAuths("", {});
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(*text, "{\n\t\"auths\": {}\n}\n");
  EXPECT_EQ(ReplaceAuths("[1]", {}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ReplaceAuths(std::string("{\"a\":\"") + kSecret, {})
                .status()
                .message(),
            "config file: not a JSON object");
}

TEST(AuthKeyTest, DockerHubAndOthers) {
  EXPECT_EQ(AuthKey("docker.io"), kDockerHubAuthKey);
  EXPECT_EQ(AuthKey("index.docker.io"), kDockerHubAuthKey);
  EXPECT_EQ(AuthKey("127.0.0.1:5000"), "127.0.0.1:5000");
  EXPECT_EQ(AuthKey("localhost:5000"), "localhost:5000");
  EXPECT_EQ(AuthKeyHost("https://r.example:5000/v2/"), "r.example:5000");
  EXPECT_EQ(AuthKeyHost("http://r"), "r");
  EXPECT_EQ(AuthKeyHost("r/path"), "r");
  EXPECT_EQ(AuthKeyHost(kDockerHubAuthKey), "index.docker.io");
}

TEST(FindAuthTest, DockersLookupRules) {
  AuthMap auths = {
      {kDockerHubAuthKey, {"hub", "1", ""}},
      {"https://old.example:5000", {"old", "2", ""}},
      {"http://path.example/v2/", {"path", "3", ""}},
      {"exact.example", {"exact", "4", ""}},
      {"https://exact.example", {"scheme", "5", ""}},
  };
  ASSERT_NE(FindAuth(auths, "docker.io"), nullptr);
  EXPECT_EQ(FindAuth(auths, "docker.io")->username, "hub");
  EXPECT_EQ(FindAuth(auths, "old.example:5000")->username, "old");
  EXPECT_EQ(FindAuth(auths, "path.example")->username, "path");
  // The exact key wins over a key that only matches by host.
  EXPECT_EQ(FindAuth(auths, "exact.example")->username, "exact");
  // The port is part of the host.
  EXPECT_EQ(FindAuth(auths, "old.example"), nullptr);
  EXPECT_EQ(FindAuth(auths, "path.example:443"), nullptr);
  EXPECT_EQ(FindAuth(auths, "other"), nullptr);

  AuthMap legacy_hub = {{"https://index.docker.io/v2/", {"v2", "x", ""}}};
  ASSERT_NE(FindAuth(legacy_hub, "docker.io"), nullptr);
  EXPECT_EQ(FindAuth(legacy_hub, "docker.io")->username, "v2");
}

TEST(SetAuthTest, ReplacesEveryMatchingEntry) {
  AuthMap auths = {
      {"https://r:5000", {"a", "1", ""}},
      {"r:5000", {"b", "2", ""}},
      {"r:5001", {"c", "3", ""}},
  };
  SetAuth(auths, "r:5000", {"new", "pw", ""});
  EXPECT_EQ(auths, (AuthMap{{"r:5000", {"new", "pw", ""}},
                            {"r:5001", {"c", "3", ""}}}));
  SetAuth(auths, "docker.io", {"hub", "pw", ""});
  EXPECT_EQ(auths.at(kDockerHubAuthKey).username, "hub");

  EXPECT_EQ(RemoveAuth(auths, "docker.io"), 1);
  EXPECT_EQ(RemoveAuth(auths, "r:5000"), 1);
  EXPECT_EQ(RemoveAuth(auths, "r:5000"), 0);
  EXPECT_EQ(auths, (AuthMap{{"r:5001", {"c", "3", ""}}}));
}

class AuthsFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TEST_TMPDIR");
    auto dir = MakeTempDir(tmp ? tmp : "/tmp", "auths-");
    ASSERT_TRUE(dir.ok()) << dir.status();
    dir_ = *dir;
  }
  void TearDown() override { (void)RemoveTree(dir_); }

  std::string dir_;
};

TEST_F(AuthsFileTest, MissingFileIsEmpty) {
  auto auths = ReadAuthsFile(dir_ + "/none/config.json");
  ASSERT_TRUE(auths.ok()) << auths.status();
  EXPECT_TRUE(auths->empty());
}

TEST_F(AuthsFileTest, WriteCreatesDirAndFilePrivateAndKeepsOtherKeys) {
  const std::string path = dir_ + "/.berth/config.json";
  AuthMap auths = {{"127.0.0.1:5000", {"u", kSecret, ""}}};
  ASSERT_TRUE(WriteAuthsFile(path, auths).ok());

  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(stat((dir_ + "/.berth").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);

  auto read = ReadAuthsFile(path);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(*read, auths);

  // A file with other keys, written by hand with a wider mode.
  ASSERT_TRUE(WriteFileAtomic(path,
                              R"({"credHelpers": {"gcr.io": "gcloud"},
                                  "auths": {"x": {}}, "detachKeys": "ctrl-e"})",
                              0644)
                  .ok());
  ASSERT_TRUE(WriteAuthsFile(path, {{"y", {"u", "p", ""}}}).ok());
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto text = ReadFileToString(path);
  ASSERT_TRUE(text.ok());
  const nlohmann::json json = nlohmann::json::parse(*text);
  EXPECT_EQ(json["credHelpers"]["gcr.io"], "gcloud");
  EXPECT_EQ(json["detachKeys"], "ctrl-e");
  EXPECT_FALSE(json["auths"].contains("x"));
  EXPECT_TRUE(json["auths"].contains("y"));
  auto entries = ListDir(dir_ + "/.berth");
  ASSERT_TRUE(entries.ok());
  EXPECT_EQ(entries->size(), 1u) << "no temp file is left behind";
}

TEST_F(AuthsFileTest, CorruptFileErrorsCarryThePathNotTheSecret) {
  const std::string path = dir_ + "/config.json";
  ASSERT_TRUE(
      WriteFileAtomic(path, std::string("{\"auths\": \"") + kSecret, 0600)
          .ok());
  auto read = ReadAuthsFile(path);
  EXPECT_EQ(read.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(read.status().message()), HasSubstr(path));
  EXPECT_THAT(std::string(read.status().message()), Not(HasSubstr(kSecret)));

  absl::Status write = WriteAuthsFile(path, {});
  EXPECT_EQ(write.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(write.message()), HasSubstr(path));
  EXPECT_THAT(std::string(write.message()), Not(HasSubstr(kSecret)));
  // The corrupt file is left as it was.
  auto text = ReadFileToString(path);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, std::string("{\"auths\": \"") + kSecret);
}

}  // namespace
}  // namespace berth::imaged::registry
