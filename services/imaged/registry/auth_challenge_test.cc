#include "services/imaged/registry/auth_challenge.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace berth::imaged::registry {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

Challenge Make(std::string scheme, std::map<std::string, std::string> params) {
  Challenge challenge;
  challenge.scheme = std::move(scheme);
  challenge.params = std::move(params);
  return challenge;
}

TEST(ParseChallengesTest, DockerHubBearer) {
  auto challenges = ParseChallenges(
      "Bearer realm=\"https://auth.docker.io/token\","
      "service=\"registry.docker.io\","
      "scope=\"repository:library/busybox:pull\"");
  ASSERT_TRUE(challenges.ok()) << challenges.status();
  EXPECT_THAT(*challenges,
              ElementsAre(Make("bearer",
                               {{"realm", "https://auth.docker.io/token"},
                                {"service", "registry.docker.io"},
                                {"scope", "repository:library/busybox:pull"}})));
}

TEST(ParseChallengesTest, Basic) {
  auto challenges = ParseChallenges("Basic realm=\"Registry Realm\"");
  ASSERT_TRUE(challenges.ok()) << challenges.status();
  EXPECT_THAT(*challenges,
              ElementsAre(Make("basic", {{"realm", "Registry Realm"}})));
  EXPECT_EQ((*challenges)[0].Param("realm"), "Registry Realm");
  EXPECT_EQ((*challenges)[0].Param("service"), "");
}

TEST(ParseChallengesTest, SchemeAndNamesAnyCaseValuesKept) {
  auto challenges = ParseChallenges("bEaReR ReAlM=\"https://A/Token\"");
  ASSERT_TRUE(challenges.ok()) << challenges.status();
  EXPECT_THAT(*challenges,
              ElementsAre(Make("bearer", {{"realm", "https://A/Token"}})));
}

TEST(ParseChallengesTest, SeveralChallengesInOneValue) {
  auto challenges = ParseChallenges(
      "Basic realm=\"r1\", Bearer realm=\"https://a/t\", service=s , "
      "Negotiate");
  ASSERT_TRUE(challenges.ok()) << challenges.status();
  EXPECT_THAT(*challenges,
              ElementsAre(Make("basic", {{"realm", "r1"}}),
                          Make("bearer", {{"realm", "https://a/t"},
                                          {"service", "s"}}),
                          Make("negotiate", {})));
}

TEST(ParseChallengesTest, QuotedStringEscapesAndCommas) {
  auto challenges =
      ParseChallenges(R"(Bearer realm="a \"quoted\" \\ realm, with comma")");
  ASSERT_TRUE(challenges.ok()) << challenges.status();
  EXPECT_EQ((*challenges)[0].Param("realm"),
            "a \"quoted\" \\ realm, with comma");
}

TEST(ParseChallengesTest, SpacesAroundEqualsAndEmptyElements) {
  auto challenges = ParseChallenges(
      " ,Bearer realm = \"https://a/t\" ,, service=\tsvc ,error=\"x\",");
  ASSERT_TRUE(challenges.ok()) << challenges.status();
  EXPECT_THAT(*challenges,
              ElementsAre(Make("bearer", {{"realm", "https://a/t"},
                                          {"service", "svc"},
                                          {"error", "x"}})));
}

TEST(ParseChallengesTest, FirstValueOfARepeatedParameterWins) {
  auto challenges = ParseChallenges("Bearer realm=\"a\",REALM=\"b\"");
  ASSERT_TRUE(challenges.ok()) << challenges.status();
  EXPECT_EQ((*challenges)[0].Param("realm"), "a");
}

TEST(ParseChallengesTest, Token68) {
  auto challenges = ParseChallenges("Negotiate abc+/d==, Basic realm=x");
  ASSERT_TRUE(challenges.ok()) << challenges.status();
  ASSERT_EQ(challenges->size(), 2u);
  EXPECT_EQ((*challenges)[0].scheme, "negotiate");
  EXPECT_EQ((*challenges)[0].token68, "abc+/d==");
  EXPECT_TRUE((*challenges)[0].params.empty());
  EXPECT_EQ((*challenges)[1].Param("realm"), "x");
  // By the grammar "realm=" alone is a token68 (with "=" padding).
  challenges = ParseChallenges("Bearer realm=");
  ASSERT_TRUE(challenges.ok()) << challenges.status();
  EXPECT_EQ((*challenges)[0].token68, "realm=");
}

TEST(ParseChallengesTest, Errors) {
  for (const char* bad : {
           "",
           "   ",
           ", ,",
           "Bearer service=x,realm=",
           "Bearer realm=,service=x",
           "Bearer realm=\"unterminated",
           "Bearer realm=\"ends in escape\\",
           "Bearer realm=\"x\" junk",
           "Bearer realm=\"x\"\"y\"",
           "=x",
           "Bearer;realm=x",
           "Bearer realm=x @",
       }) {
    auto challenges = ParseChallenges(bad);
    EXPECT_EQ(challenges.status().code(), absl::StatusCode::kInvalidArgument)
        << "\"" << bad << "\" gave " << challenges.status();
  }
  EXPECT_THAT(ParseChallenges("Bearer realm=\"open").status().message(),
              HasSubstr("unterminated quoted string at offset 13"));
  EXPECT_THAT(ParseChallenges("Bearer service=x, realm=").status().message(),
              HasSubstr("parameter \"realm\" has no value"));
}

TEST(ParseChallengeHeadersTest, JoinsValuesAndFindsByScheme) {
  auto challenges = ParseChallengeHeaders(
      {"Basic realm=\"r\"", "Bearer realm=\"https://a/t\",service=\"s\""});
  ASSERT_TRUE(challenges.ok()) << challenges.status();
  ASSERT_EQ(challenges->size(), 2u);
  const Challenge* bearer = FindChallenge(*challenges, "bearer");
  ASSERT_NE(bearer, nullptr);
  EXPECT_EQ(bearer->Param("service"), "s");
  EXPECT_EQ(FindChallenge(*challenges, "digest"), nullptr);

  EXPECT_FALSE(ParseChallengeHeaders({}).ok());
  EXPECT_FALSE(ParseChallengeHeaders({"Basic realm=\"r\"", "realm="}).ok());
}

TEST(ScopeTest, DockerScopes) {
  EXPECT_EQ(PullScope("library/busybox"), "repository:library/busybox:pull");
  EXPECT_EQ(PushScope("ns/app"), "repository:ns/app:pull,push");
  EXPECT_THAT(MountScopes("ns/app", "other/base"),
              ElementsAre("repository:ns/app:pull,push",
                          "repository:other/base:pull"));
  EXPECT_STREQ(kCatalogScope, "registry:catalog:*");
}

TEST(QueryEscapeTest, AsGo) {
  EXPECT_EQ(QueryEscape("repository:ns/app:pull,push"),
            "repository%3Ans%2Fapp%3Apull%2Cpush");
  EXPECT_EQ(QueryEscape("a b+c~d.e_f-g"), "a+b%2Bc~d.e_f-g");
  EXPECT_EQ(QueryEscape("\xc3\xa9"), "%C3%A9");
}

TEST(TokenRequestUrlTest, ServiceScopesAndAccountSortedByKey) {
  Challenge bearer = Make("bearer", {{"realm", "https://auth.example/token"},
                                     {"service", "registry.example"}});
  auto url = TokenRequestUrl(
      bearer, MountScopes("ns/app", "lib/base"), "me@example.com");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(*url,
            "https://auth.example/token?account=me%40example.com"
            "&scope=repository%3Ans%2Fapp%3Apull%2Cpush"
            "&scope=repository%3Alib%2Fbase%3Apull"
            "&service=registry.example");
}

TEST(TokenRequestUrlTest, NoAccountNoServiceNoScopes) {
  Challenge bearer = Make("bearer", {{"realm", "http://127.0.0.1:5001/auth"}});
  auto url = TokenRequestUrl(bearer, {}, "");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(*url, "http://127.0.0.1:5001/auth");
  url = TokenRequestUrl(bearer, {PullScope("a")}, "");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(*url, "http://127.0.0.1:5001/auth?scope=repository%3Aa%3Apull");
}

TEST(TokenRequestUrlTest, KeepsTheRealmsQueryAndDropsItsFragment) {
  Challenge bearer = Make(
      "bearer", {{"realm", "https://a/token?zone=eu+1&b=x%2Fy#frag"},
                 {"service", "s"}});
  auto url = TokenRequestUrl(bearer, {PullScope("n")}, "u");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(*url,
            "https://a/token?account=u&b=x%2Fy&scope=repository%3An%3Apull"
            "&service=s&zone=eu+1");
}

TEST(TokenRequestUrlTest, Errors) {
  EXPECT_THAT(TokenRequestUrl(Make("basic", {{"realm", "https://a"}}), {}, "")
                  .status()
                  .message(),
              HasSubstr("not bearer"));
  EXPECT_THAT(TokenRequestUrl(Make("bearer", {{"service", "s"}}), {}, "")
                  .status()
                  .message(),
              HasSubstr("has no realm"));
  for (const char* realm : {"ftp://a/t", "/token", "https://", "auth.example"}) {
    auto url = TokenRequestUrl(Make("bearer", {{"realm", realm}}), {}, "");
    EXPECT_EQ(url.status().code(), absl::StatusCode::kInvalidArgument) << realm;
    EXPECT_THAT(url.status().message(), HasSubstr("not an http or https URL"));
  }
}

const absl::Time kNow = absl::FromUnixSeconds(1700000000);

TEST(ParseTokenResponseTest, FullResponse) {
  auto response = ParseTokenResponse(
      R"({"token":"tok","access_token":"other","expires_in":300,)"
      R"("issued_at":"2024-01-02T03:04:05.5Z","refresh_token":"ref"})",
      kNow);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->token, "tok");
  EXPECT_EQ(response->refresh_token, "ref");
  EXPECT_EQ(response->expires_in, absl::Seconds(300));
  EXPECT_EQ(response->issued_at,
            absl::FromUnixSeconds(1704164645) + absl::Milliseconds(500));
  EXPECT_EQ(response->ExpiresAt(), response->issued_at + absl::Seconds(300));
}

TEST(ParseTokenResponseTest, AccessTokenAndDefaults) {
  auto response = ParseTokenResponse(R"({"access_token":"oauth"})", kNow);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->token, "oauth");
  EXPECT_EQ(response->expires_in, absl::Seconds(60));
  EXPECT_EQ(response->issued_at, kNow);
  EXPECT_EQ(response->refresh_token, "");

  response = ParseTokenResponse(
      R"({"token":"","access_token":"b","expires_in":null,"issued_at":null})",
      kNow);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->token, "b");
  EXPECT_EQ(response->issued_at, kNow);
}

TEST(ParseTokenResponseTest, ShortAndHugeLifetimesAreBounded) {
  for (const char* body : {R"({"token":"t","expires_in":5})",
                           R"({"token":"t","expires_in":0})",
                           R"({"token":"t","expires_in":-100})"}) {
    auto response = ParseTokenResponse(body, kNow);
    ASSERT_TRUE(response.ok()) << response.status();
    EXPECT_EQ(response->expires_in, absl::Seconds(60)) << body;
  }
  auto response = ParseTokenResponse(
      R"({"token":"t","expires_in":18446744073709551615})", kNow);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->expires_in, absl::Hours(24 * 365 * 10));
}

TEST(ParseTokenResponseTest, ErrorsNeverQuoteTheBody) {
  const std::string secret = "s3cr3t-t0ken";
  for (const std::string& body : {
           "not json " + secret,
           "{\"token\":\"" + secret,
           "[\"" + secret + "\"]",
           std::string("{}"),
           std::string(R"({"token":""})"),
           R"({"token":")" + secret + R"(","expires_in":"300"})",
           R"({"token":")" + secret + R"(","expires_in":1.5})",
           R"({"token":")" + secret + R"(","issued_at":"yesterday"})",
           R"({"token":")" + secret + R"(","issued_at":12})",
       }) {
    auto response = ParseTokenResponse(body, kNow);
    EXPECT_EQ(response.status().code(), absl::StatusCode::kInvalidArgument)
        << body;
    EXPECT_THAT(std::string(response.status().message()), Not(HasSubstr(secret)));
  }
  EXPECT_EQ(ParseTokenResponse("{}", kNow).status().message(),
            "token response: has no token");
  EXPECT_EQ(ParseTokenResponse(R"({"token":"t","expires_in":"1"})", kNow)
                .status()
                .message(),
            "token response: field \"expires_in\" is not an integer");
}

}  // namespace
}  // namespace berth::imaged::registry
