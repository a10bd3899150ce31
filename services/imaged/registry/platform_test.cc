#include "services/imaged/registry/platform.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace berth::imaged::registry {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

Platform P(std::string os, std::string arch, std::string variant = "") {
  return Platform{std::move(os), std::move(arch), std::move(variant), "", {}};
}

std::vector<std::string> Strings(const std::vector<Platform>& platforms) {
  std::vector<std::string> out;
  for (const Platform& p : platforms) out.push_back(p.String());
  return out;
}

TEST(PlatformTest, String) {
  EXPECT_EQ(P("linux", "amd64").String(), "linux/amd64");
  EXPECT_EQ(P("linux", "arm", "v7").String(), "linux/arm/v7");
}

TEST(NormalizePlatformTest, DockersSpellings) {
  struct Case {
    Platform in;
    std::string out;
  } cases[] = {
      {P("Linux", "x86_64"), "linux/amd64"},
      {P("linux", "x86-64", "v1"), "linux/amd64"},
      {P("linux", "amd64", "V3"), "linux/amd64/v3"},
      {P("linux", "i386"), "linux/386"},
      {P("linux", "aarch64"), "linux/arm64/v8"},
      {P("linux", "arm64", "8"), "linux/arm64/v8"},
      {P("linux", "arm64", "v8.0"), "linux/arm64/v8"},
      {P("linux", "arm64", "v9"), "linux/arm64/v9"},
      {P("linux", "armhf"), "linux/arm/v7"},
      {P("linux", "armel"), "linux/arm/v6"},
      {P("linux", "arm"), "linux/arm/v7"},
      {P("linux", "arm", "7"), "linux/arm/v7"},
      {P("linux", "arm", "6"), "linux/arm/v6"},
      {P("linux", "arm", "5"), "linux/arm/v5"},
      {P("macos", "arm64"), "darwin/arm64/v8"},
      {P("linux", "s390x"), "linux/s390x"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(NormalizePlatform(c.in).String(), c.out) << c.in.String();
  }
  Platform windows = P("windows", "amd64");
  windows.os_version = "10.0.17763.1234";
  windows.os_features = {"win32k"};
  EXPECT_EQ(NormalizePlatform(windows), windows);
}

TEST(HostPlatformTest, IsThisMachine) {
#if defined(__x86_64__)
  EXPECT_EQ(HostPlatform(), P("linux", "amd64"));
#elif defined(__aarch64__)
  EXPECT_EQ(HostPlatform(), P("linux", "arm64", "v8"));
#endif
  EXPECT_EQ(HostPlatform().os, "linux");
}

TEST(ParsePlatformTest, Forms) {
  const Platform host = HostPlatform();
  struct Case {
    const char* text;
    Platform want;
  } cases[] = {
      {"linux/amd64", P("linux", "amd64")},
      {"linux/arm64", P("linux", "arm64", "v8")},
      {"linux/arm64/v8", P("linux", "arm64", "v8")},
      {"linux/arm/v6", P("linux", "arm", "v6")},
      {"linux/arm", P("linux", "arm", "v7")},
      {"LINUX/X86_64", P("linux", "amd64")},
      {"linux/amd64/v3", P("linux", "amd64", "v3")},
      {"arm64", P("linux", "arm64", "v8")},
      {"aarch64", P("linux", "arm64", "v8")},
      {"linux", host},
      {"windows/amd64", P("windows", "amd64")},
      {"linux/riscv64", P("linux", "riscv64")},
  };
  for (const Case& c : cases) {
    auto platform = ParsePlatform(c.text);
    ASSERT_TRUE(platform.ok()) << c.text << ": " << platform.status();
    EXPECT_EQ(*platform, c.want) << c.text << " gave " << platform->String();
  }
  auto windows = ParsePlatform("windows");
  ASSERT_TRUE(windows.ok());
  EXPECT_EQ(windows->os, "windows");
  EXPECT_EQ(windows->architecture, host.architecture);
}

TEST(ParsePlatformTest, Errors) {
  for (const char* bad : {"", "/", "linux/", "/amd64", "linux//v7",
                          "linux/amd64/v3/x", "linux/am d64", "linux/arm64@v8",
                          "plan10", "x86"}) {
    auto platform = ParsePlatform(bad);
    EXPECT_EQ(platform.status().code(), absl::StatusCode::kInvalidArgument)
        << "\"" << bad << "\" gave " << platform.status();
  }
  EXPECT_EQ(ParsePlatform("plan10").status().message(),
            "invalid platform \"plan10\": unknown operating system or "
            "architecture");
  EXPECT_THAT(ParsePlatform("a/b/c/d").status().message(),
              HasSubstr("more than os/arch/variant"));
}

TEST(CompatiblePlatformsTest, OlderVariantsBestFirst) {
  EXPECT_THAT(Strings(CompatiblePlatforms(P("linux", "amd64"))),
              ElementsAre("linux/amd64", "linux/386"));
  EXPECT_THAT(Strings(CompatiblePlatforms(P("linux", "amd64", "v4"))),
              ElementsAre("linux/amd64/v4", "linux/amd64/v3", "linux/amd64/v2",
                          "linux/amd64", "linux/386"));
  EXPECT_THAT(Strings(CompatiblePlatforms(P("linux", "amd64", "v2"))),
              ElementsAre("linux/amd64/v2", "linux/amd64", "linux/386"));
  EXPECT_THAT(Strings(CompatiblePlatforms(P("linux", "arm", "v7"))),
              ElementsAre("linux/arm/v7", "linux/arm/v6", "linux/arm/v5"));
  EXPECT_THAT(Strings(CompatiblePlatforms(P("linux", "arm"))),
              ElementsAre("linux/arm/v7", "linux/arm/v6", "linux/arm/v5"));
  EXPECT_THAT(Strings(CompatiblePlatforms(P("linux", "arm", "v5"))),
              ElementsAre("linux/arm/v5"));
  EXPECT_THAT(Strings(CompatiblePlatforms(P("linux", "arm64"))),
              ElementsAre("linux/arm64/v8"));
  EXPECT_THAT(Strings(CompatiblePlatforms(P("linux", "arm64", "v9"))),
              ElementsAre("linux/arm64/v9", "linux/arm64/v8"));
  EXPECT_THAT(Strings(CompatiblePlatforms(P("linux", "s390x"))),
              ElementsAre("linux/s390x"));
}

TEST(PlatformRankTest, Matching) {
  const Platform amd64 = P("linux", "amd64");
  EXPECT_EQ(PlatformRank(amd64, P("linux", "amd64")), 0);
  EXPECT_EQ(PlatformRank(amd64, P("linux", "x86_64", "v1")), 0);
  EXPECT_EQ(PlatformRank(amd64, P("linux", "386")), 1);
  EXPECT_EQ(PlatformRank(amd64, P("linux", "amd64", "v2")), -1);
  EXPECT_EQ(PlatformRank(amd64, P("windows", "amd64")), -1);
  EXPECT_EQ(PlatformRank(amd64, P("linux", "arm64")), -1);
  // arm64's variant defaults to v8 on both sides.
  EXPECT_EQ(PlatformRank(P("linux", "arm64"), P("linux", "arm64", "v8")), 0);
  EXPECT_EQ(PlatformRank(P("linux", "arm64", "v8"), P("linux", "aarch64")), 0);
  EXPECT_EQ(PlatformRank(P("linux", "arm64"), P("linux", "arm", "v7")), -1);
  // arm's defaults to v7.
  EXPECT_EQ(PlatformRank(P("linux", "arm"), P("linux", "arm", "v7")), 0);
  EXPECT_EQ(PlatformRank(P("linux", "arm"), P("linux", "arm", "v6")), 1);
  EXPECT_EQ(PlatformRank(P("linux", "arm", "v6"), P("linux", "arm")), -1);
  // amd64/v3 falls back to v2, then none.
  EXPECT_EQ(PlatformRank(P("linux", "amd64", "v3"), P("linux", "amd64")), 2);
}

}  // namespace
}  // namespace berth::imaged::registry
