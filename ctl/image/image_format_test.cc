#include "ctl/image/image_format.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/text_proto_testing.h"
#include "ctl/cli/docker_template.h"
#include "gtest/gtest.h"

namespace berth::ctl {
namespace {

const char kBusybox[] =
    "sha256:beae173ccac6ad749f76713cf4440fe3d21d1043fe616dfbe30775815d1d0f6a";
const char kDangling[] =
    "sha256:3f57d9401f8d42f986df300f0c69192fc41da28ccc8d797829467780db3dd741";
const absl::Time kNow = absl::FromUnixSeconds(1700000000);  // 2023-11-14
const int64_t kTwoWeeksAgo =
    1700000000 - 14 * 24 * 3600;  // 2023-10-31T22:13:20Z

// An ASCII cell padded to a column's width.
std::string Pad(std::string cell, size_t width) {
  cell.resize(width, ' ');
  return cell;
}

template <typename Message>
Message Parse(const std::string& text) {
  return testing::ParseTextProto<Message>(text);
}

image::v1::ListImagesResponse TwoImages() {
  return Parse<image::v1::ListImagesResponse>(absl::StrCat(
      "images { id: '", kBusybox,
      "' repo_tags: 'busybox:latest' repo_tags: 'busybox:1.36' "
      "repo_digests: 'busybox@sha256:5c63a9b46e7139d2d1841462859fdc40' "
      "created { seconds: ",
      kTwoWeeksAgo, " } size: 4261550 shared_size: -1 }",  //
      "images { id: '", kDangling,
      "' created { seconds: ", 1700000000 - 90 * 60, " } size: 0 shared_size: -1 }"));
}

TEST(BuildImageFilterTest, EveryTerm) {
  absl::StatusOr<image::v1::ImageFilter> filter =
      BuildImageFilter({{"dangling", "1"},
                        {"reference", "busy*"},
                        {"reference", "alp*:3"},
                        {"label", "a=b"},
                        {"before", "busybox"},
                        {"since", "sha256:3f57"}});
  ASSERT_TRUE(filter.ok()) << filter.status();
  EXPECT_TRUE(filter->has_dangling());
  EXPECT_TRUE(filter->dangling());
  ASSERT_EQ(filter->references_size(), 2);
  EXPECT_EQ(filter->references(1), "alp*:3");
  ASSERT_EQ(filter->labels_size(), 1);
  EXPECT_EQ(filter->labels(0).key(), "a");
  EXPECT_EQ(filter->labels(0).value(), "b");
  EXPECT_EQ(filter->before(), "busybox");
  EXPECT_EQ(filter->since(), "sha256:3f57");

  EXPECT_FALSE(BuildImageFilter({})->has_dangling());
  EXPECT_FALSE(BuildImageFilter({{"dangling", "False"}})->dangling());
}

TEST(BuildImageFilterTest, RefusesWhatDockerRefuses) {
  EXPECT_EQ(BuildImageFilter({{"x", "1"}}).status().message(),
            "invalid filter 'x'");
  EXPECT_EQ(BuildImageFilter({{"dangling", "maybe"}}).status().message(),
            "invalid filter 'dangling=maybe'");
  EXPECT_EQ(BuildImageFilter({{"dangling", "true"}, {"dangling", "false"}})
                .status()
                .message(),
            "invalid filter 'dangling=false,true'");
}

TEST(ImageRowsTest, OneRowPerTagGroupedByRepository) {
  image::v1::ImageSummary image = Parse<image::v1::ImageSummary>(
      "repo_tags: 'busybox:latest' repo_tags: 'localhost:5000/app:v1' "
      "repo_tags: 'busybox:1.36' "
      "repo_digests: 'busybox@sha256:aaa' repo_digests: 'other@sha256:bbb'");
  std::vector<ImageRow> rows = ImageRows(image, /*digests=*/false);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].repository, "busybox");
  EXPECT_EQ(rows[0].tag, "latest");
  EXPECT_EQ(rows[0].digest, "<none>");
  EXPECT_EQ(rows[1].tag, "1.36");
  EXPECT_EQ(rows[2].repository, "localhost:5000/app");
  EXPECT_EQ(rows[2].tag, "v1");
  // A repository known only by digest.
  EXPECT_EQ(rows[3].repository, "other");
  EXPECT_EQ(rows[3].tag, "<none>");
  EXPECT_EQ(rows[3].digest, "");
  EXPECT_EQ(rows[3].image, &image);

  rows = ImageRows(image, /*digests=*/true);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].digest, "sha256:aaa");
  EXPECT_EQ(rows[1].digest, "sha256:aaa");
  EXPECT_EQ(rows[2].digest, "<none>");
  EXPECT_EQ(rows[3].digest, "sha256:bbb");
}

TEST(ImageRowsTest, UntaggedImageIsNoneNone) {
  std::vector<ImageRow> rows =
      ImageRows(image::v1::ImageSummary(), /*digests=*/true);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].repository, "<none>");
  EXPECT_EQ(rows[0].tag, "<none>");
  EXPECT_EQ(rows[0].digest, "<none>");
}

TEST(RenderImageListTest, DockersTable) {
  EXPECT_EQ(*RenderImageList(TwoImages(), {}, kNow, absl::UTCTimeZone()),
            "REPOSITORY   TAG       IMAGE ID       CREATED       SIZE\n"
            "busybox      latest    beae173ccac6   2 weeks ago   4.26MB\n"
            "busybox      1.36      beae173ccac6   2 weeks ago   4.26MB\n"
            "<none>       <none>    3f57d9401f8d   2 hours ago   0B\n");
}

TEST(RenderImageListTest, Templates) {
  ImageListOptions options;
  options.format = "{{.Repository}}:{{.Tag}}";
  EXPECT_EQ(*RenderImageList(TwoImages(), options, kNow, absl::UTCTimeZone()),
            "busybox:latest\nbusybox:1.36\n<none>:<none>\n");
  options.format = "table {{.ID}}\\t{{.Size}}";
  EXPECT_EQ(*RenderImageList(TwoImages(), options, kNow, absl::UTCTimeZone()),
            "IMAGE ID       SIZE\n"
            "beae173ccac6   4.26MB\n"
            "beae173ccac6   4.26MB\n"
            "3f57d9401f8d   0B\n");
  options.format = "{{.Nope}}";
  EXPECT_EQ(RenderImageList(TwoImages(), options, kNow, absl::UTCTimeZone())
                .status()
                .message(),
            "template parsing error: template: :1:2: executing \"\" at "
            "<.Nope>: can't evaluate field Nope in type "
            "*formatter.ImageContext");
}

TEST(RenderImageListTest, DigestsAndFullIds) {
  ImageListOptions options;
  options.digests = true;
  options.no_trunc = true;
  const std::string out =
      *RenderImageList(TwoImages(), options, kNow, absl::UTCTimeZone());
  // DIGEST is as wide as a digest plus 3, IMAGE ID as a full id plus 3.
  EXPECT_EQ(out.substr(0, out.find('\n')),
            Pad("REPOSITORY", 13) + Pad("TAG", 10) + Pad("DIGEST", 42) +
                Pad("IMAGE ID", 74) + Pad("CREATED", 14) + "SIZE");
  EXPECT_NE(out.find("busybox      latest    "
                     "sha256:5c63a9b46e7139d2d1841462859fdc40   " +
                     std::string(kBusybox) + "   2 weeks ago   4.26MB\n"),
            std::string::npos)
      << out;
}

TEST(RenderImageListTest, QuietPrintsEachIdOnce) {
  ImageListOptions options;
  options.quiet = true;
  EXPECT_EQ(*RenderImageList(TwoImages(), options, kNow, absl::UTCTimeZone()),
            "beae173ccac6\n3f57d9401f8d\n");
}

TEST(RenderImageListTest, JsonLinesLikeDocker) {
  ImageListOptions options;
  options.format = "json";
  const std::string out =
      *RenderImageList(TwoImages(), options, kNow, absl::UTCTimeZone());
  EXPECT_EQ(out.substr(0, out.find('\n') + 1),
            R"({"Containers":"0","CreatedAt":"2023-10-31 22:13:20 +0000 UTC",)"
            R"("CreatedSince":"2 weeks ago","Digest":"\u003cnone\u003e",)"
            R"("ID":"beae173ccac6","Repository":"busybox","SharedSize":"N/A",)"
            R"("Size":"4.26MB","Tag":"latest","UniqueSize":"N/A",)"
            R"("VirtualSize":"4.262MB"})"
            "\n");
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 3);
}

TEST(ImageInspectTest, DockersShapeAndOrder) {
  image::v1::Image image = Parse<image::v1::Image>(absl::StrCat(
      "id: '", kBusybox,
      "' repo_tags: 'busybox:latest' "
      "created { seconds: 1684527565 nanos: 16496717 } "
      "config { env: 'PATH=/usr/bin' cmd: 'sh' exposed_ports: '80/tcp' "
      "         labels { key: 'b' value: '2' } labels { key: 'a' value: '1' } "
      "         healthcheck { test: 'CMD' test: 'true' interval { seconds: 30 "
      "} "
      "                       retries: 3 } } "
      "platform { os: 'linux' architecture: 'amd64' } size: 4261550 "
      "rootfs { type: 'layers' diff_ids: 'sha256:abc' }"));
  EXPECT_EQ(RenderInspectArray({ImageInspectJson(image)}),
            R"([
    {
        "Id": "sha256:beae173ccac6ad749f76713cf4440fe3d21d1043fe616dfbe30775815d1d0f6a",
        "RepoTags": [
            "busybox:latest"
        ],
        "RepoDigests": [],
        "Parent": "",
        "Comment": "",
        "Created": "2023-05-19T20:19:25.016496717Z",
        "Author": "",
        "Config": {
            "User": "",
            "ExposedPorts": {
                "80/tcp": {}
            },
            "Env": [
                "PATH=/usr/bin"
            ],
            "Cmd": [
                "sh"
            ],
            "Healthcheck": {
                "Test": [
                    "CMD",
                    "true"
                ],
                "Interval": 30000000000,
                "Retries": 3
            },
            "Volumes": null,
            "WorkingDir": "",
            "Entrypoint": null,
            "OnBuild": null,
            "Labels": {
                "a": "1",
                "b": "2"
            }
        },
        "Architecture": "amd64",
        "Os": "linux",
        "Size": 4261550,
        "RootFS": {
            "Type": "layers",
            "Layers": [
                "sha256:abc"
            ]
        },
        "Metadata": {
            "LastTagTime": "0001-01-01T00:00:00Z"
        }
    }
]
)");
}

TEST(ImageInspectTest, NothingFoundIsAnEmptyArray) {
  EXPECT_EQ(RenderInspectArray({}), "[]\n");
}

image::v1::ImageHistoryResponse History() {
  return Parse<image::v1::ImageHistoryResponse>(absl::StrCat(
      "entries { id: '", kBusybox, "' created { seconds: ", kTwoWeeksAgo,
      " } created_by: '/bin/sh -c #(nop)  CMD [\"sh\"]' empty_layer: true }",
      "entries { id: '<missing>' created { seconds: ", kTwoWeeksAgo,
      " } created_by: '/bin/sh -c #(nop) ADD "
      "file:4c1f4bbf3b2e4a1ad1cdea0c9a0d9b2e in / ' size: 4261550 }"));
}

TEST(RenderHistoryTest, DockersTable) {
  const std::string created_by = "/bin/sh -c #(nop)  CMD [\"sh\"]";
  EXPECT_EQ(*RenderHistory(History(), {}, kNow, absl::UTCTimeZone()),
            Pad("IMAGE", 15) + Pad("CREATED", 14) + Pad("CREATED BY", 48) +
                Pad("SIZE", 10) + "COMMENT\n" +  //
                Pad("beae173ccac6", 15) + Pad("2 weeks ago", 14) +
                Pad(created_by, 48) + Pad("0B", 10) + "\n" +  //
                Pad("<missing>", 15) + Pad("2 weeks ago", 14) +
                "/bin/sh -c #(nop) ADD file:4c1f4bbf3b2e4a1ad…   " +
                Pad("4.26MB", 10) + "\n");
}

TEST(RenderHistoryTest, Templates) {
  HistoryOptions options;
  options.format = "{{.ID}}|{{.Size}}|{{.CreatedSince}}";
  EXPECT_EQ(*RenderHistory(History(), options, kNow, absl::UTCTimeZone()),
            "beae173ccac6|0B|2 weeks ago\n<missing>|4.26MB|2 weeks ago\n");
  options.format = "table {{.ID}}";
  EXPECT_EQ(*RenderHistory(History(), options, kNow, absl::UTCTimeZone()),
            "IMAGE\nbeae173ccac6\n<missing>\n");
}

TEST(RenderHistoryTest, RawValuesQuietAndJson) {
  HistoryOptions raw;
  raw.human = false;
  raw.no_trunc = true;
  const std::string out =
      *RenderHistory(History(), raw, kNow, absl::UTCTimeZone());
  const std::string add =
      "/bin/sh -c #(nop) ADD file:4c1f4bbf3b2e4a1ad1cdea0c9a0d9b2e in / ";
  EXPECT_EQ(out.substr(0, out.find('\n')),
            Pad("IMAGE", 74) + Pad("CREATED AT", 23) +
                Pad("CREATED BY", add.size() + 3) + Pad("SIZE", 10) +
                "COMMENT");
  EXPECT_NE(out.find("2023-10-31T22:13:20Z   /bin/sh -c #(nop) ADD "
                     "file:4c1f4bbf3b2e4a1ad1cdea0c9a0d9b2e in /    4261550"),
            std::string::npos)
      << out;

  HistoryOptions quiet;
  quiet.quiet = true;
  EXPECT_EQ(*RenderHistory(History(), quiet, kNow, absl::UTCTimeZone()),
            "beae173ccac6\n<missing>\n");

  HistoryOptions json;
  json.format = "json";
  const std::string lines =
      *RenderHistory(History(), json, kNow, absl::UTCTimeZone());
  EXPECT_EQ(lines.substr(0, lines.find('\n') + 1),
            R"({"Comment":"","CreatedAt":"2023-10-31T22:13:20Z",)"
            R"("CreatedBy":"/bin/sh -c #(nop)  CMD [\"sh\"]",)"
            R"("CreatedSince":"2 weeks ago","ID":"beae173ccac6","Size":"0B"})"
            "\n");
}

TEST(RenderRemovedTest, UntaggedThenDeleted) {
  EXPECT_EQ(RenderRemoved(Parse<image::v1::RemoveImageResponse>(
                "untagged: 'busybox:latest' untagged: 'busybox@sha256:abc' "
                "deleted: 'sha256:beae' deleted: 'sha256:1111'")),
            "Untagged: busybox:latest\n"
            "Untagged: busybox@sha256:abc\n"
            "Deleted: sha256:beae\n"
            "Deleted: sha256:1111\n");
}

TEST(RenderPrunedTest, ListsWhatWentAndTheSpace) {
  EXPECT_EQ(RenderPruned(image::v1::PruneImagesResponse()),
            "Total reclaimed space: 0B\n");
  EXPECT_EQ(RenderPruned(Parse<image::v1::PruneImagesResponse>(
                "untagged: 'a:1' deleted: 'sha256:beae' "
                "space_reclaimed: 4261550")),
            "Deleted Images:\n"
            "untagged: a:1\n"
            "deleted: sha256:beae\n"
            "\n"
            "Total reclaimed space: 4.262MB\n");
}

TEST(RenderLoadedTest, TagsOrId) {
  EXPECT_EQ(RenderLoaded(Parse<image::v1::LoadResult>(
                "images { image_id: 'sha256:beae' repo_tags: 'busybox:latest' "
                "         repo_tags: 'busybox:1.36' } "
                "images { image_id: 'sha256:3f57' }")),
            "Loaded image: busybox:latest\n"
            "Loaded image: busybox:1.36\n"
            "Loaded image ID: sha256:3f57\n");
}

}  // namespace
}  // namespace berth::ctl
