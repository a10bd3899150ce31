#include "ctl/image/registry_format.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace berth::ctl {
namespace {

TEST(CheckLoginFlagsTest, DockersChecksInItsOrder) {
  LoginFlags flags;
  EXPECT_TRUE(CheckLoginFlags(flags).ok());
  flags.password_stdin = true;
  EXPECT_EQ(CheckLoginFlags(flags).message(),
            "the --password-stdin option requires --username to be set");
  flags.password_given = true;
  flags.password = "x";
  EXPECT_EQ(CheckLoginFlags(flags).message(),
            "conflicting options: cannot specify both --password and "
            "--password-stdin");
  flags = LoginFlags();
  flags.username_given = true;
  EXPECT_EQ(CheckLoginFlags(flags).message(), "username is empty");
  flags.username = "u";
  flags.password_given = true;
  EXPECT_EQ(CheckLoginFlags(flags).message(), "password is empty");
  flags.password = "p";
  EXPECT_TRUE(CheckLoginFlags(flags).ok());
  flags = LoginFlags();
  flags.username_given = true;
  flags.username = "u";
  flags.password_stdin = true;
  EXPECT_TRUE(CheckLoginFlags(flags).ok());
}

TEST(PasswordFromStdinTest, DropsOneLineEnd) {
  EXPECT_EQ(PasswordFromStdin("secret\n"), "secret");
  EXPECT_EQ(PasswordFromStdin("secret\r\n"), "secret");
  EXPECT_EQ(PasswordFromStdin("secret\n\n"), "secret\n");
  EXPECT_EQ(PasswordFromStdin(" secret "), " secret ");
}

TEST(LoginRegistryTest, DockerHubAndHosts) {
  EXPECT_EQ(LoginRegistry(""), "docker.io");
  EXPECT_EQ(LoginRegistry("docker.io"), "docker.io");
  EXPECT_EQ(LoginRegistry("https://index.docker.io/v1/"), "docker.io");
  EXPECT_EQ(LoginRegistry("127.0.0.1:5000"), "127.0.0.1:5000");
  EXPECT_EQ(LoginRegistry("https://r.example:5000/v2/"), "r.example:5000");
  EXPECT_EQ(LogoutHost(""), "https://index.docker.io/v1/");
  EXPECT_EQ(LogoutHost("http://127.0.0.1:5000"), "127.0.0.1:5000");
}

TEST(ParseSearchFilterTest, AcceptsDockersTerms) {
  absl::StatusOr<SearchFilter> filter = ParseSearchFilter(
      {{"stars", "3"}, {"stars", "10"}, {"is-official", "true"}});
  ASSERT_TRUE(filter.ok());
  EXPECT_EQ(filter->min_stars, 10);
  EXPECT_EQ(filter->official, std::optional<bool>(true));
  EXPECT_FALSE(filter->mentions_automated);
  filter = ParseSearchFilter({{"is-official", "0"}, {"is-automated", "false"}});
  ASSERT_TRUE(filter.ok());
  EXPECT_EQ(filter->official, std::optional<bool>(false));
  EXPECT_TRUE(filter->mentions_automated);
  EXPECT_FALSE(filter->automated);
}

TEST(ParseSearchFilterTest, RefusesAsDockersDaemon) {
  EXPECT_EQ(ParseSearchFilter({{"foo", "bar"}}).status().message(),
            "invalid filter 'foo'");
  EXPECT_EQ(ParseSearchFilter({{"is-official", "maybe"}}).status().message(),
            "invalid filter 'is-official=maybe'");
  // Go's bool words only, case and all; both at once conflict.
  EXPECT_EQ(ParseSearchFilter({{"is-official", "TRUE"}}).status().message(),
            "invalid filter 'is-official=TRUE'");
  EXPECT_EQ(ParseSearchFilter({{"is-official", "true"}, {"is-official", "0"}})
                .status()
                .message(),
            "invalid filter 'is-official=0,true'");
  EXPECT_EQ(ParseSearchFilter({{"stars", "x"}}).status().message(),
            "invalid filter 'stars=x': strconv.Atoi: parsing \"x\": invalid "
            "syntax");
  EXPECT_EQ(
      ParseSearchFilter({{"stars", "99999999999999999999"}}).status().message(),
      "invalid filter 'stars=99999999999999999999': strconv.Atoi: "
      "parsing \"99999999999999999999\": value out of range");
}

image::v1::SearchResult Result(const std::string& name, int64_t stars,
                               bool official, const std::string& description) {
  image::v1::SearchResult result;
  result.set_name(name);
  result.set_star_count(stars);
  result.set_is_official(official);
  result.set_description(description);
  return result;
}

TEST(ApplySearchFilterTest, KeepsWhatMatches) {
  image::v1::SearchImagesResponse response;
  *response.add_results() = Result("busybox", 3000, true, "");
  *response.add_results() = Result("someone/busybox", 2, false, "");
  SearchFilter filter;
  filter.min_stars = 10;
  std::vector<image::v1::SearchResult> kept =
      ApplySearchFilter(response.results(), filter);
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].name(), "busybox");
  filter = SearchFilter();
  filter.official = false;
  kept = ApplySearchFilter(response.results(), filter);
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].name(), "someone/busybox");
  filter = SearchFilter();
  filter.automated = true;
  EXPECT_TRUE(ApplySearchFilter(response.results(), filter).empty());
}

TEST(CheckSearchLimitTest, OneToAHundredOrTheDefault) {
  EXPECT_TRUE(CheckSearchLimit(0).ok());
  EXPECT_TRUE(CheckSearchLimit(1).ok());
  EXPECT_TRUE(CheckSearchLimit(100).ok());
  EXPECT_EQ(CheckSearchLimit(101).message(),
            "limit 101 is outside the range of [1, 100]");
  EXPECT_EQ(CheckSearchLimit(-1).message(),
            "limit -1 is outside the range of [1, 100]");
}

TEST(RenderSearchResultsTest, DockersTableTruncatedAt45) {
  const std::vector<image::v1::SearchResult> results = {
      Result("busybox", 3000, true,
             "Busybox base image.\nSmall and handy, with many tools "
             "inside it"),
      Result("127.0.0.1:5000/ns/app", 0, false, "")};
  absl::StatusOr<std::string> out = RenderSearchResults(results, "", false);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out,
            "NAME                    DESCRIPTION                              "
            "       STARS     OFFICIAL\n"
            "busybox                 Busybox base image. Small and handy, "
            "with ma…   3000      [OK]\n"
            "127.0.0.1:5000/ns/app                                            "
            "       0         \n");
  out = RenderSearchResults(results, "{{.Name}}: {{.Description}}", true);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out,
            "busybox: Busybox base image. Small and handy, with many tools "
            "inside it\n127.0.0.1:5000/ns/app: \n");
}

TEST(RenderSearchResultsTest, JsonAndTemplatesSeeDockersValues) {
  const std::vector<image::v1::SearchResult> results = {
      Result("busybox", 12, true, "d")};
  absl::StatusOr<std::string> out = RenderSearchResults(results, "json", false);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out,
            "{\"Description\":\"d\",\"IsOfficial\":\"true\",\"Name\":"
            "\"busybox\",\"StarCount\":\"12\"}\n");
  out = RenderSearchResults(results, "{{.IsOfficial}} {{.StarCount}}", false);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, "[OK] 12\n");
  EXPECT_FALSE(RenderSearchResults(results, "{{.IsAutomated}}", false).ok());
  EXPECT_EQ(RenderSearchResults(results, "{{.Name", false).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(PullPushLinesTest, AsDockersDaemonSaysThem) {
  absl::StatusOr<imaged::Reference> busybox = imaged::ParseReference("busybox");
  ASSERT_TRUE(busybox.ok());
  EXPECT_EQ(PullingFromLine(*busybox), "latest: Pulling from library/busybox");
  EXPECT_EQ(PushRefersToLine(*busybox),
            "The push refers to repository [docker.io/library/busybox]");
  absl::StatusOr<imaged::Reference> local = imaged::ParseReference(
      "127.0.0.1:5000/app@sha256:" + std::string(64, 'a'));
  ASSERT_TRUE(local.ok());
  EXPECT_EQ(PullingFromLine(*local),
            "sha256:" + std::string(64, 'a') + ": Pulling from app");
  EXPECT_EQ(PullStatusLine("busybox:latest", true),
            "Status: Downloaded newer image for busybox:latest");
  EXPECT_EQ(PullStatusLine("busybox", false),
            "Status: Image is up to date for busybox");
  image::v1::PushResult pushed;
  pushed.set_reference("127.0.0.1:5000/app:v1");
  pushed.set_digest("sha256:abc");
  pushed.set_size(527);
  EXPECT_EQ(PushedLine(pushed), "v1: digest: sha256:abc size: 527");
}

TEST(IsNameOnlyTest, NeitherTagNorDigest) {
  EXPECT_TRUE(IsNameOnly("busybox"));
  EXPECT_TRUE(IsNameOnly("localhost:5000/app"));
  EXPECT_FALSE(IsNameOnly("busybox:1.36"));
  EXPECT_FALSE(IsNameOnly("localhost:5000/app:v1"));
  EXPECT_FALSE(IsNameOnly("app@sha256:abc"));
}

}  // namespace
}  // namespace berth::ctl
