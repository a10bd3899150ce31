#include "services/imaged/registry/manifest.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace berth::imaged::registry {
namespace {

using ::testing::HasSubstr;

const std::string kA = "sha256:" + std::string(64, 'a');
const std::string kB = "sha256:" + std::string(64, 'b');
const std::string kC = "sha256:" + std::string(64, 'c');

// A Docker schema 2 manifest with a config and two layers.
std::string DockerManifest() {
  return absl::StrCat(R"({
    "schemaVersion": 2,
    "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
    "config": {"mediaType": "application/vnd.docker.container.image.v1+json",
               "size": 1469, "digest": ")", kA, R"("},
    "layers": [
      {"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
       "size": 2479, "digest": ")", kB, R"("},
      {"mediaType": "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
       "size": 0, "digest": ")", kC, R"(",
       "urls": ["https://mcr.microsoft.com/v2/x/blobs/)", kC, R"("]}
    ]
  })");
}

// `json` with `from` replaced by `to` (once, checked).
std::string With(const std::string& json, const std::string& from,
                 const std::string& to) {
  EXPECT_NE(json.find(from), std::string::npos) << from;
  return absl::StrReplaceAll(json, {{from, to}});
}

TEST(MediaTypesTest, Classes) {
  EXPECT_TRUE(IsImageManifestType(formats::kDockerManifest));
  EXPECT_TRUE(IsImageManifestType(formats::kOciManifest));
  EXPECT_FALSE(IsImageManifestType(formats::kOciIndex));
  EXPECT_TRUE(IsIndexType(formats::kDockerManifestList));
  EXPECT_TRUE(IsIndexType(formats::kOciIndex));
  EXPECT_TRUE(IsImageConfigType(formats::kDockerConfig));
  EXPECT_TRUE(IsImageConfigType(formats::kOciConfig));
  EXPECT_FALSE(IsImageConfigType("application/vnd.cncf.helm.config.v1+json"));
  EXPECT_EQ(ManifestAcceptHeader(),
            "application/vnd.oci.image.index.v1+json, "
            "application/vnd.oci.image.manifest.v1+json, "
            "application/vnd.docker.distribution.manifest.list.v2+json, "
            "application/vnd.docker.distribution.manifest.v2+json");
}

TEST(MediaTypesTest, ClassifyLayer) {
  struct Case {
    const char* type;
    Compression compression;
    bool foreign;
  } cases[] = {
      {formats::kOciLayerTar, Compression::kNone, false},
      {formats::kOciLayerTarGzip, Compression::kGzip, false},
      {formats::kOciLayerTarZstd, Compression::kZstd, false},
      {formats::kDockerLayerTar, Compression::kNone, false},
      {formats::kDockerLayerTarGzip, Compression::kGzip, false},
      {kDockerLayerTarZstd, Compression::kZstd, false},
      {kDockerForeignLayerTarGzip, Compression::kGzip, true},
      {kOciNondistributableLayerTar, Compression::kNone, true},
      {kOciNondistributableLayerTarGzip, Compression::kGzip, true},
      {kOciNondistributableLayerTarZstd, Compression::kZstd, true},
  };
  for (const Case& c : cases) {
    std::optional<LayerType> type = ClassifyLayer(c.type);
    ASSERT_TRUE(type.has_value()) << c.type;
    EXPECT_EQ(type->compression, c.compression) << c.type;
    EXPECT_EQ(type->foreign, c.foreign) << c.type;
  }
  EXPECT_FALSE(ClassifyLayer(formats::kOciConfig));
  EXPECT_FALSE(ClassifyLayer("application/vnd.oci.image.layer.v1.tar+bzip2"));
  EXPECT_FALSE(ClassifyLayer(""));
}

TEST(ValidateDigestTest, DockersMessages) {
  EXPECT_TRUE(ValidateDigest(kA).ok());
  EXPECT_TRUE(ValidateDigest("sha256:" + std::string(32, '0') +
                             std::string(32, 'f'))
                  .ok());
  EXPECT_EQ(ValidateDigest("sha512:" + std::string(128, 'a')).message(),
            "unsupported digest algorithm");
  EXPECT_EQ(ValidateDigest("sha256:abc").message(),
            "invalid checksum digest length");
  EXPECT_EQ(ValidateDigest("sha256:" + std::string(64, 'A')).message(),
            "invalid checksum digest format");
  EXPECT_EQ(ValidateDigest("sha256:" + std::string(63, 'a') + "g").message(),
            "invalid checksum digest format");
  EXPECT_EQ(ValidateDigest(std::string(64, 'a')).message(),
            "invalid checksum digest format");
  EXPECT_EQ(ValidateDigest(":" + std::string(64, 'a')).message(),
            "invalid checksum digest format");
}

TEST(ManifestMediaTypeTest, BodyThenHeaderThenShape) {
  EXPECT_EQ(*ManifestMediaType(DockerManifest(), formats::kOciManifest),
            formats::kDockerManifest);
  EXPECT_EQ(*ManifestMediaType(R"({"schemaVersion":2,"config":{}})",
                               "application/vnd.oci.image.manifest.v1+json; "
                               "charset=utf-8"),
            formats::kOciManifest);
  EXPECT_EQ(*ManifestMediaType(R"({"schemaVersion":2,"manifests":[]})",
                               " Application/VND.oci.image.index.v1+json "),
            formats::kOciIndex);
  EXPECT_EQ(*ManifestMediaType(R"({"schemaVersion":2,"manifests":[]})", ""),
            formats::kOciIndex);
  EXPECT_EQ(*ManifestMediaType(R"({"schemaVersion":2,"layers":[]})",
                               "application/json"),
            formats::kOciManifest);
}

TEST(ManifestMediaTypeTest, Errors) {
  auto type = ManifestMediaType(R"({"schemaVersion":1,"fsLayers":[]})",
                                "application/json");
  EXPECT_EQ(type.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(type.status().message(), HasSubstr("schema 1"));
  EXPECT_EQ(ManifestMediaType("{}", kDockerSchema1SignedManifest).status().code(),
            absl::StatusCode::kUnimplemented);
  type = ManifestMediaType(
      R"({"mediaType":"application/vnd.cncf.helm.chart.v1+json"})", "");
  EXPECT_EQ(type.status().message(),
            "unsupported manifest media type "
            "\"application/vnd.cncf.helm.chart.v1+json\"");
  EXPECT_EQ(ManifestMediaType("<html>", "text/html").status().message(),
            "manifest: invalid JSON");
  EXPECT_EQ(ManifestMediaType("[]", "").status().message(),
            "manifest: must be a JSON object, not array");
}

TEST(ParseImageManifestTest, DockerSchema2) {
  auto manifest = ParseImageManifest(DockerManifest());
  ASSERT_TRUE(manifest.ok()) << manifest.status();
  EXPECT_EQ(manifest->media_type, formats::kDockerManifest);
  EXPECT_EQ(manifest->config.media_type, formats::kDockerConfig);
  EXPECT_EQ(manifest->config.digest, kA);
  EXPECT_EQ(manifest->config.size, 1469);
  ASSERT_EQ(manifest->layers.size(), 2u);
  EXPECT_EQ(manifest->layers[0].digest, kB);
  EXPECT_EQ(manifest->layers[0].size, 2479);
  EXPECT_TRUE(manifest->layers[0].urls.empty());
  EXPECT_EQ(manifest->layers[1].media_type, kDockerForeignLayerTarGzip);
  EXPECT_EQ(manifest->layers[1].size, 0);
  EXPECT_EQ(manifest->layers[1].urls,
            std::vector<std::string>{"https://mcr.microsoft.com/v2/x/blobs/" + kC});
}

TEST(ParseImageManifestTest, OciWithoutMediaTypeAndWithAnnotations) {
  const std::string body = absl::StrCat(
      R"({"schemaVersion":2,
          "config":{"mediaType":"application/vnd.oci.image.config.v1+json",
                    "digest":")", kA, R"(","size":7,"annotations":{"k":"v"}},
          "layers":[],
          "annotations":{"org.opencontainers.image.created":"now"},
          "unknownField":{"deep":[1,2,3]}})");
  auto manifest = ParseImageManifest(body);
  ASSERT_TRUE(manifest.ok()) << manifest.status();
  EXPECT_EQ(manifest->media_type, formats::kOciManifest);
  EXPECT_TRUE(manifest->layers.empty());
  EXPECT_EQ(manifest->config.annotations.at("k"), "v");
  EXPECT_EQ(manifest->annotations.at("org.opencontainers.image.created"), "now");
}

TEST(ParseImageManifestTest, ErrorsNameTheField) {
  const std::string good = DockerManifest();
  struct Case {
    std::string body;
    std::string message;
  } cases[] = {
      {"nope", "manifest: invalid JSON"},
      {"42", "manifest: must be a JSON object, not number"},
      {With(good, R"("schemaVersion": 2)", R"("schemaVersion": 1)"),
       "manifest: field \"schemaVersion\": must be 2, not 1"},
      {With(good, R"("schemaVersion": 2,)", ""),
       "manifest: field \"schemaVersion\": is required"},
      {With(good, "manifest.v2+json", "manifest.list.v2+json"),
       "manifest: field \"mediaType\": is an image index, not a manifest"},
      {With(good, "distribution.manifest.v2+json", "other+json"),
       "manifest: field \"mediaType\": unsupported manifest type "
       "\"application/vnd.docker.other+json\""},
      {With(good, R"("config": {)", R"("konfig": {)"),
       "manifest: field \"config\": is required"},
      {With(good, "container.image.v1+json", "plugin.v1+json"),
       "manifest: field \"config.mediaType\": "
       "\"application/vnd.docker.plugin.v1+json\" is not an image config "
       "(an artifact, not an image?)"},
      {With(good, R"("size": 1469)", R"("size": -1)"),
       "manifest: field \"config.size\": must be an integer >= 0, not -1"},
      {With(good, R"("size": 1469)", R"("size": "1469")"),
       "manifest: field \"config.size\": must be an integer >= 0, not "
       "\"1469\""},
      {With(good, R"("size": 1469)", R"("size": 1.5)"),
       "manifest: field \"config.size\": must be an integer >= 0, not 1.5"},
      {With(good, R"("size": 1469)", R"("size": 18446744073709551615)"),
       "manifest: field \"config.size\": must be an integer >= 0, not "
       "18446744073709551615"},
      {With(good, R"("size": 2479,)", ""),
       "manifest: field \"layers[0].size\": is required"},
      {With(good, kB, "sha256:abc"),
       "manifest: field \"layers[0].digest\": invalid checksum digest length "
       "(\"sha256:abc\")"},
      {With(good, kB, "md5:" + std::string(32, 'b')),
       "manifest: field \"layers[0].digest\": unsupported digest algorithm "
       "(\"md5:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\")"},
      {With(good, R"("size": 2479, "digest": ")" + kB + "\"",
            R"("size": 2479, "digest": 5)"),
       "manifest: field \"layers[0].digest\": must be a string, not number"},
      {With(good, "rootfs.diff.tar.gzip", "rootfs.diff.tar.bz2"),
       "manifest: field \"layers[0].mediaType\": unsupported layer type "
       "\"application/vnd.docker.image.rootfs.diff.tar.bz2\""},
      {With(good, R"("mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",)",
            ""),
       "manifest: field \"layers[0].mediaType\": is required"},
      {With(good, "\"https://mcr", "\"ftp://mcr"),
       "manifest: field \"layers[1].urls\": has \"ftp://mcr.microsoft.com/v2/"
       "x/blobs/" + kC + "\", not an http or https URL"},
      {With(good, R"("urls": [")", R"("urls": [1, ")"),
       "manifest: field \"layers[1].urls\": must be an array of strings"},
      {With(good, R"("layers": [)", R"("layers": {"x": [)"),
       "manifest: invalid JSON"},
      {With(With(good, R"("layers": [)", R"("layers": 3, "x": [)"), "]\n  }",
            "]\n  }"),
       "manifest: field \"layers\": must be an array"},
  };
  for (const Case& c : cases) {
    auto manifest = ParseImageManifest(c.body);
    EXPECT_EQ(manifest.status().code(), absl::StatusCode::kInvalidArgument)
        << c.body;
    EXPECT_EQ(manifest.status().message(), c.message) << c.body;
  }
  EXPECT_THAT(ParseImageManifest(With(good, R"("layers": [)",
                                      R"("annotations": [], "layers": [)"))
                  .status()
                  .message(),
              HasSubstr("field \"annotations\": must be an object of strings"));
  EXPECT_EQ(ParseImageManifest(std::string(kMaxManifestBodySize + 1, ' '))
                .status()
                .message(),
            "manifest: body is 4194305 bytes, more than the limit of 4194304");
  EXPECT_EQ(ParseImageIndex(std::string(kMaxManifestBodySize + 1, ' '))
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  // Deep nesting is refused or parsed without exhausting the stack.
  EXPECT_FALSE(ParseImageManifest(std::string(100000, '[') +
                                  std::string(100000, ']'))
                   .ok());
}

std::string Entry(const std::string& digest, const std::string& platform) {
  return absl::StrCat(
      R"({"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")",
      digest, R"(","size":100)", platform.empty() ? "" : ",\"platform\":",
      platform, "}");
}

std::string Index(const std::vector<std::string>& entries) {
  std::string list;
  for (const std::string& entry : entries) {
    absl::StrAppend(&list, list.empty() ? "" : ",", entry);
  }
  return absl::StrCat(
      R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[)",
      list, "]}");
}

std::string Digest(char c) { return "sha256:" + std::string(64, c); }

TEST(ParseImageIndexTest, EntriesWithPlatforms) {
  auto index = ParseImageIndex(Index({
      Entry(Digest('1'), R"({"os":"linux","architecture":"amd64"})"),
      Entry(Digest('2'),
            R"({"os":"windows","architecture":"amd64","os.version":"10.0.17763.5329","os.features":["win32k"]})"),
      Entry(Digest('3'), R"({"os":"linux","architecture":"arm","variant":"v7"})"),
      Entry(Digest('4'), ""),
  }));
  ASSERT_TRUE(index.ok()) << index.status();
  EXPECT_EQ(index->media_type, formats::kOciIndex);
  ASSERT_EQ(index->manifests.size(), 4u);
  EXPECT_EQ(index->manifests[0].platform->architecture, "amd64");
  EXPECT_EQ(index->manifests[1].platform->os_version, "10.0.17763.5329");
  EXPECT_EQ(index->manifests[1].platform->os_features,
            std::vector<std::string>{"win32k"});
  EXPECT_EQ(index->manifests[2].platform->variant, "v7");
  EXPECT_FALSE(index->manifests[3].platform.has_value());
  EXPECT_EQ(index->manifests[3].digest, Digest('4'));

  auto docker = ParseImageIndex(
      R"({"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json","manifests":[]})");
  ASSERT_TRUE(docker.ok()) << docker.status();
  EXPECT_EQ(docker->media_type, formats::kDockerManifestList);
  auto bare = ParseImageIndex(R"({"schemaVersion":2,"manifests":[]})");
  ASSERT_TRUE(bare.ok()) << bare.status();
  EXPECT_EQ(bare->media_type, formats::kOciIndex);
}

TEST(ParseImageIndexTest, Errors) {
  struct Case {
    std::string body;
    std::string message;
  } cases[] = {
      {R"({"schemaVersion":2})",
       "image index: field \"manifests\": is required"},
      {DockerManifest(),
       "image index: field \"mediaType\": is an image manifest, not an index"},
      {R"({"schemaVersion":2,"mediaType":"x","manifests":[]})",
       "image index: field \"mediaType\": unsupported index type \"x\""},
      {Index({Entry(Digest('1'), R"({"architecture":"amd64"})")}),
       "image index: field \"manifests[0].platform.os\": is required"},
      {Index({Entry(Digest('1'), R"({"os":"linux","architecture":""})")}),
       "image index: field \"manifests[0].platform.architecture\": is "
       "required"},
      {Index({Entry(Digest('1'), R"("linux/amd64")")}),
       "image index: field \"manifests[0].platform\": must be an object"},
      {Index({Entry(Digest('1'),
                    R"({"os":"linux","architecture":"arm","variant":7})")}),
       "image index: field \"manifests[0].platform.variant\": must be a "
       "string, not number"},
      {Index({Entry(Digest('1'), ""), "7"}),
       "image index: field \"manifests[1]\": must be an object"},
      {Index({Entry("sha256:XYZ", "")}),
       "image index: field \"manifests[0].digest\": invalid checksum digest "
       "length (\"sha256:XYZ\")"},
  };
  for (const Case& c : cases) {
    auto index = ParseImageIndex(c.body);
    EXPECT_EQ(index.status().code(), absl::StatusCode::kInvalidArgument)
        << c.body;
    EXPECT_EQ(index.status().message(), c.message) << c.body;
  }
}

ImageIndex IndexOf(const std::vector<std::pair<char, std::string>>& entries) {
  std::vector<std::string> json;
  for (const auto& [digest, platform] : entries) {
    json.push_back(Entry(Digest(digest), platform));
  }
  auto index = ParseImageIndex(Index(json));
  EXPECT_TRUE(index.ok()) << index.status();
  return index.ok() ? *index : ImageIndex();
}

Platform P(std::string os, std::string arch, std::string variant = "") {
  return Platform{std::move(os), std::move(arch), std::move(variant), "", {}};
}

TEST(SelectManifestTest, PicksTheWantedPlatform) {
  const ImageIndex index = IndexOf({
      {'1', R"({"os":"linux","architecture":"arm64","variant":"v8"})"},
      {'2', R"({"os":"linux","architecture":"amd64"})"},
      {'3', R"({"os":"linux","architecture":"arm","variant":"v6"})"},
      {'4', R"({"os":"linux","architecture":"arm","variant":"v7"})"},
      {'5', R"({"os":"unknown","architecture":"unknown"})"},
      {'6', R"({"os":"windows","architecture":"amd64"})"},
  });
  EXPECT_EQ(SelectManifest(index, P("linux", "amd64"))->digest, Digest('2'));
  EXPECT_EQ(SelectManifest(index, P("linux", "arm64"))->digest, Digest('1'));
  EXPECT_EQ(SelectManifest(index, P("linux", "aarch64", "8"))->digest,
            Digest('1'));
  EXPECT_EQ(SelectManifest(index, P("linux", "arm"))->digest, Digest('4'));
  EXPECT_EQ(SelectManifest(index, P("linux", "arm", "v6"))->digest,
            Digest('3'));
  EXPECT_EQ(SelectManifest(index, P("windows", "amd64"))->digest, Digest('6'));
  EXPECT_EQ(SelectManifest(index, HostPlatform())->digest,
            HostPlatform().architecture == "amd64" ? Digest('2') : Digest('1'));
}

TEST(SelectManifestTest, VariantFallbacks) {
  // amd64/v3 takes v2 over baseline; baseline amd64 does not take v2.
  const ImageIndex levels = IndexOf({
      {'1', R"({"os":"linux","architecture":"amd64"})"},
      {'2', R"({"os":"linux","architecture":"amd64","variant":"v2"})"},
      {'4', R"({"os":"linux","architecture":"amd64","variant":"v4"})"},
  });
  EXPECT_EQ(SelectManifest(levels, P("linux", "amd64", "v3"))->digest,
            Digest('2'));
  EXPECT_EQ(SelectManifest(levels, P("linux", "amd64", "v4"))->digest,
            Digest('4'));
  EXPECT_EQ(SelectManifest(levels, P("linux", "amd64"))->digest, Digest('1'));
  const ImageIndex only_v2 = IndexOf(
      {{'2', R"({"os":"linux","architecture":"amd64","variant":"v2"})"}});
  EXPECT_EQ(SelectManifest(only_v2, P("linux", "amd64")).status().code(),
            absl::StatusCode::kNotFound);
  // arm/v7 takes v5 when that is all there is; arm64 entries without a
  // variant are v8.
  const ImageIndex old = IndexOf({
      {'5', R"({"os":"linux","architecture":"arm","variant":"v5"})"},
      {'8', R"({"os":"linux","architecture":"arm64"})"},
  });
  EXPECT_EQ(SelectManifest(old, P("linux", "arm", "v7"))->digest, Digest('5'));
  EXPECT_EQ(SelectManifest(old, P("linux", "arm64", "v8"))->digest,
            Digest('8'));
  // amd64 runs 386 as a last resort, after an entry of its own.
  const ImageIndex i386 = IndexOf({
      {'3', R"({"os":"linux","architecture":"386"})"},
      {'1', R"({"os":"linux","architecture":"amd64"})"},
  });
  EXPECT_EQ(SelectManifest(i386, P("linux", "amd64"))->digest, Digest('1'));
  EXPECT_EQ(
      SelectManifest(IndexOf({{'3', R"({"os":"linux","architecture":"386"})"}}),
                     P("linux", "amd64"))
          ->digest,
      Digest('3'));
}

TEST(SelectManifestTest, TiesGoToTheFirstAndNoPlatformComesLast) {
  const ImageIndex twice = IndexOf({
      {'1', ""},
      {'2', R"({"os":"linux","architecture":"amd64"})"},
      {'3', R"({"os":"linux","architecture":"amd64"})"},
  });
  EXPECT_EQ(SelectManifest(twice, P("linux", "amd64"))->digest, Digest('2'));
  EXPECT_EQ(SelectManifest(twice, P("linux", "s390x"))->digest, Digest('1'));
}

TEST(SelectManifestTest, NotFoundListsWhatIsThere) {
  const ImageIndex index = IndexOf({
      {'1', R"({"os":"linux","architecture":"arm64"})"},
      {'2', R"({"os":"linux","architecture":"arm","variant":"v7"})"},
      {'3', R"({"os":"unknown","architecture":"unknown"})"},
      {'4', R"({"os":"linux","architecture":"aarch64","variant":"v8"})"},
  });
  auto selected = SelectManifest(index, P("linux", "amd64"));
  EXPECT_EQ(selected.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(selected.status().message(),
            "no matching manifest for linux/amd64 in the manifest list "
            "entries (available: linux/arm64/v8, linux/arm/v7)");
  EXPECT_EQ(SelectManifest(ImageIndex(), P("linux", "arm64")).status().message(),
            "no matching manifest for linux/arm64/v8 in the manifest list "
            "entries (available: none)");
}

}  // namespace
}  // namespace berth::imaged::registry
