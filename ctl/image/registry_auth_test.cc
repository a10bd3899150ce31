#include "ctl/image/registry_auth.h"

#include <sys/stat.h>

#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/fs_util.h"
#include "gtest/gtest.h"

namespace berth::ctl {
namespace {

// A temp HOME with Berth's and Docker's config directories, the
// environment pointing at it.
class RegistryAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::string> dir = MakeTempDir("/tmp", "registry-auth-");
    ASSERT_TRUE(dir.ok());
    home_ = *dir;
    setenv("HOME", home_.c_str(), 1);
    unsetenv("BERTH_CONFIG");
    unsetenv("DOCKER_CONFIG");
    mkdir((home_ + "/.berth").c_str(), 0700);
    mkdir((home_ + "/.docker").c_str(), 0700);
  }
  void TearDown() override { (void)RemoveTree(home_); }

  void Write(const std::string& relative, const std::string& text) {
    ASSERT_TRUE(WriteFileAtomic(absl::StrCat(home_, "/", relative), text).ok());
  }

  std::string home_;
};

// "user:secret" and "docker:dsecret" in base64.
constexpr char kBerthFile[] =
    R"({"auths": {"127.0.0.1:5000": {"auth": "dXNlcjpzZWNyZXQ="}}})";
constexpr char kDockerFile[] =
    R"({"auths": {"https://index.docker.io/v1/": {"auth": "ZG9ja2VyOmRzZWNyZXQ="},
                  "127.0.0.1:5000": {"auth": "ZG9ja2VyOmRzZWNyZXQ="}}})";

TEST_F(RegistryAuthTest, PathsFollowHomeAndTheEnvironment) {
  EXPECT_EQ(BerthCredentialsPath(), home_ + "/.berth/config.json");
  EXPECT_EQ(DockerCredentialsPath(), home_ + "/.docker/config.json");
  setenv("BERTH_CONFIG", "/etc/b", 1);
  setenv("DOCKER_CONFIG", "/etc/d", 1);
  EXPECT_EQ(BerthCredentialsPath(), "/etc/b/config.json");
  EXPECT_EQ(DockerCredentialsPath(), "/etc/d/config.json");
}

TEST_F(RegistryAuthTest, BerthsFileWinsWhenItExists) {
  Write(".berth/config.json", kBerthFile);
  Write(".docker/config.json", kDockerFile);
  image::v1::RegistryAuth auth = RegistryAuthFor("127.0.0.1:5000");
  EXPECT_EQ(auth.server_address(), "127.0.0.1:5000");
  EXPECT_EQ(auth.username(), "user");
  EXPECT_EQ(auth.password(), "secret");
  // The whole file decides: Docker Hub's entry in Docker's file is not
  // read while Berth's file exists.
  auth = RegistryAuthFor("docker.io");
  EXPECT_EQ(auth.server_address(), "docker.io");
  EXPECT_EQ(auth.username(), "");
  EXPECT_EQ(auth.password(), "");
}

TEST_F(RegistryAuthTest, DockersFileIsReadWhenBerthsIsMissing) {
  Write(".docker/config.json", kDockerFile);
  image::v1::RegistryAuth auth = RegistryAuthFor("docker.io");
  EXPECT_EQ(auth.username(), "docker");
  EXPECT_EQ(auth.password(), "dsecret");
  EXPECT_EQ(RegistryAuthFor("127.0.0.1:5000").username(), "docker");
}

TEST_F(RegistryAuthTest, NoFileMeansAnonymous) {
  image::v1::RegistryAuth auth = RegistryAuthFor("registry.example:443");
  EXPECT_EQ(auth.server_address(), "registry.example:443");
  EXPECT_EQ(auth.username(), "");
  EXPECT_EQ(auth.identity_token(), "");
}

TEST_F(RegistryAuthTest, IdentityTokenIsSentAsStored) {
  Write(
      ".berth/config.json",
      R"({"auths": {"r.example": {"auth": "dXNlcjo=", "identitytoken": "tok"}}})");
  image::v1::RegistryAuth auth = RegistryAuthFor("r.example");
  EXPECT_EQ(auth.username(), "user");
  EXPECT_EQ(auth.password(), "");
  EXPECT_EQ(auth.identity_token(), "tok");
}

TEST_F(RegistryAuthTest, BadFileIsAnErrorNamingItButNoSecret) {
  Write(".berth/config.json",
        R"({"auths": {"r": {"auth": 7}}, "x": "secret"})");
  absl::StatusOr<image::v1::RegistryAuth> auth =
      LookupRegistryAuth("r", BerthCredentialsPath(), DockerCredentialsPath());
  ASSERT_FALSE(auth.ok());
  EXPECT_NE(auth.status().message().find(BerthCredentialsPath()),
            std::string::npos);
  EXPECT_EQ(auth.status().message().find("secret"), std::string::npos);
  // The commands go on anonymously.
  EXPECT_EQ(RegistryAuthFor("r").username(), "");
}

TEST(SearchTermRegistryTest, AsDockersSplitReposSearchTerm) {
  EXPECT_EQ(SearchTermRegistry("busybox"), "docker.io");
  EXPECT_EQ(SearchTermRegistry("samalba/hipache"), "docker.io");
  EXPECT_EQ(SearchTermRegistry("127.0.0.1:5000/app"), "127.0.0.1:5000");
  EXPECT_EQ(SearchTermRegistry("localhost/app"), "localhost");
  EXPECT_EQ(SearchTermRegistry("registry.example/ns/app"), "registry.example");
  EXPECT_EQ(SearchTermRegistry("index.docker.io/busybox"), "docker.io");
}

}  // namespace
}  // namespace berth::ctl
