#include "ctl/container/container_format.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "common/text_proto_testing.h"
#include "gtest/gtest.h"

namespace berth::ctl {
namespace {

using container::v1::ContainerSummary;

const absl::Time kNow = absl::FromUnixSeconds(1700000000);
const char kId[] =
    "4a7f7eebae0f63178aff7eb0aa39cd3f0627a203ab2df258c1a00b456cf20063";

template <typename Message>
Message Parse(const std::string& text) {
  return testing::ParseTextProto<Message>(text);
}

ContainerSummary Summary(const std::string& extra) {
  return Parse<ContainerSummary>(absl::StrCat(
      "id: '", kId, "' name: 'web' image: 'busybox' image_id: 'sha256:beae'",
      " command: 'sh -c \"sleep 1000; echo done\"' created { seconds: ",
      1700000000 - 120, " } ", extra));
}

TEST(StatusTextTest, EveryState) {
  const int64_t t = 1700000000;
  EXPECT_EQ(StatusText(Summary(absl::StrCat("status: CONTAINER_STATUS_RUNNING "
                                            "started_at { seconds: ",
                                            t - 3, " }")),
                       kNow),
            "Up 3 seconds");
  EXPECT_EQ(StatusText(Summary(absl::StrCat("status: CONTAINER_STATUS_RUNNING "
                                            "health: STATUS_HEALTHY "
                                            "started_at { seconds: ",
                                            t - 3600, " }")),
                       kNow),
            "Up About an hour (healthy)");
  EXPECT_EQ(StatusText(Summary(absl::StrCat("status: CONTAINER_STATUS_PAUSED "
                                            "started_at { seconds: ",
                                            t - 7200, " }")),
                       kNow),
            "Up 2 hours (Paused)");
  EXPECT_EQ(
      StatusText(Summary(absl::StrCat(
                     "status: CONTAINER_STATUS_EXITED exit_code: 137 "
                     "started_at { seconds: ",
                     t - 60, " } finished_at { seconds: ", t - 5, " }")),
                 kNow),
      "Exited (137) 5 seconds ago");
  EXPECT_EQ(StatusText(Summary(absl::StrCat(
                           "status: CONTAINER_STATUS_RESTARTING exit_code: 1 "
                           "started_at { seconds: ",
                           t - 60, " } finished_at { seconds: ", t - 2, " }")),
                       kNow),
            "Restarting (1) 2 seconds ago");
  EXPECT_EQ(StatusText(Summary("status: CONTAINER_STATUS_CREATED"), kNow),
            "Created");
  EXPECT_EQ(StatusText(Summary("status: CONTAINER_STATUS_REMOVING"), kNow),
            "Removal In Progress");
  EXPECT_EQ(StatusText(Summary("status: CONTAINER_STATUS_DEAD"), kNow), "Dead");
}

TEST(CommandColumnTest, QuotedAndTruncated) {
  EXPECT_EQ(CommandColumn("sh -c \"sleep 1000; echo done\"", false),
            "\"sh -c \\\"sleep 1000; …\"");
  EXPECT_EQ(CommandColumn("sleep 10", false), "\"sleep 10\"");
  EXPECT_EQ(CommandColumn("a\tb", true), "\"a\\tb\"");
}

TEST(PortsTextTest, Bindings) {
  auto ports = Parse<container::v1::ContainerSummary>(
                   "ports { container_port: 80 host_port: 8080 } "
                   "ports { container_port: 53 protocol: PROTOCOL_UDP } "
                   "ports { container_port: 443 host_ip: '::1' host_port: 8443 }")
                   .ports();
  EXPECT_EQ(PortsText(ports),
            "0.0.0.0:8080->80/tcp, 53/udp, [::1]:8443->443/tcp");
}

TEST(RenderPortListTest, DockersLinesAndFilter) {
  auto ports = Parse<container::v1::ContainerSummary>(
                   "ports { container_port: 443 host_port: 32768 } "
                   "ports { container_port: 80 host_ip: '127.0.0.1' host_port: 18080 } "
                   "ports { container_port: 53 protocol: PROTOCOL_UDP } "
                   "ports { container_port: 53 protocol: PROTOCOL_UDP host_port: 5353 }")
                   .ports();
  EXPECT_EQ(*RenderPortList(ports, "", "web"),
            "53/udp -> 0.0.0.0:5353\n80/tcp -> 127.0.0.1:18080\n"
            "443/tcp -> 0.0.0.0:32768\n");
  EXPECT_EQ(*RenderPortList(ports, "80", "web"), "127.0.0.1:18080\n");
  EXPECT_EQ(*RenderPortList(ports, "53/UDP", "web"), "0.0.0.0:5353\n");
  absl::StatusOr<std::string> missing = RenderPortList(ports, "81/tcp", "web");
  EXPECT_EQ(missing.status().message(),
            "Error: No public port '81/tcp' published for web");
  EXPECT_EQ(*RenderPortList({}, "", "web"), "");
}

TEST(BuildContainerFilterTest, Terms) {
  absl::StatusOr<container::v1::ContainerFilter> filter = BuildContainerFilter(
      {{"status", "exited"}, {"status", "running"}, {"name", "web"},
       {"id", "4a7f"}, {"label", "a=b"}, {"ancestor", "busybox"},
       {"exited", "137"}, {"health", "healthy"}, {"before", "x"}});
  ASSERT_TRUE(filter.ok()) << filter.status();
  EXPECT_EQ(filter->statuses_size(), 2);
  EXPECT_EQ(filter->names(0), "web");
  EXPECT_EQ(filter->ids(0), "4a7f");
  EXPECT_EQ(filter->labels(0).value(), "b");
  EXPECT_EQ(filter->ancestors(0), "busybox");
  EXPECT_EQ(filter->exit_codes(0), 137);
  EXPECT_EQ(filter->before(), "x");
  EXPECT_EQ(BuildContainerFilter({{"status", "sleeping"}}).status().message(),
            "invalid filter 'status=sleeping'");
  EXPECT_EQ(BuildContainerFilter({{"exited", "x"}}).status().message(),
            "invalid filter 'exited=x'");
  EXPECT_EQ(BuildContainerFilter({{"color", "red"}}).status().message(),
            "invalid filter 'color'");
}

container::v1::ListContainersResponse TwoContainers() {
  container::v1::ListContainersResponse response;
  *response.add_containers() = Summary(absl::StrCat(
      "status: CONTAINER_STATUS_RUNNING started_at { seconds: ",
      1700000000 - 3, " } labels { key: 'b' value: '2' } "
      "labels { key: 'a' value: '1' } ports { container_port: 80 "
      "host_port: 8080 }"));
  *response.add_containers() = Parse<ContainerSummary>(absl::StrCat(
      "id: '", std::string(64, 'b'),
      "' name: 'job' image: 'sha256:beae173ccac6' image_id: "
      "'sha256:beae173ccac6ad749f76713cf4440fe3d21d1043fe616dfbe30775815d1d0f6a'"
      " command: 'true' created { seconds: ",
      1700000000 - 3600 * 5, " } status: CONTAINER_STATUS_CREATED"));
  return response;
}

TEST(RenderContainerListTest, DefaultTable) {
  absl::StatusOr<std::string> out = RenderContainerList(
      TwoContainers(), {}, kNow, absl::UTCTimeZone());
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out,
            "CONTAINER ID   IMAGE          COMMAND                   CREATED  "
            "       STATUS         PORTS                  NAMES\n"
            "4a7f7eebae0f   busybox        \"sh -c \\\"sleep 1000; …\"   2 "
            "minutes ago   Up 3 seconds   0.0.0.0:8080->80/tcp   web\n"
            "bbbbbbbbbbbb   beae173ccac6   \"true\"                    5 hours "
            "ago     Created                               job\n");
}

TEST(RenderContainerListTest, DefaultTableEqualsItsTemplate) {
  ContainerListOptions options;
  const std::string fast =
      *RenderContainerList(TwoContainers(), options, kNow, absl::UTCTimeZone());
  options.format =
      "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t"
      "{{.Status}}\t{{.Ports}}\t{{.Names}}";
  EXPECT_EQ(fast, *RenderContainerList(TwoContainers(), options, kNow,
                                       absl::UTCTimeZone()));
  options.no_trunc = true;
  const std::string templated =
      *RenderContainerList(TwoContainers(), options, kNow, absl::UTCTimeZone());
  options.format = "";
  EXPECT_EQ(templated, *RenderContainerList(TwoContainers(), options, kNow,
                                            absl::UTCTimeZone()));
}

TEST(RenderContainerListTest, QuietNoTruncJsonAndTemplates) {
  ContainerListOptions options;
  options.quiet = true;
  EXPECT_EQ(*RenderContainerList(TwoContainers(), options, kNow,
                                 absl::UTCTimeZone()),
            absl::StrCat("4a7f7eebae0f\n", std::string(12, 'b'), "\n"));
  options.no_trunc = true;
  EXPECT_EQ(*RenderContainerList(TwoContainers(), options, kNow,
                                 absl::UTCTimeZone()),
            absl::StrCat(kId, "\n", std::string(64, 'b'), "\n"));

  options = ContainerListOptions();
  options.format = "{{.Names}} {{.State}} {{.Labels}}";
  EXPECT_EQ(*RenderContainerList(TwoContainers(), options, kNow,
                                 absl::UTCTimeZone()),
            "web running a=1,b=2\njob created \n");
  options.format = "table {{.ID}}\\t{{.Status}}";
  EXPECT_EQ(*RenderContainerList(TwoContainers(), options, kNow,
                                 absl::UTCTimeZone()),
            "CONTAINER ID   STATUS\n4a7f7eebae0f   Up 3 seconds\n"
            "bbbbbbbbbbbb   Created\n");
  options.format = "json";
  absl::StatusOr<std::string> json = RenderContainerList(
      TwoContainers(), options, kNow, absl::UTCTimeZone());
  ASSERT_TRUE(json.ok());
  const std::string first = json->substr(0, json->find('\n'));
  nlohmann::json row = nlohmann::json::parse(first);
  EXPECT_EQ(row["ID"], "4a7f7eebae0f");
  EXPECT_EQ(row["Names"], "web");
  EXPECT_EQ(row["State"], "running");
  EXPECT_EQ(row["RunningFor"], "2 minutes ago");
  EXPECT_EQ(row["CreatedAt"], "2023-11-14 22:11:20 +0000 UTC");
  EXPECT_EQ(row["Ports"], "0.0.0.0:8080->80/tcp");
  EXPECT_EQ(first.substr(0, 11), "{\"Command\":");
  options.format = "{{.Nope";
  EXPECT_FALSE(RenderContainerList(TwoContainers(), options, kNow,
                                   absl::UTCTimeZone())
                   .ok());
}

TEST(RenderContainerListTest, SizeColumn) {
  container::v1::ListContainersResponse response;
  *response.add_containers() =
      Summary("status: CONTAINER_STATUS_CREATED size_rw: 1200 "
              "size_root_fs: 4261550");
  ContainerListOptions options;
  options.size = true;
  absl::StatusOr<std::string> out =
      RenderContainerList(response, options, kNow, absl::UTCTimeZone());
  ASSERT_TRUE(out.ok());
  EXPECT_NE(out->find("SIZE"), std::string::npos);
  EXPECT_NE(out->find("1.2kB (virtual 4.26MB)"), std::string::npos);
}

TEST(RenderContainerPrunedTest, Docker) {
  container::v1::PruneContainersResponse response;
  EXPECT_EQ(RenderContainerPruned(response), "Total reclaimed space: 0B\n");
  response.add_deleted(kId);
  response.set_space_reclaimed(212);
  EXPECT_EQ(RenderContainerPruned(response),
            absl::StrCat("Deleted Containers:\n", kId,
                         "\n\nTotal reclaimed space: 212B\n"));
}

TEST(StartFailureExitCodeTest, RecordedThenMessage) {
  const absl::Status failed = absl::FailedPreconditionError("cannot start");
  EXPECT_EQ(StartFailureExitCode(failed, 127), 127);
  EXPECT_EQ(StartFailureExitCode(failed, 126), 126);
  EXPECT_EQ(StartFailureExitCode(failed, 0), 125);
  EXPECT_EQ(StartFailureExitCode(
                absl::FailedPreconditionError(
                    "exec: \"nope\": executable file not found in $PATH"),
                -1),
            127);
  EXPECT_EQ(StartFailureExitCode(
                absl::NotFoundError(
                    "exec: \"nope\": executable file not found in $PATH"),
                -1),
            127);
  EXPECT_EQ(StartFailureExitCode(
                absl::PermissionDeniedError("exec: \"/etc\": permission denied"),
                -1),
            126);
  EXPECT_EQ(StartFailureExitCode(absl::NotFoundError("No such container: x"),
                                 -1),
            125);
  EXPECT_EQ(StartFailureExitCode(absl::UnavailableError("down"), -1), 125);
}

TEST(LogTimestampTest, NineDigits) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(1700000000);
  ts.set_nanos(6);
  EXPECT_EQ(LogTimestamp(ts), "2023-11-14T22:13:20.000000006Z ");
}

}  // namespace
}  // namespace berth::ctl
