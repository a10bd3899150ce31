#include "services/imaged/formats/oci_layout.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/imaged/formats/media_types.h"

namespace berth::imaged::formats {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;

const std::string kManifestDigest =
    "sha256:ba4ad6d5e5d2fa7c3a2b1e9f4d2c8e7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e";
const std::string kConfigDigest =
    "sha256:a416a98b71e224a31ee99cff8e16063554498227d2b696152a9c3e0aa65e5824";
const std::string kLayerDigest =
    "sha256:3d24ee258efc3bfe4066a1a9fb83febf6dc0b1548dfe896161533668281c9f4f";
const std::string kLayer2Digest =
    "sha256:9c1b6dd6c1e6be9fdd2b1987783824670d3b0dd7ae8ad6f57dc3cea5d2bd4d30";

std::string IndexError(const std::string& json) {
  absl::StatusOr<std::vector<Descriptor>> index = ParseOciIndex(json);
  EXPECT_FALSE(index.ok()) << json;
  EXPECT_EQ(index.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(index.status().message());
}

std::string ManifestError(const std::string& json) {
  absl::StatusOr<OciManifest> manifest = ParseOciManifest(json);
  EXPECT_FALSE(manifest.ok()) << json;
  EXPECT_EQ(manifest.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(manifest.status().message());
}

// index.json as Docker 25's `docker save` writes it.
TEST(OciLayoutTest, ParsesDockerWrittenIndexJson) {
  std::string json = absl::StrCat(
      R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json",)",
      R"("manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json",)",
      R"("digest":")", kManifestDigest, R"(","size":407,)",
      R"("annotations":{"io.containerd.image.name":"docker.io/library/busybox:latest",)",
      R"("org.opencontainers.image.ref.name":"latest"}}]})");
  absl::StatusOr<std::vector<Descriptor>> index = ParseOciIndex(json);
  ASSERT_TRUE(index.ok()) << index.status();
  ASSERT_EQ(index->size(), 1u);
  const Descriptor& entry = (*index)[0];
  EXPECT_EQ(entry.media_type, kOciManifest);
  EXPECT_EQ(entry.digest, kManifestDigest);
  EXPECT_EQ(entry.size, 407);
  EXPECT_EQ(entry.annotations.at(kRefNameAnnotation), "latest");
  EXPECT_EQ(entry.annotations.at("io.containerd.image.name"),
            "docker.io/library/busybox:latest");
  EXPECT_EQ(entry.platform_os, "");
}

// A Docker manifest list (no mediaType requirement on index.json either).
TEST(OciLayoutTest, ParsesMultiPlatformList) {
  std::string json = absl::StrCat(
      R"({"schemaVersion":2,"mediaType":")", kDockerManifestList,
      R"(","manifests":[{"mediaType":")", kDockerManifest, R"(","digest":")",
      kManifestDigest,
      R"(","size":527,"platform":{"architecture":"amd64","os":"linux"}},)",
      R"({"mediaType":")", kDockerManifest, R"(","digest":")", kConfigDigest,
      R"(","size":527,"platform":{"architecture":"arm","os":"linux",)",
      R"("variant":"v7","os.features":["x"]},"urls":["https://x"]}]})");
  absl::StatusOr<std::vector<Descriptor>> index = ParseOciIndex(json);
  ASSERT_TRUE(index.ok()) << index.status();
  ASSERT_EQ(index->size(), 2u);
  EXPECT_EQ((*index)[0].platform_architecture, "amd64");
  EXPECT_EQ((*index)[0].platform_os, "linux");
  EXPECT_EQ((*index)[0].platform_variant, "");
  EXPECT_EQ((*index)[1].platform_architecture, "arm");
  EXPECT_EQ((*index)[1].platform_variant, "v7");
  // An index without a mediaType (older OCI writers) and without entries.
  absl::StatusOr<std::vector<Descriptor>> empty =
      ParseOciIndex(R"({"schemaVersion":2,"manifests":[]})");
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_THAT(*empty, IsEmpty());
}

TEST(OciLayoutTest, ParsesOciAndDockerManifests) {
  for (const std::string& type :
       {std::string(kOciManifest), std::string(kDockerManifest),
        std::string()}) {
    std::string json = absl::StrCat(
        R"({"schemaVersion":2,)",
        type.empty() ? "" : absl::StrCat(R"("mediaType":")", type, R"(",)"),
        R"("config":{"mediaType":")", kOciConfig, R"(","digest":")",
        kConfigDigest, R"(","size":1457},"layers":[)", R"({"mediaType":")",
        kOciLayerTarGzip, R"(","digest":")", kLayerDigest,
        R"(","size":2152262},{"mediaType":")", kDockerLayerTar,
        R"(","digest":")", kLayer2Digest,
        R"(","size":0}],"annotations":{"org.opencontainers.image.created":"2024"}})");
    absl::StatusOr<OciManifest> manifest = ParseOciManifest(json);
    ASSERT_TRUE(manifest.ok()) << manifest.status();
    EXPECT_EQ(manifest->media_type, type);
    EXPECT_EQ(manifest->config.media_type, kOciConfig);
    EXPECT_EQ(manifest->config.digest, kConfigDigest);
    EXPECT_EQ(manifest->config.size, 1457);
    ASSERT_EQ(manifest->layers.size(), 2u);
    EXPECT_EQ(manifest->layers[0].media_type, kOciLayerTarGzip);
    EXPECT_EQ(manifest->layers[0].size, 2152262);
    EXPECT_EQ(manifest->layers[1].digest, kLayer2Digest);
    EXPECT_THAT(manifest->annotations,
                ElementsAre(Pair("org.opencontainers.image.created", "2024")));
  }
}

OciManifest SampleManifest() {
  OciManifest manifest;
  manifest.media_type = kOciManifest;
  manifest.config = {kOciConfig, kConfigDigest, 1457, {}, "", "", ""};
  manifest.layers.push_back({kOciLayerTarGzip,
                             kLayerDigest,
                             2152262,
                             {{"b", "2"}, {"a", "1"}},
                             "",
                             "",
                             ""});
  manifest.layers.push_back(
      {kOciLayerTarZstd, kLayer2Digest, 10, {}, "", "", ""});
  manifest.annotations = {{"org.opencontainers.image.ref.name", "v1"}};
  return manifest;
}

TEST(OciLayoutTest, ManifestRoundTripsWithStableBytes) {
  OciManifest manifest = SampleManifest();
  std::string json = SerializeOciManifest(manifest);
  EXPECT_EQ(
      json,
      absl::StrCat(
          R"({"schemaVersion":2,"mediaType":")", kOciManifest,
          R"(","config":{"mediaType":")", kOciConfig, R"(","digest":")",
          kConfigDigest, R"(","size":1457},"layers":[{"mediaType":")",
          kOciLayerTarGzip, R"(","digest":")", kLayerDigest,
          R"(","size":2152262,"annotations":{"a":"1","b":"2"}},)",
          R"({"mediaType":")", kOciLayerTarZstd, R"(","digest":")",
          kLayer2Digest, R"(","size":10}],)",
          R"("annotations":{"org.opencontainers.image.ref.name":"v1"}})"));
  absl::StatusOr<OciManifest> parsed = ParseOciManifest(json);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, manifest);
  EXPECT_EQ(SerializeOciManifest(*parsed), json);
  // Docker's type and no annotations.
  manifest.media_type = kDockerManifest;
  manifest.annotations.clear();
  parsed = ParseOciManifest(SerializeOciManifest(manifest));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, manifest);
}

TEST(OciLayoutTest, IndexRoundTripsWithStableBytes) {
  std::vector<Descriptor> manifests = {
      {kOciManifest,
       kManifestDigest,
       407,
       {{kRefNameAnnotation, "latest"}},
       "",
       "",
       ""},
      {kOciManifest, kConfigDigest, 1, {}, "linux", "arm64", "v8"},
  };
  std::string json = SerializeOciIndex(manifests);
  EXPECT_EQ(
      json,
      absl::StrCat(
          R"({"schemaVersion":2,"mediaType":")", kOciIndex,
          R"(","manifests":[{"mediaType":")", kOciManifest, R"(","digest":")",
          kManifestDigest,
          R"(","size":407,"annotations":{"org.opencontainers.image.ref.name":"latest"}},)",
          R"({"mediaType":")", kOciManifest, R"(","digest":")", kConfigDigest,
          R"(","size":1,"platform":{"architecture":"arm64","os":"linux","variant":"v8"}}]})"));
  absl::StatusOr<std::vector<Descriptor>> parsed = ParseOciIndex(json);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, manifests);
  EXPECT_EQ(SerializeOciIndex(*parsed), json);
}

TEST(OciLayoutTest, SchemaVersionMustBe2) {
  EXPECT_THAT(IndexError(R"({"manifests":[]})"),
              HasSubstr(R"(image index: field "schemaVersion" is missing)"));
  EXPECT_THAT(IndexError(R"({"schemaVersion":1,"manifests":[]})"),
              HasSubstr(R"(field "schemaVersion" must be 2, not 1)"));
  EXPECT_THAT(
      ManifestError(R"({"schemaVersion":"2"})"),
      HasSubstr(
          R"(image manifest: field "schemaVersion" must be an integer, not string)"));
  EXPECT_THAT(ManifestError(R"({"schemaVersion":1,"fsLayers":[]})"),
              HasSubstr(R"(field "schemaVersion" must be 2, not 1)"));
}

TEST(OciLayoutTest, MediaTypesMustMatchTheDocument) {
  EXPECT_THAT(ManifestError(absl::StrCat(R"({"schemaVersion":2,"mediaType":")",
                                         kOciIndex, R"(","manifests":[]})")),
              HasSubstr("an image index, not a manifest"));
  EXPECT_THAT(
      ManifestError(absl::StrCat(R"({"schemaVersion":2,"mediaType":")",
                                 kDockerManifestList, R"(","manifests":[]})")),
      HasSubstr("an image index, not a manifest"));
  EXPECT_THAT(
      ManifestError(R"({"schemaVersion":2,"mediaType":"text/plain"})"),
      HasSubstr(
          R"(field "mediaType" is not an image manifest type: "text/plain")"));
  EXPECT_THAT(IndexError(absl::StrCat(R"({"schemaVersion":2,"mediaType":")",
                                      kOciManifest, R"(","manifests":[]})")),
              HasSubstr(R"(field "mediaType" is not an image index type)"));
}

std::string ManifestWith(const std::string& config, const std::string& layers) {
  return absl::StrCat(R"({"schemaVersion":2,"config":)", config,
                      R"(,"layers":)", layers, "}");
}

std::string Desc(const std::string& digest, const std::string& size = "1") {
  return absl::StrCat(R"({"mediaType":"x","digest":")", digest, R"(","size":)",
                      size, "}");
}

TEST(OciLayoutTest, ValidatesDescriptors) {
  const std::string hex = kLayerDigest.substr(7);
  EXPECT_THAT(
      ManifestError(ManifestWith(Desc("sha256:" + hex.substr(2)), "[]")),
      HasSubstr(R"(field "config.digest" is not a sha256 digest)"));
  EXPECT_THAT(ManifestError(ManifestWith(
                  Desc(kConfigDigest),
                  absl::StrCat("[", Desc(kLayerDigest), ",",
                               Desc("sha256:" + std::string(64, 'F')), "]"))),
              HasSubstr(R"(field "layers[1].digest" is not a sha256 digest)"));
  EXPECT_THAT(
      ManifestError(ManifestWith(
          Desc(kConfigDigest), absl::StrCat("[", Desc("sha512:" + hex), "]"))),
      HasSubstr(R"(field "layers[0].digest")"));
  EXPECT_THAT(ManifestError(ManifestWith(Desc(kConfigDigest, "-1"), "[]")),
              HasSubstr(R"(field "config.size" must not be negative)"));
  EXPECT_THAT(
      ManifestError(ManifestWith(Desc(kConfigDigest, "\"10\""), "[]")),
      HasSubstr(R"(field "config.size" must be an integer, not string)"));
  EXPECT_THAT(ManifestError(ManifestWith(Desc(kConfigDigest, "1e3"), "[]")),
              HasSubstr(R"(field "config.size" must be an integer)"));
  EXPECT_THAT(ManifestError(ManifestWith(
                  Desc(kConfigDigest, "18446744073709551615"), "[]")),
              HasSubstr(R"(field "config.size" is too large)"));
  EXPECT_THAT(
      ManifestError(ManifestWith(absl::StrCat(R"({"mediaType":"x","digest":")",
                                              kConfigDigest, R"("})"),
                                 "[]")),
      HasSubstr(R"(field "config.size" is missing)"));
  EXPECT_THAT(ManifestError(ManifestWith(R"({"digest":"x","size":1})", "[]")),
              HasSubstr(R"(field "config.mediaType" is missing)"));
  EXPECT_THAT(ManifestError(R"({"schemaVersion":2,"layers":[]})"),
              HasSubstr(R"(field "config" is missing)"));
  EXPECT_THAT(ManifestError(absl::StrCat(R"({"schemaVersion":2,"config":)",
                                         Desc(kConfigDigest), "}")),
              HasSubstr(R"(field "layers" is missing)"));
  EXPECT_THAT(ManifestError(ManifestWith(Desc(kConfigDigest), "{}")),
              HasSubstr(R"(field "layers" must be an array, not object)"));
  EXPECT_THAT(ManifestError(ManifestWith(Desc(kConfigDigest), "[1]")),
              HasSubstr(R"(field "layers[0]" must be an object, not number)"));
  EXPECT_THAT(
      ManifestError(absl::StrCat(R"({"schemaVersion":2,"config":)",
                                 Desc(kConfigDigest),
                                 R"(,"layers":[],"annotations":{"a":1}})")),
      HasSubstr(R"(field "annotations.a" must be a string, not number)"));
  EXPECT_THAT(
      IndexError(absl::StrCat(R"({"schemaVersion":2,"manifests":[)",
                              Desc("sha256:zz"), "]}")),
      HasSubstr(
          R"(image index: field "manifests[0].digest" is not a sha256 digest)"));
  EXPECT_THAT(
      IndexError(absl::StrCat(
          R"({"schemaVersion":2,"manifests":[{"mediaType":"x","digest":")",
          kManifestDigest, R"(","size":1,"platform":{"os":7}}]})")),
      HasSubstr(R"(field "manifests[0].platform.os" must be a string)"));
  EXPECT_THAT(IndexError(R"({"schemaVersion":2})"),
              HasSubstr(R"(field "manifests" is missing)"));
  EXPECT_THAT(IndexError("[]"),
              HasSubstr("image index: must be a JSON object"));
  EXPECT_THAT(IndexError("{,}"), HasSubstr("image index: invalid JSON"));
}

TEST(OciLayoutTest, RejectsOversizeDocuments) {
  std::string padding(kMaxJsonDocumentSize, ' ');
  EXPECT_THAT(IndexError(R"({"schemaVersion":2,"manifests":[]})" + padding),
              HasSubstr("image index: document is"));
  EXPECT_THAT(ManifestError(padding + "{}"),
              HasSubstr("image manifest: document is"));
  absl::Status status = CheckOciLayoutFile(padding + "{}");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()),
              HasSubstr("oci-layout: document is"));
}

TEST(OciLayoutTest, LayoutFile) {
  EXPECT_EQ(OciLayoutFile(), R"({"imageLayoutVersion":"1.0.0"})");
  EXPECT_TRUE(CheckOciLayoutFile(OciLayoutFile()).ok());
  EXPECT_TRUE(
      CheckOciLayoutFile(R"({ "imageLayoutVersion": "1.0.0", "x": 1 })").ok());
  for (
      const auto& [json, fragment] :
      std::vector<std::pair<std::string, std::string>>{
          {R"({"imageLayoutVersion":"2.0.0"})",
           R"(oci-layout: field "imageLayoutVersion" is "2.0.0"; only "1.0.0" is supported)"},
          {R"({})", R"(field "imageLayoutVersion" is missing)"},
          {R"({"imageLayoutVersion":1})", R"(must be a string, not number)"},
          {"", "oci-layout: invalid JSON"},
          {"[]", "oci-layout: must be a JSON object, not array"},
      }) {
    absl::Status status = CheckOciLayoutFile(json);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << json;
    EXPECT_THAT(std::string(status.message()), HasSubstr(fragment)) << json;
  }
}

}  // namespace
}  // namespace berth::imaged::formats
