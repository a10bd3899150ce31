#include "services/imaged/formats/image_config.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "services/imaged/formats/media_types.h"

namespace berth::imaged::formats {
namespace {

using ::testing::HasSubstr;

absl::Time Utc(int y, int mo, int d, int h, int mi, int s, int64_t nanos = 0) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, s),
                         absl::UTCTimeZone()) +
         absl::Nanoseconds(nanos);
}

// "" when equal, else what differs.
std::string Diff(const ImageConfigDoc& a, const ImageConfigDoc& b) {
  std::string diff;
  auto field = [&diff](const char* name, bool same) {
    if (!same) absl::StrAppend(&diff, name, " differs; ");
  };
  field("architecture", a.architecture == b.architecture);
  field("os", a.os == b.os);
  field("variant", a.variant == b.variant);
  field("os_version", a.os_version == b.os_version);
  field("created", a.created == b.created);
  field("has_created", a.has_created == b.has_created);
  field("author", a.author == b.author);
  field("comment", a.comment == b.comment);
  field("container", a.container == b.container);
  field("docker_version", a.docker_version == b.docker_version);
  field("diff_ids", a.diff_ids == b.diff_ids);
  field("history", a.history == b.history);
  google::protobuf::util::MessageDifferencer differencer;
  std::string config_diff;
  differencer.ReportDifferencesToString(&config_diff);
  if (!differencer.Compare(a.config, b.config)) {
    absl::StrAppend(&diff, "config: ", config_diff);
  }
  return diff;
}

constexpr char kLayer1[] =
    "sha256:3d24ee258efc3bfe4066a1a9fb83febf6dc0b1548dfe896161533668281c9f4f";
constexpr char kLayer2[] =
    "sha256:9c1b6dd6c1e6be9fdd2b1987783824670d3b0dd7ae8ad6f57dc3cea5d2bd4d30";

// What `docker save` of busybox writes as <id>.json (Docker 20.10), with
// the keys Berth does not keep: container_config, Hostname, Image, ...
constexpr char kDockerBusyboxConfig[] =
    R"json({"architecture":"amd64","config":{"Hostname":"","Domainname":"","User":"","AttachStdin":false,"AttachStdout":false,"AttachStderr":false,"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["sh"],"Image":"sha256:b2d9a1a1fa6d4d8a4fe5e7ed0a4a0e2f1e8f1b2f3c4d5e6f7a8b9c0d1e2f3a4b","Volumes":null,"WorkingDir":"","Entrypoint":null,"OnBuild":null,"Labels":null},"container":"9aef1a5e6ef0c7b8bbd5e1e1d6e3f2e6c0dbc0e7a3e0b5a8f4e53c1e2c8a6f1d","container_config":{"Hostname":"9aef1a5e6ef0","Domainname":"","User":"","AttachStdin":false,"AttachStdout":false,"AttachStderr":false,"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["/bin/sh","-c","#(nop) ","CMD [\"sh\"]"],"Image":"sha256:b2d9a1a1fa6d4d8a4fe5e7ed0a4a0e2f1e8f1b2f3c4d5e6f7a8b9c0d1e2f3a4b","Volumes":null,"WorkingDir":"","Entrypoint":null,"OnBuild":null,"Labels":{}},"created":"2023-07-18T23:19:33.655005962Z","docker_version":"20.10.23","history":[{"created":"2023-07-18T23:19:33.538571854Z","created_by":"/bin/sh -c #(nop) ADD file:7e9002edaafd4e4579b65c8f0aaabde1aeb7fd3f8d95579f7fd3443cef785fd1 in / "},{"created":"2023-07-18T23:19:33.655005962Z","created_by":"/bin/sh -c #(nop)  CMD [\"sh\"]","empty_layer":true}],"os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:3d24ee258efc3bfe4066a1a9fb83febf6dc0b1548dfe896161533668281c9f4f"]}})json";

TEST(ImageConfigTest, ParsesDockerWrittenBusyboxConfig) {
  absl::StatusOr<ImageConfigDoc> doc = ParseImageConfig(kDockerBusyboxConfig);
  ASSERT_TRUE(doc.ok()) << doc.status();
  EXPECT_EQ(doc->architecture, "amd64");
  EXPECT_EQ(doc->os, "linux");
  EXPECT_TRUE(doc->has_created);
  EXPECT_EQ(doc->created, Utc(2023, 7, 18, 23, 19, 33, 655005962));
  EXPECT_EQ(doc->docker_version, "20.10.23");
  EXPECT_EQ(doc->container,
            "9aef1a5e6ef0c7b8bbd5e1e1d6e3f2e6c0dbc0e7a3e0b5a8f4e53c1e2c8a6f1d");
  ASSERT_EQ(doc->config.env_size(), 1);
  EXPECT_EQ(
      doc->config.env(0),
      "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  ASSERT_EQ(doc->config.cmd_size(), 1);
  EXPECT_EQ(doc->config.cmd(0), "sh");
  EXPECT_EQ(doc->config.entrypoint_size(), 0);
  EXPECT_TRUE(doc->config.labels().empty());
  EXPECT_FALSE(doc->config.has_healthcheck());
  EXPECT_EQ(doc->diff_ids, std::vector<std::string>{kLayer1});
  ASSERT_EQ(doc->history.size(), 2u);
  EXPECT_EQ(doc->history[0].created, Utc(2023, 7, 18, 23, 19, 33, 538571854));
  EXPECT_EQ(doc->history[0].created_by,
            "/bin/sh -c #(nop) ADD "
            "file:7e9002edaafd4e4579b65c8f0aaabde1aeb7fd3f8d95579f7fd3443cef785"
            "fd1 in / ");
  EXPECT_FALSE(doc->history[0].empty_layer);
  EXPECT_EQ(doc->history[1].created_by, "/bin/sh -c #(nop)  CMD [\"sh\"]");
  EXPECT_TRUE(doc->history[1].empty_layer);
}

// Docker 24 (BuildKit) for an nginx-like image: ports, volumes, labels,
// stop signal, healthcheck durations in nanoseconds, the OCI-only keys.
TEST(ImageConfigTest, ParsesRuntimeConfigFields) {
  std::string json = absl::StrCat(R"({
    "architecture": "arm64", "variant": "v8", "os": "linux",
    "os.version": "10.0.17763", "author": "ops@example.com",
    "comment": "buildkit.dockerfile.v0",
    "created": "2024-01-02T03:04:05.123456789Z",
    "config": {
      "User": "nginx:nginx",
      "ExposedPorts": {"443/tcp": {}, "80/tcp": {}},
      "Env": ["A=1", "B=two words"],
      "Entrypoint": ["/docker-entrypoint.sh"],
      "Cmd": ["nginx", "-g", "daemon off;"],
      "Volumes": {"/var/cache/nginx": {}},
      "WorkingDir": "/srv",
      "Labels": {"maintainer": "NGINX <docker-maint@nginx.com>", "x": ""},
      "StopSignal": "SIGQUIT",
      "Healthcheck": {"Test": ["CMD-SHELL", "curl -f http://localhost/"],
                      "Interval": 30000000000, "Timeout": 1500000000,
                      "StartPeriod": 5000000000, "StartInterval": 1000000,
                      "Retries": 3},
      "Shell": ["/bin/bash", "-c"],
      "OnBuild": ["RUN echo hi"],
      "ArgsEscaped": true
    },
    "rootfs": {"type": "layers", "diff_ids": [")",
                                  kLayer1, R"(", ")", kLayer2, R"("]},
    "history": [{"created": "2024-01-02T03:04:05Z", "author": "me",
                 "created_by": "RUN make", "comment": "built"}]
  })");
  absl::StatusOr<ImageConfigDoc> doc = ParseImageConfig(json);
  ASSERT_TRUE(doc.ok()) << doc.status();
  EXPECT_EQ(doc->variant, "v8");
  EXPECT_EQ(doc->os_version, "10.0.17763");
  EXPECT_EQ(doc->author, "ops@example.com");
  EXPECT_EQ(doc->comment, "buildkit.dockerfile.v0");
  EXPECT_EQ(doc->created, Utc(2024, 1, 2, 3, 4, 5, 123456789));
  const image::v1::ImageConfig& config = doc->config;
  EXPECT_EQ(config.user(), "nginx:nginx");
  ASSERT_EQ(config.exposed_ports_size(), 2);
  EXPECT_EQ(config.exposed_ports(0), "443/tcp");  // sorted, as JSON keys
  EXPECT_EQ(config.exposed_ports(1), "80/tcp");
  EXPECT_EQ(config.env(1), "B=two words");
  EXPECT_EQ(config.entrypoint(0), "/docker-entrypoint.sh");
  ASSERT_EQ(config.cmd_size(), 3);
  EXPECT_EQ(config.cmd(2), "daemon off;");
  ASSERT_EQ(config.volumes_size(), 1);
  EXPECT_EQ(config.volumes(0), "/var/cache/nginx");
  EXPECT_EQ(config.working_dir(), "/srv");
  EXPECT_EQ(config.labels().at("maintainer"), "NGINX <docker-maint@nginx.com>");
  EXPECT_EQ(config.labels().at("x"), "");
  EXPECT_EQ(config.stop_signal(), "SIGQUIT");
  const types::v1::Healthcheck& health = config.healthcheck();
  ASSERT_EQ(health.test_size(), 2);
  EXPECT_EQ(health.test(0), "CMD-SHELL");
  EXPECT_EQ(health.interval().seconds(), 30);
  EXPECT_EQ(health.timeout().seconds(), 1);
  EXPECT_EQ(health.timeout().nanos(), 500000000);
  EXPECT_EQ(health.start_period().seconds(), 5);
  EXPECT_EQ(health.start_interval().nanos(), 1000000);
  EXPECT_EQ(health.retries(), 3);
  EXPECT_EQ(config.shell(0), "/bin/bash");
  EXPECT_EQ(config.on_build(0), "RUN echo hi");
  EXPECT_TRUE(config.args_escaped());
  EXPECT_EQ(doc->diff_ids, (std::vector<std::string>{kLayer1, kLayer2}));
  ASSERT_EQ(doc->history.size(), 1u);
  EXPECT_EQ(doc->history[0].author, "me");
  EXPECT_EQ(doc->history[0].comment, "built");
}

ImageConfigDoc FullDoc() {
  ImageConfigDoc doc;
  doc.architecture = "amd64";
  doc.os = "linux";
  doc.variant = "v2";
  doc.os_version = "6.1";
  doc.created = Utc(2024, 1, 2, 3, 4, 5, 123456789);
  doc.has_created = true;
  doc.author = "Jane <jane@example.com>";
  doc.comment = "imported from tarball";
  doc.container = std::string(64, 'a');
  doc.docker_version = "berth 0.1.0";
  image::v1::ImageConfig& config = doc.config;
  config.set_user("1000:1000");
  config.add_exposed_ports("53/udp");
  config.add_exposed_ports("80/tcp");
  config.add_env("PATH=/bin");
  config.add_env("EMPTY=");
  config.add_entrypoint("/init");
  config.add_cmd("--serve");
  config.add_cmd("unicode: \xC3\xA9\xE2\x9C\x93");
  config.add_volumes("/data");
  config.add_volumes("/logs");
  config.set_working_dir("/app");
  (*config.mutable_labels())["z"] = "last";
  (*config.mutable_labels())["a"] = "first \"quoted\"";
  config.set_stop_signal("SIGINT");
  types::v1::Healthcheck* health = config.mutable_healthcheck();
  health->add_test("CMD");
  health->add_test("/check");
  health->mutable_interval()->set_seconds(10);
  health->mutable_timeout()->set_nanos(250000000);
  health->mutable_start_period()->set_seconds(60);
  health->mutable_start_interval()->set_seconds(2);
  health->set_retries(5);
  config.add_shell("/bin/ash");
  config.add_shell("-c");
  config.add_on_build("RUN make");
  config.set_args_escaped(true);
  doc.diff_ids = {kLayer1, kLayer2};
  ConfigHistory base;
  base.created = Utc(2023, 1, 1, 0, 0, 0);
  base.created_by = "/bin/sh -c #(nop) ADD file:abc in / ";
  ConfigHistory meta;
  meta.created = Utc(2023, 1, 1, 0, 0, 1, 500);
  meta.created_by = "CMD [\"--serve\"]";
  meta.author = "Jane";
  meta.comment = "metadata only";
  meta.empty_layer = true;
  ConfigHistory top;  // no "created", as some builders write
  top.created_by = "COPY . /app";
  doc.history = {base, meta, top};
  return doc;
}

TEST(ImageConfigTest, RoundTripsEveryField) {
  ImageConfigDoc doc = FullDoc();
  std::string json = SerializeImageConfig(doc);
  absl::StatusOr<ImageConfigDoc> parsed = ParseImageConfig(json);
  ASSERT_TRUE(parsed.ok()) << parsed.status() << "\n" << json;
  EXPECT_EQ(Diff(doc, *parsed), "") << json;
  EXPECT_EQ(SerializeImageConfig(*parsed), json);
}

TEST(ImageConfigTest, RoundTripsDockerWrittenConfig) {
  absl::StatusOr<ImageConfigDoc> doc = ParseImageConfig(kDockerBusyboxConfig);
  ASSERT_TRUE(doc.ok()) << doc.status();
  std::string json = SerializeImageConfig(*doc);
  absl::StatusOr<ImageConfigDoc> again = ParseImageConfig(json);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(Diff(*doc, *again), "");
  EXPECT_EQ(SerializeImageConfig(*again), json);
}

TEST(ImageConfigTest, SerializesInDockerKeyOrderAndOmitsEmptyFields) {
  ImageConfigDoc doc;
  doc.architecture = "amd64";
  doc.os = "linux";
  doc.created = Utc(2024, 1, 2, 3, 4, 5, 120000000);
  doc.has_created = true;
  doc.config.add_env("PATH=/bin");
  doc.config.add_cmd("sh");
  doc.config.add_exposed_ports("80/tcp");
  doc.diff_ids = {kLayer1};
  ConfigHistory step;
  step.created = Utc(2024, 1, 2, 3, 4, 5);
  step.created_by = "import";
  doc.history = {step};
  EXPECT_EQ(
      SerializeImageConfig(doc),
      absl::StrCat(
          R"({"architecture":"amd64","config":{"ExposedPorts":{"80/tcp":{}},)",
          R"("Env":["PATH=/bin"],"Cmd":["sh"]},)",
          R"("created":"2024-01-02T03:04:05.12Z",)",
          R"("history":[{"created":"2024-01-02T03:04:05Z","created_by":"import"}],)",
          R"("os":"linux","rootfs":{"type":"layers","diff_ids":[")", kLayer1,
          R"("]}})"));
}

TEST(ImageConfigTest, SerializesEmptyDocMinimally) {
  EXPECT_EQ(
      SerializeImageConfig(ImageConfigDoc()),
      R"({"architecture":"","config":{},"os":"","rootfs":{"type":"layers"}})");
}

TEST(ImageConfigTest, SerializationIsDeterministic) {
  ImageConfigDoc doc = FullDoc();
  // The same labels inserted in another order, ports and volumes unsorted.
  ImageConfigDoc reordered = doc;
  reordered.config.mutable_labels()->clear();
  (*reordered.config.mutable_labels())["a"] = "first \"quoted\"";
  (*reordered.config.mutable_labels())["z"] = "last";
  reordered.config.clear_exposed_ports();
  reordered.config.add_exposed_ports("80/tcp");
  reordered.config.add_exposed_ports("53/udp");
  reordered.config.add_exposed_ports("80/tcp");
  std::string json = SerializeImageConfig(doc);
  EXPECT_EQ(SerializeImageConfig(doc), json);
  EXPECT_EQ(SerializeImageConfig(reordered), json);
  EXPECT_THAT(json, HasSubstr(R"("ExposedPorts":{"53/udp":{},"80/tcp":{}})"));
  EXPECT_THAT(json,
              HasSubstr(R"("Labels":{"a":"first \"quoted\"","z":"last"})"));
  EXPECT_THAT(json, HasSubstr(R"("Interval":10000000000,"Timeout":250000000)"));
}

TEST(ImageConfigTest, FormatsTimesAsGoRfc3339Nano) {
  ImageConfigDoc doc;
  doc.has_created = true;
  doc.created = Utc(2024, 1, 2, 3, 4, 5, 123456789);
  EXPECT_THAT(SerializeImageConfig(doc),
              HasSubstr(R"("created":"2024-01-02T03:04:05.123456789Z")"));
  doc.created = Utc(1, 1, 1, 0, 0, 0);  // Go's zero time
  EXPECT_THAT(SerializeImageConfig(doc),
              HasSubstr(R"("created":"0001-01-01T00:00:00Z")"));
  // Other offsets are read and written back in UTC.
  absl::StatusOr<ImageConfigDoc> parsed = ParseImageConfig(
      R"({"created":"2024-01-02T04:04:05.5+01:00","rootfs":{"type":"layers"}})");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->created, Utc(2024, 1, 2, 3, 4, 5, 500000000));
}

TEST(ImageConfigTest, NullReadsAsAbsentAndStringCmdAsList) {
  absl::StatusOr<ImageConfigDoc> doc = ParseImageConfig(R"({
      "architecture": null, "created": null, "history": null,
      "config": {"Cmd": "sh", "Entrypoint": null, "Env": null,
                 "Labels": {"k": null}, "Healthcheck": null},
      "rootfs": {"type": "layers", "diff_ids": null}})");
  ASSERT_TRUE(doc.ok()) << doc.status();
  EXPECT_FALSE(doc->has_created);
  EXPECT_EQ(doc->config.cmd_size(), 1);
  EXPECT_EQ(doc->config.cmd(0), "sh");
  EXPECT_EQ(doc->config.labels().at("k"), "");
  EXPECT_FALSE(doc->config.has_healthcheck());
  EXPECT_TRUE(doc->diff_ids.empty());
}

void ExpectInvalid(const std::string& json, const std::string& fragment) {
  absl::StatusOr<ImageConfigDoc> doc = ParseImageConfig(json);
  ASSERT_FALSE(doc.ok()) << json;
  EXPECT_EQ(doc.status().code(), absl::StatusCode::kInvalidArgument) << json;
  EXPECT_THAT(std::string(doc.status().message()), HasSubstr(fragment)) << json;
}

std::string WithRootfs(const std::string& fields) {
  return absl::StrCat("{", fields, R"(, "rootfs": {"type": "layers"}})");
}

TEST(ImageConfigTest, WrongTypesNameTheField) {
  ExpectInvalid(
      WithRootfs(R"("architecture": 1)"),
      R"(image config: field "architecture" must be a string, not number)");
  ExpectInvalid(WithRootfs(R"("config": [])"),
                R"(field "config" must be an object, not array)");
  ExpectInvalid(
      WithRootfs(R"("config": {"Env": "A=1"})"),
      R"(field "config.Env" must be an array of strings, not string)");
  ExpectInvalid(WithRootfs(R"("config": {"Env": ["A=1", 2]})"),
                R"(field "config.Env[1]" must be a string, not number)");
  ExpectInvalid(WithRootfs(R"("config": {"Cmd": 5})"), R"("config.Cmd")");
  ExpectInvalid(WithRootfs(R"("config": {"ExposedPorts": ["80/tcp"]})"),
                R"(field "config.ExposedPorts" must be an object, not array)");
  ExpectInvalid(WithRootfs(R"("config": {"Volumes": {"/a": true}})"),
                R"(field "config.Volumes./a" must be an object, not boolean)");
  ExpectInvalid(WithRootfs(R"("config": {"Labels": {"a": 1}})"),
                R"(field "config.Labels.a" must be a string, not number)");
  ExpectInvalid(
      WithRootfs(R"("config": {"Healthcheck": {"Interval": "30s"}})"),
      R"(field "config.Healthcheck.Interval" must be an integer, not string)");
  ExpectInvalid(WithRootfs(R"("config": {"Healthcheck": {"Retries": 1.5}})"),
                R"(field "config.Healthcheck.Retries" must be an integer)");
  ExpectInvalid(
      WithRootfs(R"("config": {"Healthcheck": {"Retries": 99999999999}})"),
      R"(field "config.Healthcheck.Retries" is out of range)");
  ExpectInvalid(WithRootfs(R"("config": {"ArgsEscaped": "true"})"),
                R"(field "config.ArgsEscaped" must be a boolean, not string)");
  ExpectInvalid(
      WithRootfs(R"("created": 1700000000)"),
      R"(field "created" must be an RFC 3339 time string, not number)");
  ExpectInvalid(WithRootfs(R"("created": "yesterday")"),
                R"(field "created" is not an RFC 3339 time: "yesterday")");
  ExpectInvalid(WithRootfs(R"("history": {})"),
                R"(field "history" must be an array, not object)");
  ExpectInvalid(WithRootfs(R"("history": [{}, "x"])"),
                R"(field "history[1]" must be an object, not string)");
  ExpectInvalid(WithRootfs(R"("history": [{"empty_layer": "yes"}])"),
                R"(field "history[0].empty_layer" must be a boolean)");
  ExpectInvalid(R"({"rootfs": {"type": "layers", "diff_ids": "sha256:x"}})",
                R"(field "rootfs.diff_ids" must be an array of strings)");
}

TEST(ImageConfigTest, RequiresLayersRootfs) {
  ExpectInvalid(R"({"architecture": "amd64"})", R"(field "rootfs" is missing)");
  ExpectInvalid(R"({"rootfs": null})", R"(field "rootfs" is missing)");
  ExpectInvalid(R"({"rootfs": {"diff_ids": []}})",
                R"(field "rootfs.type" must be "layers", not "")");
  ExpectInvalid(R"({"rootfs": {"type": "layered"}})",
                R"(field "rootfs.type" must be "layers", not "layered")");
}

TEST(ImageConfigTest, RejectsBadDiffIds) {
  const std::string hex = std::string(kLayer1).substr(7);
  for (const std::string& bad : {
           "sha256:" + hex.substr(1),               // 63 digits
           "sha256:" + hex + "0",                   // 65 digits
           "sha256:" + std::string(64, 'A'),        // upper case
           "sha256:" + std::string(63, 'a') + "g",  // not hex
           "sha512:" + hex,                         // other algorithm
           hex,                                     // no algorithm
           std::string(""),
       }) {
    ExpectInvalid(
        absl::StrCat(R"({"rootfs": {"type": "layers", "diff_ids": [")", kLayer1,
                     R"(", ")", bad, R"("]}})"),
        R"(field "rootfs.diff_ids[1]" is not a sha256 digest)");
  }
}

TEST(ImageConfigTest, RejectsWhatIsNotAConfigObject) {
  ExpectInvalid("", "image config: invalid JSON");
  ExpectInvalid("{", "image config: invalid JSON");
  ExpectInvalid(R"({"rootfs": {"type": "layers"}} trailing)",
                "image config: invalid JSON");
  ExpectInvalid("[]", "image config: must be a JSON object, not array");
  ExpectInvalid("null", "image config: must be a JSON object, not null");
  ExpectInvalid("\"\xff\"", "image config: invalid JSON");  // bad UTF-8
}

TEST(ImageConfigTest, RejectsOversizeInputBeforeParsing) {
  std::string json = WithRootfs(R"("architecture": "amd64")");
  json.append(kMaxJsonDocumentSize - json.size(), ' ');
  EXPECT_TRUE(ParseImageConfig(json).ok());  // exactly at the limit
  json.push_back(' ');
  ExpectInvalid(
      json,
      absl::StrCat("image config: document is ", kMaxJsonDocumentSize + 1,
                   " bytes, more than the limit of ", kMaxJsonDocumentSize));
}

TEST(ImageConfigTest, RejectsDeepNesting) {
  std::string deep = std::string(100000, '[') + std::string(100000, ']');
  ExpectInvalid(WithRootfs(R"("x": )" + deep), "nested deeper than");
  // Brackets inside strings do not count.
  EXPECT_TRUE(ParseImageConfig(WithRootfs(R"("comment": ")" +
                                          std::string(1000, '[') + "\\\"\""))
                  .ok());
}

}  // namespace
}  // namespace berth::imaged::formats
