#include "services/imaged/formats/docker_archive.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/imaged/formats/media_types.h"

namespace berth::imaged::formats {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

const std::string kConfigHex =
    "a416a98b71e224a31ee99cff8e16063554498227d2b696152a9c3e0aa65e5824";
const std::string kV1Id =
    "4b6ad3a68d34da29bf7c8ccb5d355ba8b4babcad1f99798204e7abb43e54ee3d";
const std::string kLayerHex =
    "3d24ee258efc3bfe4066a1a9fb83febf6dc0b1548dfe896161533668281c9f4f";

std::string ErrorOf(const std::string& json) {
  absl::StatusOr<std::vector<DockerManifestEntry>> entries =
      ParseDockerManifest(json);
  EXPECT_FALSE(entries.ok()) << json;
  EXPECT_EQ(entries.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(entries.status().message());
}

// manifest.json as `docker save busybox` writes it with Docker 20.10.
TEST(DockerArchiveTest, ParsesLegacyManifest) {
  std::string json = absl::StrCat(
      R"([{"Config":")", kConfigHex,
      R"(.json","RepoTags":["busybox:latest","busybox:1.36"],"Layers":[")",
      kV1Id, R"(/layer.tar"]}])");
  absl::StatusOr<std::vector<DockerManifestEntry>> entries =
      ParseDockerManifest(json);
  ASSERT_TRUE(entries.ok()) << entries.status();
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].config, kConfigHex + ".json");
  EXPECT_THAT((*entries)[0].repo_tags,
              ElementsAre("busybox:latest", "busybox:1.36"));
  EXPECT_THAT((*entries)[0].layers, ElementsAre(kV1Id + "/layer.tar"));
}

// Docker 25+: an OCI layout inside, manifest.json pointing into blobs/,
// untagged images with "RepoTags": null, and keys Berth does not use.
TEST(DockerArchiveTest, ParsesDocker25Manifest) {
  std::string json = absl::StrCat(
      R"([{"Config":"blobs/sha256/)", kConfigHex,
      R"(","RepoTags":null,"Layers":["blobs/sha256/)", kLayerHex,
      R"("],"LayerSources":{"sha256:)", kLayerHex,
      R"(":{"mediaType":"application/vnd.oci.image.layer.v1.tar","size":2048,"digest":"sha256:)",
      kLayerHex, R"("}}},
         {"Config":"b.json","RepoTags":["app:1"],"Layers":null}])");
  absl::StatusOr<std::vector<DockerManifestEntry>> entries =
      ParseDockerManifest(json);
  ASSERT_TRUE(entries.ok()) << entries.status();
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0].config, "blobs/sha256/" + kConfigHex);
  EXPECT_THAT((*entries)[0].repo_tags, IsEmpty());
  EXPECT_THAT((*entries)[0].layers, ElementsAre("blobs/sha256/" + kLayerHex));
  EXPECT_THAT((*entries)[1].layers, IsEmpty());
}

TEST(DockerArchiveTest, ManifestRoundTripsAndMatchesDockersBytes) {
  std::vector<DockerManifestEntry> entries(2);
  entries[0].config = kConfigHex + ".json";
  entries[0].repo_tags = {"busybox:latest", "127.0.0.1:5000/app:v1"};
  entries[0].layers = {kV1Id + "/layer.tar", "abc/layer.tar"};
  entries[1].config = "blobs/sha256/" + kConfigHex;
  std::string json = SerializeDockerManifest(entries);
  EXPECT_EQ(
      json,
      absl::StrCat(
          R"([{"Config":")", kConfigHex,
          R"(.json","RepoTags":["busybox:latest","127.0.0.1:5000/app:v1"],)",
          R"("Layers":[")", kV1Id, R"(/layer.tar","abc/layer.tar"]},)",
          R"({"Config":"blobs/sha256/)", kConfigHex,
          R"(","RepoTags":null,"Layers":[]}])"));
  absl::StatusOr<std::vector<DockerManifestEntry>> parsed =
      ParseDockerManifest(json);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, entries);
  EXPECT_EQ(SerializeDockerManifest({}), "[]");
}

TEST(DockerArchiveTest, RejectsPathsOutsideTheArchive) {
  for (const std::string& bad :
       {std::string("../x"), std::string("/abs"), std::string("/"),
        std::string("a/../../x"), std::string("a/.."), std::string(".."),
        std::string("."), std::string("./"), std::string("a\0b", 3)}) {
    std::string quoted_bad = absl::StrCat(
        "\"", bad == std::string("a\0b", 3) ? "a\\u0000b" : bad, "\"");
    std::string as_layer = absl::StrCat(
        R"([{"Config":"c.json","RepoTags":null,"Layers":["ok/layer.tar",)",
        quoted_bad, "]}]");
    EXPECT_THAT(ErrorOf(as_layer),
                HasSubstr(R"(manifest.json: field "[0].Layers[1]" must be a )"
                          R"(relative path inside the archive, not ")"))
        << bad;
    std::string as_config =
        absl::StrCat(R"([{"Config":)", quoted_bad, R"(,"Layers":[]}])");
    EXPECT_THAT(ErrorOf(as_config),
                HasSubstr(R"(field "[0].Config" must be a relative path)"))
        << bad;
  }
  EXPECT_THAT(ErrorOf(R"([{"Config":"c.json","Layers":["../../etc/passwd"]}])"),
              HasSubstr(R"(not "../../etc/passwd")"));
}

TEST(DockerArchiveTest, SafeArchivePaths) {
  for (const char* good : {"a", "a/b/layer.tar", "./a", "a/./b", "a//b",
                           "blobs/sha256/abc", "..a", "a..", "a/..b/c"}) {
    EXPECT_TRUE(IsSafeArchivePath(good)) << good;
  }
  for (const char* bad :
       {"", ".", "./", "/", "/etc/passwd", "..", "../a", "a/../b", "a/b/.."}) {
    EXPECT_FALSE(IsSafeArchivePath(bad)) << bad;
  }
}

TEST(DockerArchiveTest, WrongTypesNameTheField) {
  EXPECT_THAT(ErrorOf(R"({"Config":"c.json"})"),
              HasSubstr("manifest.json: must be a JSON array, not object"));
  EXPECT_THAT(ErrorOf(R"([[]])"),
              HasSubstr(R"(field "[0]" must be an object, not array)"));
  EXPECT_THAT(ErrorOf(R"([{"Layers":[]}])"),
              HasSubstr(R"(field "[0].Config" is missing)"));
  EXPECT_THAT(ErrorOf(R"([{"Config":"","Layers":[]}])"),
              HasSubstr(R"(field "[0].Config" is empty)"));
  EXPECT_THAT(ErrorOf(R"([{"Config":7,"Layers":[]}])"),
              HasSubstr(R"(field "[0].Config" must be a string, not number)"));
  EXPECT_THAT(
      ErrorOf(R"([{"Config":"c.json","Layers":[]},{"Config":"c.json"}])"),
      HasSubstr(R"(field "[1].Layers" is missing)"));
  EXPECT_THAT(
      ErrorOf(R"([{"Config":"c.json","Layers":"l.tar"}])"),
      HasSubstr(
          R"(field "[0].Layers" must be an array of strings, not string)"));
  EXPECT_THAT(
      ErrorOf(R"([{"Config":"c.json","Layers":["a",{}]}])"),
      HasSubstr(R"(field "[0].Layers[1]" must be a string, not object)"));
  EXPECT_THAT(ErrorOf(R"([{"Config":"c.json","RepoTags":"a:b","Layers":[]}])"),
              HasSubstr(R"(field "[0].RepoTags" must be an array of strings)"));
  EXPECT_THAT(ErrorOf("[{]"), HasSubstr("manifest.json: invalid JSON"));
  EXPECT_THAT(ErrorOf(""), HasSubstr("manifest.json: invalid JSON"));
}

TEST(DockerArchiveTest, RejectsOversizeManifest) {
  std::string json = "[" + std::string(kMaxJsonDocumentSize, ' ') + "]";
  EXPECT_THAT(ErrorOf(json), HasSubstr("more than the limit of 16777216"));
}

TEST(DockerArchiveTest, SerializesRepositories) {
  EXPECT_EQ(SerializeRepositories({{"busybox", {"latest", kV1Id}}}),
            absl::StrCat(R"({"busybox":{"latest":")", kV1Id, R"("}})"));
  // Grouped by repository, sorted, the last id for a repeated tag wins.
  EXPECT_EQ(
      SerializeRepositories({{"busybox", {"latest", "1"}},
                             {"127.0.0.1:5000/app", {"v1", "2"}},
                             {"busybox", {"1.36", "3"}},
                             {"busybox", {"latest", "4"}}}),
      R"({"127.0.0.1:5000/app":{"v1":"2"},"busybox":{"1.36":"3","latest":"4"}})");
  EXPECT_EQ(SerializeRepositories({}), "{}");
}

TEST(DockerArchiveTest, SerializesLegacyLayerJson) {
  absl::Time epoch = absl::UnixEpoch();
  EXPECT_EQ(
      SerializeLegacyLayerJson(kV1Id, kLayerHex, epoch),
      absl::StrCat(
          R"({"id":")", kV1Id, R"(","parent":")", kLayerHex,
          R"(","created":"1970-01-01T00:00:00Z","container_config":{)",
          R"("Hostname":"","Domainname":"","User":"","AttachStdin":false,)",
          R"("AttachStdout":false,"AttachStderr":false,"Tty":false,)",
          R"("OpenStdin":false,"StdinOnce":false,"Env":null,"Cmd":null,)",
          R"("Image":"","Volumes":null,"WorkingDir":"","Entrypoint":null,)",
          R"("OnBuild":null,"Labels":null}})"));
  absl::Time created = absl::FromCivil(absl::CivilSecond(2024, 1, 2, 3, 4, 5),
                                       absl::UTCTimeZone()) +
                       absl::Nanoseconds(7);
  std::string bottom = SerializeLegacyLayerJson(kV1Id, "", created);
  EXPECT_THAT(bottom, HasSubstr(absl::StrCat(
                          R"({"id":")", kV1Id,
                          R"(","created":"2024-01-02T03:04:05.000000007Z")")));
  EXPECT_THAT(bottom, Not(HasSubstr("parent")));
  EXPECT_STREQ(kLegacyLayerVersion, "1.0");
}

}  // namespace
}  // namespace berth::imaged::formats
