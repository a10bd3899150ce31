#include "ctl/volume/volume_format.h"

#include <algorithm>
#include <string>
#include <vector>

#include "common/text_proto_testing.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace berth::ctl {
namespace {

using ::berth::testing::ParseTextProto;
using nlohmann::ordered_json;
using volume::v1::Volume;

Volume DataVolume() {
  return ParseTextProto<Volume>(R"pb(
    name: "data"
    driver: "local"
    scope: "local"
    mountpoint: "/var/lib/berth/volumed/volumes/data/_data"
    created { seconds: 1700000000 nanos: 5000 }
    labels { key: "tier" value: "db" }
    labels { key: "env" value: "prod" }
    usage { size: 1234 ref_count: 2 }
  )pb");
}

TEST(VolumeInspectJsonTest, DockersShapeAndOrder) {
  const ordered_json json =
      VolumeInspectJson(DataVolume(), absl::FixedTimeZone(2 * 3600));
  EXPECT_EQ(json.dump(),
            R"({"CreatedAt":"2023-11-15T00:13:20+02:00","Driver":"local",)"
            R"("Labels":{"env":"prod","tier":"db"},)"
            R"("Mountpoint":"/var/lib/berth/volumed/volumes/data/_data",)"
            R"("Name":"data","Options":{},"Scope":"local"})");
  EXPECT_EQ(VolumeInspectJson(DataVolume(), absl::UTCTimeZone())["CreatedAt"],
            "2023-11-14T22:13:20Z");
}

TEST(VolumeInspectJsonTest, AnonymousVolumesAsDockersDaemonMakesThem) {
  Volume volume = ParseTextProto<Volume>(R"pb(
    name: "0123" anonymous: true mountpoint: "/m"
  )pb");
  const ordered_json json = VolumeInspectJson(volume, absl::UTCTimeZone());
  // Docker's daemon marks its anonymous volumes so.
  EXPECT_EQ(json["Labels"].dump(), R"({"com.docker.volume.anonymous":""})");
  EXPECT_TRUE(json["Options"].is_null());
  EXPECT_EQ(VolumeRow(volume, false).fields["Labels"],
            "com.docker.volume.anonymous=");
  // No creation time: Docker's omitempty.
  EXPECT_FALSE(json.contains("CreatedAt"));
  EXPECT_EQ(json["Driver"], "local");
  EXPECT_EQ(json["Scope"], "local");
  volume.mutable_options()->insert({"type", "tmpfs"});
  EXPECT_EQ(VolumeInspectJson(volume, absl::UTCTimeZone())["Options"].dump(),
            R"({"type":"tmpfs"})");
}

TEST(RenderVolumeListTest, DefaultTableAndQuiet) {
  Volume data = DataVolume();
  Volume web = ParseTextProto<Volume>(R"pb(name: "web" driver: "local")pb");
  absl::StatusOr<std::string> out = RenderVolumeList({&data, &web}, {});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out,
            "DRIVER    VOLUME NAME\n"
            "local     data\n"
            "local     web\n");
  out = RenderVolumeList({}, {});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, "DRIVER    VOLUME NAME\n");
  VolumeListOptions options;
  options.quiet = true;
  EXPECT_EQ(*RenderVolumeList({&data, &web}, options), "data\nweb\n");
  // A template wins over -q, as in Docker.
  options.format = "{{.Name}}:{{.Driver}}";
  EXPECT_EQ(*RenderVolumeList({&data}, options), "data:local\n");
}

TEST(RenderVolumeListTest, TemplatesSeeDockersFields) {
  Volume data = DataVolume();
  VolumeListOptions options;
  options.format =
      "{{.Name}} {{.Labels}} {{.Label \"env\"}} {{.Scope}} {{.Mountpoint}} "
      "{{.Links}} {{.Size}}";
  absl::StatusOr<std::string> out = RenderVolumeList({&data}, options);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out,
            "data env=prod,tier=db prod local "
            "/var/lib/berth/volumed/volumes/data/_data N/A N/A\n");

  options.format = "json";
  out = RenderVolumeList({&data}, options);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out,
            R"({"Availability":"N/A","Driver":"local","Group":"N/A",)"
            R"("Labels":"env=prod,tier=db","Links":"N/A",)"
            R"("Mountpoint":"/var/lib/berth/volumed/volumes/data/_data",)"
            R"("Name":"data","Scope":"local","Size":"N/A","Status":"N/A"})"
            "\n");

  options.format = "table {{.Name}}\\t{{.Mountpoint}}\\t{{.Size}}";
  out = RenderVolumeList({&data}, options);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out,
            "VOLUME NAME   MOUNTPOINT                                  SIZE\n"
            "data          /var/lib/berth/volumed/volumes/data/_data   N/A\n");

  // Docker's volume rows have no CreatedAt.
  options.format = "{{.CreatedAt}}";
  out = RenderVolumeList({&data}, options);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("can't evaluate field CreatedAt in "
                                        "type *formatter.volumeContext"),
            absl::string_view::npos)
      << out.status();
}

TEST(VolumeRowTest, UsageWhenAsked) {
  Volume data = DataVolume();
  const TemplateRow row = VolumeRow(data, /*with_usage=*/true);
  EXPECT_EQ(row.fields["Links"], "2");
  EXPECT_EQ(row.fields["Size"], "1.234kB");
  data.mutable_usage()->set_size(-1);
  EXPECT_EQ(VolumeRow(data, true).fields["Size"], "N/A");
}

TEST(NaturalLessTest, NumbersAsNumbers) {
  std::vector<std::string> names = {"v10", "v2", "b", "a1", "v1", "a",
                                    "v02", "1x", "A"};
  std::sort(names.begin(), names.end(),
            [](const std::string& a, const std::string& b) {
              return NaturalLess(a, b);
            });
  EXPECT_EQ(names, (std::vector<std::string>{"1x", "A", "a", "a1", "b", "v1",
                                             "v2", "v02", "v10"}));
  EXPECT_FALSE(NaturalLess("same", "same"));
}

TEST(RenderPrunedVolumesTest, DockersReport) {
  volume::v1::PruneVolumesResponse response;
  response.set_space_reclaimed(99);  // nothing deleted: Docker says 0B
  EXPECT_EQ(RenderPrunedVolumes(response), "Total reclaimed space: 0B\n");
  response.add_deleted("data");
  response.add_deleted("0123abc");
  response.set_space_reclaimed(1200);
  EXPECT_EQ(RenderPrunedVolumes(response),
            "Deleted Volumes:\ndata\n0123abc\n\nTotal reclaimed space: 1.2kB\n");
}

}  // namespace
}  // namespace berth::ctl
