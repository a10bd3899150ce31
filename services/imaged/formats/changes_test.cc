#include "services/imaged/formats/changes.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"

namespace berth::imaged::formats {
namespace {

using image::v1::ImageConfig;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

ImageConfig Apply(const std::vector<std::string>& changes,
                  ImageConfig config = ImageConfig()) {
  absl::Status status = ApplyChanges(changes, &config);
  EXPECT_TRUE(status.ok()) << status;
  return config;
}

// The error message of `changes`, checking the code and that `config` is
// left as it was.
std::string ErrorOf(const std::vector<std::string>& changes,
                    const ImageConfig& config = ImageConfig()) {
  ImageConfig changed = config;
  absl::Status status = ApplyChanges(changes, &changed);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_TRUE(
      google::protobuf::util::MessageDifferencer::Equals(changed, config))
      << changed.DebugString();
  return std::string(status.message());
}

std::vector<std::string> List(
    const google::protobuf::RepeatedPtrField<std::string>& field) {
  return {field.begin(), field.end()};
}

ImageConfig WithEnv(std::vector<std::string> env) {
  ImageConfig config;
  for (std::string& entry : env) config.add_env(std::move(entry));
  return config;
}

// ---- CMD, ENTRYPOINT, SHELL ---------------------------------------------

TEST(ChangesTest, CmdExecForm) {
  ImageConfig config = Apply({R"(CMD ["/bin/sh", "-c", "echo $HOME"])"});
  EXPECT_THAT(List(config.cmd()), ElementsAre("/bin/sh", "-c", "echo $HOME"));
}

TEST(ChangesTest, CmdShellFormUsesDefaultShell) {
  ImageConfig config = Apply({R"(CMD echo "hi there" $HOME)"});
  EXPECT_THAT(List(config.cmd()),
              ElementsAre("/bin/sh", "-c", R"(echo "hi there" $HOME)"));
}

TEST(ChangesTest, ShellFormUsesTheConfigsShell) {
  ImageConfig config = Apply({R"(SHELL ["/bin/bash", "-eo", "pipefail", "-c"])",
                              "CMD echo hi", "ENTRYPOINT exec run"});
  EXPECT_THAT(List(config.shell()),
              ElementsAre("/bin/bash", "-eo", "pipefail", "-c"));
  EXPECT_THAT(List(config.cmd()),
              ElementsAre("/bin/bash", "-eo", "pipefail", "-c", "echo hi"));
  EXPECT_THAT(List(config.entrypoint()),
              ElementsAre("/bin/bash", "-eo", "pipefail", "-c", "exec run"));
}

TEST(ChangesTest, EntrypointExecAndShellForms) {
  EXPECT_THAT(List(Apply({R"(ENTRYPOINT ["/init", "--"])"}).entrypoint()),
              ElementsAre("/init", "--"));
  EXPECT_THAT(List(Apply({"ENTRYPOINT /init --verbose"}).entrypoint()),
              ElementsAre("/bin/sh", "-c", "/init --verbose"));
}

TEST(ChangesTest, EntrypointResetsInheritedCmdLikeDocker) {
  ImageConfig base;
  base.add_cmd("sh");
  EXPECT_THAT(Apply({R"(ENTRYPOINT ["/init"])"}, base).cmd(), IsEmpty());
  // A CMD given earlier in the same call stays.
  ImageConfig config =
      Apply({R"(CMD ["--serve"])", R"(ENTRYPOINT ["/init"])"}, base);
  EXPECT_THAT(List(config.cmd()), ElementsAre("--serve"));
  EXPECT_THAT(List(config.entrypoint()), ElementsAre("/init"));
}

TEST(ChangesTest, EmptyExecFormClears) {
  ImageConfig base;
  base.add_cmd("sh");
  base.add_entrypoint("/init");
  ImageConfig config = Apply({"CMD []", "ENTRYPOINT []"}, base);
  EXPECT_THAT(config.cmd(), IsEmpty());
  EXPECT_THAT(config.entrypoint(), IsEmpty());
}

TEST(ChangesTest, KeywordsAreCaseInsensitive) {
  ImageConfig config =
      Apply({"cmd [\"a\"]", "Env X=1", "expose 80", "wOrKdIr /w"});
  EXPECT_THAT(List(config.cmd()), ElementsAre("a"));
  EXPECT_THAT(List(config.env()), ElementsAre("X=1"));
  EXPECT_THAT(List(config.exposed_ports()), ElementsAre("80/tcp"));
  EXPECT_EQ(config.working_dir(), "/w");
}

TEST(ChangesTest, ShellNeedsExecForm) {
  EXPECT_EQ(ErrorOf({"SHELL /bin/bash -c"}),
            "invalid change \"SHELL /bin/bash -c\": SHELL requires the "
            "arguments to be in JSON form");
  EXPECT_THAT(ErrorOf({"SHELL []"}),
              HasSubstr("SHELL requires at least one argument"));
}

// ---- ENV, LABEL -----------------------------------------------------------

TEST(ChangesTest, EnvSetsAndReplacesInOrder) {
  ImageConfig config = Apply({R"(ENV A=1 B="x y" C=with\ space)", "ENV A=2"},
                             WithEnv({"PATH=/bin", "A=0"}));
  EXPECT_THAT(List(config.env()),
              ElementsAre("PATH=/bin", "A=2", "B=x y", "C=with space"));
}

TEST(ChangesTest, EnvLegacyForm) {
  EXPECT_THAT(List(Apply({"ENV GREETING hello  big world"}).env()),
              ElementsAre("GREETING=hello  big world"));
}

TEST(ChangesTest, EnvExpandsVariablesFromTheConfig) {
  ImageConfig config = Apply(
      {"ENV PATH=/opt/bin:$PATH HOMEDIR=${HOME}/x",
       "ENV U=${UNSET:-fallback} S=${PATH:+set} N=${UNSET:+set} Q='$PATH'",
       R"(ENV D="$HOME and \$HOME" E=${HOME-x} F=${EMPTY:-y} G=${EMPTY-y})",
       "ENV P=$ Q2=a$"},
      WithEnv({"PATH=/bin", "HOME=/root", "EMPTY="}));
  EXPECT_THAT(List(config.env()),
              ElementsAre("PATH=/opt/bin:/bin", "HOME=/root",
                          "EMPTY=", "HOMEDIR=/root/x", "U=fallback", "S=set",
                          "N=", "Q=$PATH", "D=/root and $HOME", "E=/root",
                          "F=y", "G=", "P=$", "Q2=a$"));
  // All words of one ENV see the environment from before it.
  EXPECT_THAT(List(Apply({"ENV A=new B=$A"}, WithEnv({"A=old"})).env()),
              ElementsAre("A=new", "B=old"));
}

TEST(ChangesTest, LabelSetsLabels) {
  ImageConfig base;
  (*base.mutable_labels())["keep"] = "me";
  ImageConfig config =
      Apply({R"(LABEL version=1.0 "com.example.desc"="a b" empty=)",
             "LABEL legacy value with spaces", "LABEL version=2.0"},
            base);
  EXPECT_THAT(
      config.labels(),
      UnorderedElementsAre(Pair("keep", "me"), Pair("version", "2.0"),
                           Pair("com.example.desc", "a b"), Pair("empty", ""),
                           Pair("legacy", "value with spaces")));
}

TEST(ChangesTest, EnvAndLabelErrors) {
  EXPECT_EQ(ErrorOf({"ENV"}),
            "invalid change \"ENV\": ENV requires at least one argument");
  EXPECT_THAT(ErrorOf({"LABEL"}),
              HasSubstr("LABEL requires at least one argument"));
  EXPECT_THAT(ErrorOf({"ENV ONLYNAME"}),
              HasSubstr("ENV must have two arguments"));
  EXPECT_THAT(ErrorOf({"ENV A=1 B"}),
              HasSubstr("Syntax error - can't find = in \"B\". Must be of the "
                        "form: name=value"));
  EXPECT_THAT(ErrorOf({"ENV =x"}), HasSubstr("ENV names can not be blank"));
  EXPECT_THAT(ErrorOf({"LABEL \"\"=x"}),
              HasSubstr("LABEL names can not be blank"));
  EXPECT_THAT(ErrorOf({R"(ENV A="unterminated)"}),
              HasSubstr("looking for matching double-quote"));
  EXPECT_THAT(ErrorOf({"ENV A='unterminated"}),
              HasSubstr("looking for matching single-quote"));
  EXPECT_THAT(ErrorOf({"ENV A=${B"}), HasSubstr("missing '}'"));
  EXPECT_THAT(ErrorOf({"ENV A=${B:-x"}), HasSubstr("matching '}'"));
  EXPECT_THAT(ErrorOf({"ENV A=${B#x}"}), HasSubstr("unsupported modifier"));
  EXPECT_THAT(ErrorOf({"ENV A=${}"}), HasSubstr("bad substitution"));
  EXPECT_THAT(ErrorOf({R"(ENV A="${B:?must be set}")"}),
              HasSubstr("B: must be set"));
}

// ---- EXPOSE, VOLUME -------------------------------------------------------

TEST(ChangesTest, ExposeAddsPortsWithTcpDefault) {
  ImageConfig base;
  base.add_exposed_ports("443/tcp");
  ImageConfig config =
      Apply({"EXPOSE 80 53/udp 8000-8002/TCP 80/tcp 9/sctp"}, base);
  EXPECT_THAT(List(config.exposed_ports()),
              ElementsAre("443/tcp", "53/udp", "80/tcp", "8000/tcp", "8001/tcp",
                          "8002/tcp", "9/sctp"));
  EXPECT_THAT(
      List(Apply({"EXPOSE $PORT"}, WithEnv({"PORT=8080"})).exposed_ports()),
      ElementsAre("8080/tcp"));
}

TEST(ChangesTest, ExposeErrors) {
  EXPECT_THAT(ErrorOf({"EXPOSE"}),
              HasSubstr("EXPOSE requires at least one argument"));
  for (const char* bad : {"http", "0", "65536", "90-80", "80-", "-80",
                          "1.2.3.4:80:80", "80/tcp/x", "/tcp"}) {
    EXPECT_THAT(ErrorOf({std::string("EXPOSE ") + bad}),
                HasSubstr("invalid port"))
        << bad;
  }
  EXPECT_THAT(ErrorOf({"EXPOSE 80/icmp"}),
              HasSubstr("invalid proto \"icmp\" in port \"80/icmp\""));
}

TEST(ChangesTest, VolumeJsonAndPlainForms) {
  ImageConfig base;
  base.add_volumes("/var/lib");
  ImageConfig config =
      Apply({R"(VOLUME ["/data", "/with space"])", "VOLUME /b /a /data"}, base);
  EXPECT_THAT(List(config.volumes()),
              ElementsAre("/a", "/b", "/data", "/var/lib", "/with space"));
}

TEST(ChangesTest, VolumeErrors) {
  EXPECT_THAT(ErrorOf({"VOLUME"}),
              HasSubstr("VOLUME requires at least one argument"));
  EXPECT_THAT(ErrorOf({"VOLUME []"}),
              HasSubstr("VOLUME requires at least one argument"));
  EXPECT_THAT(ErrorOf({R"(VOLUME ["/a", " "])"}),
              HasSubstr("VOLUME specified can not be an empty string"));
}

// ---- USER, WORKDIR, STOPSIGNAL, ONBUILD -------------------------------------

TEST(ChangesTest, UserSetsUserAndGroup) {
  EXPECT_EQ(Apply({"USER app:staff"}).user(), "app:staff");
  EXPECT_EQ(Apply({"USER 1000"}).user(), "1000");
  EXPECT_EQ(Apply({"USER $U"}, WithEnv({"U=nobody"})).user(), "nobody");
  EXPECT_THAT(ErrorOf({"USER"}),
              HasSubstr("USER requires exactly one argument"));
  EXPECT_THAT(ErrorOf({"USER a b"}),
              HasSubstr("USER requires exactly one argument"));
}

TEST(ChangesTest, WorkdirResolvesRelativeAndCleans) {
  EXPECT_EQ(Apply({"WORKDIR /app"}).working_dir(), "/app");
  EXPECT_EQ(Apply({"WORKDIR rel"}).working_dir(), "/rel");
  EXPECT_EQ(Apply({"WORKDIR /app", "WORKDIR src/../lib/"}).working_dir(),
            "/app/lib");
  EXPECT_EQ(Apply({"WORKDIR /a//b/./c/.."}).working_dir(), "/a/b");
  EXPECT_EQ(Apply({"WORKDIR ../../.."}).working_dir(), "/");
  EXPECT_EQ(Apply({"WORKDIR $HOME/src"}, WithEnv({"HOME=/root"})).working_dir(),
            "/root/src");
  EXPECT_EQ(Apply({"WORKDIR /my dir"}).working_dir(), "/my dir");
  EXPECT_THAT(ErrorOf({"WORKDIR"}),
              HasSubstr("WORKDIR requires exactly one argument"));
}

TEST(ChangesTest, StopSignalAcceptsNamesAndNumbers) {
  for (const char* signal : {"SIGQUIT", "QUIT", "sigterm", "9", "64",
                             "SIGRTMIN+3", "RTMAX-1", "SIGRTMIN"}) {
    EXPECT_EQ(Apply({std::string("STOPSIGNAL ") + signal}).stop_signal(),
              signal);
  }
  for (const char* bad : {"SIGFOO", "0", "65", "-1", "RTMIN+16", "SIG",
                          "RTMIN++3", "RTMAX-0", "SIGRTMIN+"}) {
    EXPECT_THAT(ErrorOf({std::string("STOPSIGNAL ") + bad}),
                HasSubstr("invalid signal"))
        << bad;
  }
  EXPECT_THAT(ErrorOf({"STOPSIGNAL"}),
              HasSubstr("STOPSIGNAL requires exactly one argument"));
  EXPECT_THAT(ErrorOf({"STOPSIGNAL TERM KILL"}),
              HasSubstr("STOPSIGNAL requires exactly one argument"));
}

TEST(ChangesTest, OnbuildAppendsTriggerAsWritten) {
  ImageConfig config =
      Apply({"ONBUILD RUN make install", "onbuild copy . /app"});
  EXPECT_THAT(List(config.on_build()),
              ElementsAre("RUN make install", "copy . /app"));
  EXPECT_THAT(ErrorOf({"ONBUILD"}),
              HasSubstr("ONBUILD requires at least one argument"));
  EXPECT_THAT(
      ErrorOf({"ONBUILD ONBUILD RUN x"}),
      HasSubstr("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed"));
  EXPECT_THAT(ErrorOf({"ONBUILD FROM busybox"}),
              HasSubstr("FROM isn't allowed as an ONBUILD trigger"));
  EXPECT_THAT(ErrorOf({"ONBUILD MAINTAINER me"}),
              HasSubstr("MAINTAINER isn't allowed as an ONBUILD trigger"));
  EXPECT_THAT(ErrorOf({"ONBUILD FROBNICATE x"}),
              HasSubstr("unknown instruction in ONBUILD: \"FROBNICATE\""));
}

// ---- HEALTHCHECK ----------------------------------------------------------

TEST(ChangesTest, HealthcheckShellAndExecForms) {
  types::v1::Healthcheck shell =
      Apply({"HEALTHCHECK CMD curl -f http://localhost/ || exit 1"})
          .healthcheck();
  EXPECT_THAT(List(shell.test()),
              ElementsAre("CMD-SHELL", "curl -f http://localhost/ || exit 1"));
  EXPECT_FALSE(shell.has_interval());
  EXPECT_EQ(shell.retries(), 0);
  types::v1::Healthcheck exec =
      Apply({R"(healthcheck cmd ["/check", "--quick"])"}).healthcheck();
  EXPECT_THAT(List(exec.test()), ElementsAre("CMD", "/check", "--quick"));
}

TEST(ChangesTest, HealthcheckOptions) {
  types::v1::Healthcheck health =
      Apply({"HEALTHCHECK --interval=1m30s --timeout=1.5s --start-period=0 "
             "--start-interval=500ms --retries=4 CMD true"})
          .healthcheck();
  EXPECT_EQ(health.interval().seconds(), 90);
  EXPECT_EQ(health.interval().nanos(), 0);
  EXPECT_EQ(health.timeout().seconds(), 1);
  EXPECT_EQ(health.timeout().nanos(), 500000000);
  EXPECT_FALSE(health.has_start_period());  // 0 means inherit
  EXPECT_EQ(health.start_interval().nanos(), 500000000);
  EXPECT_EQ(health.retries(), 4);
  // Go's spelling of microseconds.
  EXPECT_EQ(Apply({"HEALTHCHECK --timeout=1500\xC2\xB5s CMD x"})
                .healthcheck()
                .timeout()
                .nanos(),
            1500000);
}

TEST(ChangesTest, HealthcheckNoneAndReplacement) {
  ImageConfig base;
  base.mutable_healthcheck()->add_test("CMD");
  base.mutable_healthcheck()->add_test("/old");
  base.mutable_healthcheck()->set_retries(9);
  ImageConfig none = Apply({"HEALTHCHECK NONE"}, base);
  EXPECT_THAT(List(none.healthcheck().test()), ElementsAre("NONE"));
  EXPECT_EQ(none.healthcheck().retries(), 0);
  ImageConfig replaced = Apply({"HEALTHCHECK CMD /new"}, base);
  EXPECT_THAT(List(replaced.healthcheck().test()),
              ElementsAre("CMD-SHELL", "/new"));
  EXPECT_EQ(replaced.healthcheck().retries(), 0);
}

TEST(ChangesTest, HealthcheckErrors) {
  EXPECT_THAT(ErrorOf({"HEALTHCHECK"}),
              HasSubstr("HEALTHCHECK requires at least one argument"));
  EXPECT_THAT(ErrorOf({"HEALTHCHECK NONE now"}),
              HasSubstr("HEALTHCHECK NONE takes no arguments"));
  EXPECT_THAT(ErrorOf({"HEALTHCHECK --interval=5s NONE"}),
              HasSubstr("HEALTHCHECK NONE takes no arguments"));
  EXPECT_THAT(ErrorOf({"HEALTHCHECK RUN x"}),
              HasSubstr("Unknown type \"RUN\" in HEALTHCHECK (try CMD)"));
  EXPECT_THAT(ErrorOf({"HEALTHCHECK CMD"}),
              HasSubstr("Missing command after HEALTHCHECK CMD"));
  EXPECT_THAT(ErrorOf({"HEALTHCHECK CMD []"}),
              HasSubstr("Missing command after HEALTHCHECK CMD"));
  EXPECT_THAT(ErrorOf({"HEALTHCHECK --period=5s CMD x"}),
              HasSubstr("Unknown flag: \"period\""));
  EXPECT_THAT(ErrorOf({"HEALTHCHECK --interval CMD x"}),
              HasSubstr("Missing a value on flag: --interval"));
  EXPECT_THAT(ErrorOf({"HEALTHCHECK --retries=1 --retries=2 CMD x"}),
              HasSubstr("Duplicate flag specified: --retries"));
  EXPECT_THAT(ErrorOf({"HEALTHCHECK --interval=soon CMD x"}),
              HasSubstr("HEALTHCHECK --interval: invalid duration \"soon\""));
  EXPECT_THAT(ErrorOf({"HEALTHCHECK --interval=30 CMD x"}),
              HasSubstr("invalid duration \"30\""));
  EXPECT_THAT(ErrorOf({"HEALTHCHECK --timeout=inf CMD x"}),
              HasSubstr("invalid duration \"inf\""));
  EXPECT_THAT(ErrorOf({"HEALTHCHECK --timeout=3000000h CMD x"}),
              HasSubstr("invalid duration \"3000000h\""));
  EXPECT_THAT(ErrorOf({"HEALTHCHECK --timeout=-1s CMD x"}),
              HasSubstr("HEALTHCHECK --timeout cannot be negative"));
  EXPECT_THAT(ErrorOf({"HEALTHCHECK --start-period=100us CMD x"}),
              HasSubstr("HEALTHCHECK --start-period cannot be less than 1ms"));
  EXPECT_THAT(ErrorOf({"HEALTHCHECK --retries=-1 CMD x"}),
              HasSubstr("HEALTHCHECK --retries cannot be negative (-1)"));
  EXPECT_THAT(ErrorOf({"HEALTHCHECK --retries=three CMD x"}),
              HasSubstr("HEALTHCHECK --retries: invalid number \"three\""));
}

// ---- what is not a change -------------------------------------------------

TEST(ChangesTest, RejectsOtherInstructionsWithDockerLikeMessage) {
  EXPECT_EQ(ErrorOf({"RUN x"}),
            "invalid change \"RUN x\": RUN is not a valid change command "
            "(valid: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, USER, "
            "VOLUME, WORKDIR, STOPSIGNAL, HEALTHCHECK, SHELL)");
  for (const char* change : {"FROM busybox", "copy . /", "ADD x /", "ARG A=1",
                             "MAINTAINER me", "frobnicate", "CMD[\"x\"]"}) {
    EXPECT_THAT(ErrorOf({change}), HasSubstr("is not a valid change command"))
        << change;
  }
  EXPECT_THAT(ErrorOf({"from busybox"}),
              HasSubstr(": FROM is not a valid change command"));
}

TEST(ChangesTest, RejectsEmptyChanges) {
  EXPECT_THAT(ErrorOf({""}), HasSubstr("invalid change \"\": empty change"));
  EXPECT_THAT(ErrorOf({"  \t"}), HasSubstr("empty change"));
  EXPECT_THAT(ErrorOf({"# just a comment"}), HasSubstr("empty change"));
}

TEST(ChangesTest, RejectsMalformedJson) {
  EXPECT_THAT(ErrorOf({R"(CMD ["/bin/sh", "-c")"}),
              HasSubstr("invalid change \"CMD [\\\"/bin/sh\\\", \\\"-c\\\"\": "
                        "exec form: invalid JSON"));
  EXPECT_THAT(ErrorOf({R"(ENTRYPOINT ["/x", 1])"}),
              HasSubstr("exec form: JSON array must hold only strings, not "
                        "number"));
  EXPECT_THAT(ErrorOf({R"(SHELL [{}])"}),
              HasSubstr("JSON array must hold only strings"));
  EXPECT_THAT(ErrorOf({R"(VOLUME ["/a")"}), HasSubstr("invalid JSON"));
  EXPECT_THAT(ErrorOf({R"(HEALTHCHECK CMD ["x")"}), HasSubstr("invalid JSON"));
  EXPECT_THAT(ErrorOf({"CMD"}),
              HasSubstr("CMD requires at least one argument"));
  EXPECT_THAT(ErrorOf({"ENTRYPOINT"}),
              HasSubstr("ENTRYPOINT requires at least one argument"));
}

TEST(ChangesTest, ErrorLeavesConfigUnchanged) {
  ImageConfig base = WithEnv({"A=0"});
  base.add_cmd("sh");
  // The first two changes are fine; the third fails and undoes them.
  std::string message = ErrorOf({"ENV A=1", "CMD [\"x\"]", "RUN x"}, base);
  EXPECT_THAT(message, HasSubstr("RUN is not a valid change command"));
}

TEST(ChangesTest, OneChangeMayHoldSeveralLines) {
  ImageConfig config = Apply(
      {"ENV A=1\n\n# comment\nCMD echo \\\n  continued", "LABEL a=b \\\n c=d"});
  EXPECT_THAT(List(config.env()), ElementsAre("A=1"));
  EXPECT_THAT(List(config.cmd()),
              ElementsAre("/bin/sh", "-c", "echo   continued"));
  EXPECT_THAT(config.labels(),
              UnorderedElementsAre(Pair("a", "b"), Pair("c", "d")));
}

TEST(ChangesTest, NoChangesIsANoOp) {
  ImageConfig base = WithEnv({"A=0"});
  ImageConfig config = Apply({}, base);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(config, base));
}

TEST(ChangesTest, HostileInputIsBounded) {
  std::string nested = "ENV A=";
  for (int i = 0; i < 100; ++i) nested += "${X:-";
  nested += std::string(100, '}');
  EXPECT_THAT(ErrorOf({nested}), HasSubstr("nested too deeply"));
  std::string long_keyword(10000, 'Z');
  EXPECT_LT(ErrorOf({long_keyword}).size(), 600u);
}

}  // namespace
}  // namespace berth::imaged::formats
