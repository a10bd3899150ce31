#include "ctl/system/disk_usage.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "common/text_proto_testing.h"
#include "gtest/gtest.h"

namespace berth::ctl {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1700000000);

// busybox (4 MB, used by a container) and app (busybox's layer plus 1 MB,
// unused) share 4 MB; a dangling image of 2 MB is unused too. Every
// distinct layer once: 4 + 1 + 2 = 7 MB.
image::v1::ListImagesResponse Images() {
  return testing::ParseTextProto<image::v1::ListImagesResponse>(absl::StrCat(
      "layers_size: 7000000 "
      "images { id: 'sha256:", std::string(64, 'a'),
      "' repo_tags: 'busybox:latest' repo_tags: 'busybox:1.36' "
      "created { seconds: 1699000000 } size: 4000000 shared_size: 4000000 "
      "snapshots: 2 } "
      "images { id: 'sha256:", std::string(64, 'b'),
      "' repo_tags: 'app:1' created { seconds: 1699900000 } size: 5000000 "
      "shared_size: 4000000 } "
      "images { id: 'sha256:", std::string(64, 'c'),
      "' created { seconds: 1699990000 } size: 2000000 shared_size: 0 }"));
}

// One running container that wrote 1 MB, one exited that wrote 3 MB.
container::v1::ListContainersResponse Containers() {
  return testing::ParseTextProto<container::v1::ListContainersResponse>(
      absl::StrCat(
          "containers { id: '", std::string(64, '1'),
          "' name: 'web' image: 'busybox' command: 'sleep 100' "
          "status: CONTAINER_STATUS_RUNNING size_rw: 1000000 "
          "size_root_fs: 5000000 created { seconds: 1699999000 } } "
          "containers { id: '", std::string(64, '2'),
          "' name: 'old' image: 'busybox' command: 'true' "
          "status: CONTAINER_STATUS_EXITED size_rw: 3000000 "
          "created { seconds: 1699999500 } }"));
}

TEST(DiskUsageRowsTest, DockersFigures) {
  const std::vector<DiskUsageRow> rows = DiskUsageRows(Images(), Containers(), {});
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].type, "Images");
  EXPECT_EQ(rows[0].total, 3);
  EXPECT_EQ(rows[0].active, 1);
  EXPECT_EQ(rows[0].size, 7000000);
  // busybox's unique size (0: all of it is shared) is kept.
  EXPECT_EQ(rows[0].reclaimable, 7000000);
  EXPECT_EQ(rows[1].type, "Containers");
  EXPECT_EQ(rows[1].total, 2);
  EXPECT_EQ(rows[1].active, 1);
  EXPECT_EQ(rows[1].size, 4000000);
  EXPECT_EQ(rows[1].reclaimable, 3000000);
  EXPECT_EQ(rows[2].type, "Local Volumes");
  EXPECT_EQ(rows[3].type, "Build Cache");
}

// "data" is held by a container; "old" is not; "fresh" was not measured.
volume::v1::ListVolumesResponse Volumes() {
  return testing::ParseTextProto<volume::v1::ListVolumesResponse>(
      "volumes { name: 'data' driver: 'local' usage { size: 1000000 "
      "ref_count: 1 } } "
      "volumes { name: 'fresh' driver: 'local' usage { size: -1 } } "
      "volumes { name: 'old' driver: 'local' usage { size: 2000000 } }");
}

TEST(DiskUsageRowsTest, LocalVolumesAsDockerCountsThem) {
  const DiskUsageRow row = DiskUsageRows({}, {}, Volumes())[2];
  EXPECT_EQ(row.type, "Local Volumes");
  EXPECT_EQ(row.total, 3);
  EXPECT_EQ(row.active, 1);
  EXPECT_EQ(row.size, 3000000);
  EXPECT_EQ(row.reclaimable, 2000000);
  EXPECT_EQ(DiskUsageRowJson(row)["Reclaimable"], "2MB (66%)");
}

TEST(RenderDiskUsageVerboseTest, LocalVolumesSection) {
  const std::string out = *RenderDiskUsageVerbose(
      Images(), Containers(), Volumes(), kNow, absl::UTCTimeZone());
  EXPECT_NE(out.find("\nLocal Volumes space usage:\n\n"
                     "VOLUME NAME   LINKS     SIZE\n"
                     "data          1         1MB\n"
                     "fresh         0         N/A\n"
                     "old           0         2MB\n"
                     "\nBuild cache usage: 0B\n"),
            std::string::npos)
      << out;
  const nlohmann::ordered_json doc = DiskUsageVerboseDocument(
      Images(), Containers(), Volumes(), kNow, absl::UTCTimeZone());
  ASSERT_EQ(doc["Volumes"].size(), 3u);
  EXPECT_EQ(doc["Volumes"][0]["Name"], "data");
  EXPECT_EQ(doc["Volumes"][0]["Links"], "1");
  EXPECT_EQ(doc["Volumes"][2]["Size"], "2MB");
}

TEST(DiskUsageRowsTest, AnActiveImagesUniqueSizeIsKept) {
  image::v1::ListImagesResponse images = Images();
  images.mutable_images(1)->set_snapshots(1);  // app: 1 MB of its own
  EXPECT_EQ(DiskUsageRows(images, {}, {})[0].reclaimable, 6000000);
  EXPECT_EQ(DiskUsageRows(images, {}, {})[0].active, 2);
}

TEST(RenderDiskUsageTest, DockersTable) {
  EXPECT_EQ(*RenderDiskUsage(DiskUsageRows(Images(), Containers(), {}), ""),
            "TYPE            TOTAL     ACTIVE    SIZE      RECLAIMABLE\n"
            "Images          3         1         7MB       7MB (100%)\n"
            "Containers      2         1         4MB       3MB (75%)\n"
            "Local Volumes   0         0         0B        0B\n"
            "Build Cache     0         0         0B        0B\n");
}

TEST(RenderDiskUsageTest, JsonAndTemplates) {
  const std::vector<DiskUsageRow> rows = DiskUsageRows(Images(), Containers(), {});
  const std::string json = *RenderDiskUsage(rows, "json");
  EXPECT_EQ(json.substr(0, json.find('\n')),
            R"json({"Active":"1","Reclaimable":"7MB (100%)","Size":"7MB",)json"
            R"json("TotalCount":"3","Type":"Images"})json");
  EXPECT_EQ(*RenderDiskUsage(rows, "{{.Type}}: {{.TotalCount}}"),
            "Images: 3\nContainers: 2\nLocal Volumes: 0\nBuild Cache: 0\n");
  EXPECT_EQ(*RenderDiskUsage(rows, "table {{.Type}}\t{{.Size}}"),
            "TYPE            SIZE\nImages          7MB\nContainers      4MB\n"
            "Local Volumes   0B\nBuild Cache     0B\n");
  EXPECT_FALSE(RenderDiskUsage(rows, "{{.Type").ok());
}

TEST(RenderDiskUsageVerboseTest, DockersSections) {
  const std::string out = *RenderDiskUsageVerbose(
      Images(), Containers(), {}, kNow, absl::UTCTimeZone());
  EXPECT_EQ(out.substr(0, out.find("\nContainers space usage:")),
            "Images space usage:\n\n"
            "REPOSITORY   TAG       IMAGE ID       CREATED        SIZE      "
            "SHARED SIZE   UNIQUE SIZE   CONTAINERS\n"
            "busybox      latest    aaaaaaaaaaaa   12 days ago    4MB       "
            "4MB           0B            2\n"
            "app          1         bbbbbbbbbbbb   28 hours ago   5MB       "
            "4MB           1MB           0\n"
            "<none>       <none>    cccccccccccc   3 hours ago    2MB       "
            "0B            2MB           0\n")
      << out;
  EXPECT_NE(out.find("\nContainers space usage:\n\nCONTAINER ID   IMAGE     "
                     "COMMAND       LOCAL VOLUMES   SIZE      CREATED"),
            std::string::npos)
      << out;
  // The writable layer only, no "(virtual ...)".
  EXPECT_NE(out.find("\"sleep 100\"   0               1MB       16 minutes "
                     "ago"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("\nLocal Volumes space usage:\n\n"
                     "VOLUME NAME   LINKS     SIZE\n"
                     "\nBuild cache usage: 0B\n\n"
                     "CACHE ID   CACHE TYPE   SIZE      CREATED   LAST USED   "
                     "USAGE     SHARED\n"),
            std::string::npos)
      << out;
}

TEST(DiskUsageVerboseDocumentTest, FullIdsAndEmptyLists) {
  const nlohmann::ordered_json doc = DiskUsageVerboseDocument(
      Images(), Containers(), {}, kNow, absl::UTCTimeZone());
  ASSERT_EQ(doc["Images"].size(), 3u);
  EXPECT_EQ(doc["Images"][0]["ID"], "sha256:" + std::string(64, 'a'));
  EXPECT_EQ(doc["Images"][0]["Tag"], "latest");
  ASSERT_EQ(doc["Containers"].size(), 2u);
  EXPECT_EQ(doc["Containers"][0]["Size"], "1MB");
  EXPECT_TRUE(doc["Volumes"].empty());
  EXPECT_TRUE(doc["BuildCache"].empty());
}

}  // namespace
}  // namespace berth::ctl
