#include "ctl/container/container_args.h"

#include <map>
#include <optional>
#include <string>

#include "gtest/gtest.h"

namespace berth::ctl {
namespace {

using container::v1::RestartPolicy;
using container::v1::SecurityOptions;

EnvLookup FakeEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    if (name == "HOME") return std::string("/root");
    if (name == "EMPTY") return std::string("");
    return std::nullopt;
  };
}

TEST(ExpandEnvTest, TakesUnsetAndSetVariablesAsDocker) {
  EXPECT_EQ(*ExpandEnv("A=1", FakeEnv()), "A=1");
  EXPECT_EQ(*ExpandEnv("A=", FakeEnv()), "A=");
  EXPECT_EQ(*ExpandEnv("A=b=c", FakeEnv()), "A=b=c");
  EXPECT_EQ(*ExpandEnv("HOME", FakeEnv()), "HOME=/root");
  EXPECT_EQ(*ExpandEnv("EMPTY", FakeEnv()), "EMPTY=");
  EXPECT_EQ(*ExpandEnv("UNSET", FakeEnv()), "UNSET");
  EXPECT_EQ(ExpandEnv("=x", FakeEnv()).status().message(),
            "invalid environment variable: =x");
}

TEST(ParseEnvFileTest, ReadsDockersFormat) {
  const EnvLookup env = FakeEnv();
  absl::StatusOr<std::vector<std::string>> lines = ParseEnvFile(
      "\xEF\xBB\xBF# a comment\n\n  A=1\nB=\"quoted\" \nHOME\nUNSET\r\n"
      "C=x=y\n   # indented comment\n",
      "f.env", &env);
  ASSERT_TRUE(lines.ok()) << lines.status();
  EXPECT_EQ(*lines, (std::vector<std::string>{"A=1", "B=\"quoted\" ",
                                              "HOME=/root", "UNSET", "C=x=y"}));
}

TEST(ParseEnvFileTest, RejectsBadLines) {
  const EnvLookup env = FakeEnv();
  EXPECT_EQ(ParseEnvFile("A B=1\n", "f", &env).status().message(),
            "poorly formatted environment: variable 'A B' contains "
            "whitespaces");
  EXPECT_EQ(ParseEnvFile("=1\n", "f", &env).status().message(),
            "no variable name on line '=1'");
  EXPECT_EQ(ParseEnvFile("A=\xff\n", "f.env", &env).status().message(),
            "env file f.env contains invalid utf8 bytes at line 1");
}

TEST(ParseEnvFileTest, LabelFilesKeepBareKeys) {
  absl::StatusOr<std::vector<std::string>> lines =
      ParseEnvFile("HOME\na=b\n", "labels", nullptr);
  ASSERT_TRUE(lines.ok());
  EXPECT_EQ(*lines, (std::vector<std::string>{"HOME", "a=b"}));
}

TEST(ParseLabelsTest, KeyAloneIsEmptyLaterWins) {
  absl::StatusOr<std::map<std::string, std::string>> labels =
      ParseLabels({"a=1", "b", "a=2", "c=x=y"});
  ASSERT_TRUE(labels.ok());
  EXPECT_EQ(*labels, (std::map<std::string, std::string>{
                         {"a", "2"}, {"b", ""}, {"c", "x=y"}}));
  EXPECT_EQ(ParseLabels({"=v"}).status().message(),
            "invalid label '=v': empty name");
}

TEST(ParseRestartPolicyTest, AcceptsDockersPolicies) {
  EXPECT_EQ(ParseRestartPolicy("")->name(), RestartPolicy::NAME_UNSPECIFIED);
  EXPECT_EQ(ParseRestartPolicy("no")->name(), RestartPolicy::NAME_NO);
  EXPECT_EQ(ParseRestartPolicy("always")->name(), RestartPolicy::NAME_ALWAYS);
  EXPECT_EQ(ParseRestartPolicy("unless-stopped")->name(),
            RestartPolicy::NAME_UNLESS_STOPPED);
  absl::StatusOr<RestartPolicy> on_failure = ParseRestartPolicy("on-failure:5");
  ASSERT_TRUE(on_failure.ok());
  EXPECT_EQ(on_failure->name(), RestartPolicy::NAME_ON_FAILURE);
  EXPECT_EQ(on_failure->maximum_retry_count(), 5);
  EXPECT_EQ(ParseRestartPolicy("on-failure")->maximum_retry_count(), 0);
  EXPECT_TRUE(IsNoRestart(*ParseRestartPolicy("no")));
  EXPECT_FALSE(IsNoRestart(*ParseRestartPolicy("always")));
}

TEST(ParseRestartPolicyTest, RejectsAsDocker) {
  EXPECT_EQ(ParseRestartPolicy("sometimes").status().message(),
            "invalid restart policy: unknown policy 'sometimes'; use one of "
            "'no', 'always', 'on-failure', or 'unless-stopped'");
  EXPECT_EQ(ParseRestartPolicy("always:3").status().message(),
            "invalid restart policy: maximum retry count can only be used "
            "with 'on-failure'");
  EXPECT_EQ(ParseRestartPolicy("on-failure:-1").status().message(),
            "invalid restart policy: maximum retry count cannot be negative");
  EXPECT_EQ(ParseRestartPolicy("on-failure:x").status().message(),
            "invalid restart policy format: maximum retry count must be an "
            "integer");
  EXPECT_EQ(ParseRestartPolicy(":3").status().message(),
            "invalid restart policy format: no policy provided before colon");
}

TEST(ParseNanoCpusTest, ReadsRationals) {
  EXPECT_EQ(*ParseNanoCpus("1"), 1000000000);
  EXPECT_EQ(*ParseNanoCpus("1.5"), 1500000000);
  EXPECT_EQ(*ParseNanoCpus(".25"), 250000000);
  EXPECT_EQ(*ParseNanoCpus("0.000000001"), 1);
  EXPECT_EQ(*ParseNanoCpus("3/2"), 1500000000);
  EXPECT_EQ(*ParseNanoCpus("1e-3"), 1000000);
  EXPECT_EQ(*ParseNanoCpus("0.50000000000"), 500000000);
  EXPECT_EQ(ParseNanoCpus("abc").status().message(),
            "failed to parse abc as a rational number");
  EXPECT_EQ(ParseNanoCpus("1/0").status().message(),
            "failed to parse 1/0 as a rational number");
  EXPECT_EQ(ParseNanoCpus("0.0000000001").status().message(),
            "value is too precise");
}

TEST(ParseIntFlagTest, SpeaksPflag) {
  EXPECT_EQ(*ParseIntFlag("--pids-limit", "-1"), -1);
  EXPECT_EQ(ParseIntFlag("--pids-limit", "lots").status().message(),
            "invalid argument \"lots\" for \"--pids-limit\" flag: "
            "strconv.ParseInt: parsing \"lots\": invalid syntax");
}

TEST(ParseUlimitTest, SoftAndHard) {
  absl::StatusOr<container::v1::Ulimit> ulimit = ParseUlimit("nofile=1024:2048");
  ASSERT_TRUE(ulimit.ok());
  EXPECT_EQ(ulimit->name(), "nofile");
  EXPECT_EQ(ulimit->soft(), 1024);
  EXPECT_EQ(ulimit->hard(), 2048);
  ulimit = ParseUlimit("nproc=64");
  ASSERT_TRUE(ulimit.ok());
  EXPECT_EQ(ulimit->hard(), 64);
  EXPECT_EQ(ParseUlimit("core=-1")->soft(), -1);
}

TEST(ParseUlimitTest, RejectsAsGoUnits) {
  EXPECT_EQ(ParseUlimit("nofile").status().message(),
            "invalid ulimit argument: nofile");
  EXPECT_EQ(ParseUlimit("files=1").status().message(),
            "invalid ulimit type: files");
  EXPECT_EQ(ParseUlimit("nofile=1:2:3").status().message(),
            "too many limit value arguments - 1:2:3, can only have up to two, "
            "`soft[:hard]`");
  EXPECT_EQ(ParseUlimit("nofile=2:1").status().message(),
            "ulimit soft limit must be less than or equal to hard limit: 2 > 1");
  EXPECT_EQ(ParseUlimit("nofile=x").status().message(),
            "strconv.ParseInt: parsing \"x\": invalid syntax");
}

TEST(SecurityOptsTest, SeccompModesAndNoNewPrivileges) {
  FileReader files = [](const std::string& path) -> absl::StatusOr<std::string> {
    if (path == "/p.json") return std::string("{\n  \"defaultAction\": \"SCMP_ACT_ALLOW\"\n}\n");
    if (path == "/bad.json") return std::string("{nope");
    return absl::NotFoundError("open " + path + ": no such file or directory");
  };
  SecurityOptions security;
  ASSERT_TRUE(ApplySecurityOpts({"seccomp=unconfined", "no-new-privileges"},
                                files, &security)
                  .ok());
  EXPECT_EQ(security.seccomp_mode(), SecurityOptions::SECCOMP_MODE_UNCONFINED);
  EXPECT_TRUE(security.no_new_privileges());

  security.Clear();
  ASSERT_TRUE(ApplySecurityOpts({"seccomp=/p.json", "no-new-privileges=false",
                                 "apparmor=unconfined", "label=disable",
                                 "systempaths=unconfined"},
                                files, &security)
                  .ok());
  EXPECT_EQ(security.seccomp_mode(), SecurityOptions::SECCOMP_MODE_CUSTOM);
  EXPECT_EQ(security.seccomp_profile_json(),
            "{\"defaultAction\":\"SCMP_ACT_ALLOW\"}");
  EXPECT_EQ(security.seccomp_profile_path(), "/p.json");
  EXPECT_FALSE(security.no_new_privileges());
  EXPECT_EQ(security.apparmor_profile(), "unconfined");
  ASSERT_EQ(security.selinux_options_size(), 1);
  EXPECT_TRUE(security.unconfined_system_paths());

  security.Clear();
  ASSERT_TRUE(ApplySecurityOpts({"seccomp:unconfined"}, files, &security).ok());
  EXPECT_EQ(security.seccomp_mode(), SecurityOptions::SECCOMP_MODE_UNCONFINED);
}

TEST(SecurityOptsTest, Errors) {
  FileReader files = [](const std::string& path) -> absl::StatusOr<std::string> {
    if (path == "/bad.json") return std::string("{nope");
    return absl::NotFoundError("open " + path + ": no such file or directory");
  };
  SecurityOptions security;
  EXPECT_EQ(ApplySecurityOpts({"seccomp=/missing"}, files, &security).message(),
            "opening seccomp profile (/missing) failed: open /missing: no "
            "such file or directory");
  EXPECT_EQ(ApplySecurityOpts({"seccomp=/bad.json"}, files, &security).message(),
            "compacting json for seccomp profile (/bad.json) failed: invalid "
            "JSON");
  EXPECT_EQ(ApplySecurityOpts({"bogus"}, files, &security).message(),
            "Invalid --security-opt: \"bogus\"");
  EXPECT_EQ(ApplySecurityOpts({"foo=bar"}, files, &security).message(),
            "invalid --security-opt 1: \"foo=bar\"");
  EXPECT_EQ(
      ApplySecurityOpts({"no-new-privileges=maybe"}, files, &security).message(),
      "invalid --security-opt 2: \"no-new-privileges=maybe\"");
}

TEST(ParsePullPolicyTest, DockersValues) {
  EXPECT_EQ(*ParsePullPolicy("missing"), PullPolicy::kMissing);
  EXPECT_EQ(*ParsePullPolicy("always"), PullPolicy::kAlways);
  EXPECT_EQ(*ParsePullPolicy("never"), PullPolicy::kNever);
  // Docker takes "" and then pulls nothing.
  EXPECT_EQ(*ParsePullPolicy(""), PullPolicy::kNever);
  EXPECT_EQ(ParsePullPolicy("Always").status().message(),
            "invalid pull option: 'Always': must be one of \"always\", "
            "\"missing\" or \"never\"");
}

}  // namespace
}  // namespace berth::ctl
