#include "services/containerd/network_mode.h"

#include "gtest/gtest.h"

namespace berth::containerd {
namespace {

TEST(NetworkModeTest, ParsesDockersStrings) {
  struct Case {
    const char* given;
    NetworkMode::Kind kind;
    const char* canonical;
  } cases[] = {
      {"", NetworkMode::Kind::kBridge, "bridge"},
      {"default", NetworkMode::Kind::kBridge, "bridge"},
      {"none", NetworkMode::Kind::kNone, "none"},
      {"host", NetworkMode::Kind::kHost, "host"},
      {"bridge", NetworkMode::Kind::kBridge, "bridge"},
      {"container:web", NetworkMode::Kind::kContainer, "container:web"},
      {"backend", NetworkMode::Kind::kNetwork, "backend"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<NetworkMode> mode = ParseNetworkMode(c.given);
    ASSERT_TRUE(mode.ok()) << c.given << ": " << mode.status();
    EXPECT_EQ(mode->kind, c.kind) << c.given;
    EXPECT_EQ(mode->ToString(), c.canonical);
  }
}

TEST(NetworkModeTest, NamespacesOfTheirOwn) {
  EXPECT_TRUE(ParseNetworkMode("none")->OwnNamespace());
  EXPECT_TRUE(ParseNetworkMode("bridge")->OwnNamespace());
  EXPECT_FALSE(ParseNetworkMode("host")->OwnNamespace());
  EXPECT_FALSE(ParseNetworkMode("container:db")->OwnNamespace());
}

TEST(NetworkModeTest, AContainerModeNeedsAName) {
  absl::StatusOr<NetworkMode> mode = ParseNetworkMode("container:");
  EXPECT_TRUE(absl::IsInvalidArgument(mode.status()));
  EXPECT_NE(mode.status().message().find("--network container:web"),
            absl::string_view::npos);
}

}  // namespace
}  // namespace berth::containerd
