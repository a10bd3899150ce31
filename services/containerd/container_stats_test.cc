// `stats` in the supervisor over fake cgroups and a fake host: the figures
// of a running container, the CPU % between two readings, zeroes for a
// stopped one, Docker's error for an unknown name, and streaming until the
// client goes.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/containerd/testing/supervisor_fixture.h"

namespace berth::containerd {
namespace {

using container::v1::ContainerStatsRequest;
using container::v1::ContainerStatsResponse;
using ::testing::HasSubstr;

// A host whose CPU time advances by 1 s x 2 CPUs per reading.
class FakeHost final : public stats::HostStats {
 public:
  absl::StatusOr<stats::HostCpu> Cpu() override {
    readings_ += 1;
    return stats::HostCpu{readings_ * 2000000000ULL, 2};
  }
  absl::StatusOr<uint64_t> MemoryTotal() override { return 4ULL << 30; }
  absl::StatusOr<std::vector<stats::NetDevice>> Network(pid_t) override {
    return std::vector<stats::NetDevice>{{"eth0", 1200, 3, 0, 0, 648, 2, 0, 0}};
  }
  uint64_t readings() const { return readings_; }

 private:
  uint64_t readings_ = 0;
};

class StatsTest : public SupervisorTest {
 protected:
  void SetUp() override {
    SupervisorTest::SetUp();
    host_stats_ = std::make_unique<FakeHost>();
    stats_interval_ = absl::Milliseconds(10);
    Open();
  }
  cgroups::FakeCgroupDriver& Cgroups() { return cgroups_["berth"]; }
  std::string Running() {
    const std::string id = Create();
    EXPECT_TRUE(Cgroups().Create(id, cgroups::Limits()).ok());
    EXPECT_TRUE(supervisor_->Start(id).ok());
    return id;
  }
  // Every answer of one Stats call; `cancelled` is asked between readings
  // with the number of answers so far.
  std::vector<ContainerStatsResponse> Gather(
      const ContainerStatsRequest& r,
      const std::function<bool(size_t answers)>& cancelled,
      absl::Status* status) {
    std::vector<ContainerStatsResponse> got;
    *status = supervisor_->Stats(
        r,
        [&](const ContainerStatsResponse& response) {
          got.push_back(response);
          return true;
        },
        [&] { return cancelled(got.size()); });
    return got;
  }
  std::vector<ContainerStatsResponse> Collect(const ContainerStatsRequest& r,
                                              size_t at_most,
                                              absl::Status* status) {
    return Gather(
        r, [at_most](size_t answers) { return answers >= at_most; }, status);
  }
};

TEST_F(StatsTest, RunningContainerFiguresAndCpuPercent) {
  const std::string id = Running();
  cgroups::CgroupStats usage;
  usage.memory_usage_bytes = 100 << 20;
  usage.memory_stat = {{"inactive_file", 20 << 20}};
  usage.io_read_bytes = 4096;
  Cgroups().SetStats(id, usage);
  ContainerStatsRequest request;
  request.add_ids(id.substr(0, 12));
  // No stream, not one-shot: two readings an interval apart, one answer.
  // Between them the container uses 1 s of CPU while the host's 2 CPUs
  // use 2 s: Docker's formula says 100% (of one CPU).
  bool used = false;
  absl::Status status;
  std::vector<ContainerStatsResponse> got = Gather(
      request,
      [&](size_t) {
        if (!used) {
          used = true;
          usage.cpu_usage_ns = 1000000000;
          Cgroups().SetStats(id, usage);
        }
        return false;
      },
      &status);
  ASSERT_TRUE(status.ok()) << status;
  ASSERT_EQ(got.size(), 1u);
  ASSERT_EQ(got[0].stats_size(), 1);
  const container::v1::ContainerStats& s = got[0].stats(0);
  EXPECT_EQ(s.id(), id);
  EXPECT_DOUBLE_EQ(s.cpu_percent(), 100.0);
  EXPECT_EQ(s.memory().usage(), 80u << 20);
  EXPECT_EQ(s.memory().limit(), 4ULL << 30);
  EXPECT_DOUBLE_EQ(s.memory_percent(), 100.0 * (80 << 20) / (4ULL << 30));
  EXPECT_EQ(s.blkio().read_bytes(), 4096u);
  ASSERT_EQ(s.networks_size(), 1);
  EXPECT_EQ(s.networks(0).rx_bytes(), 1200u);
}

// --no-stream answers after the short window, not the streaming interval.
TEST_F(StatsTest, NoStreamWaitsTheWindowNotTheInterval) {
  stats_interval_ = absl::Hours(1);
  stats_window_ = absl::Milliseconds(20);
  host_stats_ = std::make_unique<FakeHost>();
  Open();
  const std::string id = Running();
  ContainerStatsRequest request;
  request.add_ids(id);
  const absl::Time start = absl::Now();
  absl::Status status;
  std::vector<ContainerStatsResponse> got = Gather(
      request,
      [&](size_t) { return absl::Now() - start > absl::Seconds(10); },
      &status);
  ASSERT_TRUE(status.ok()) << status;
  ASSERT_EQ(got.size(), 1u);
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(20));
}

// Many containers: read on several threads, answered in the order asked,
// each with its own figures, against one reading of the host per round.
TEST_F(StatsTest, ManyContainersKeepTheirOrderAndFigures) {
  auto host = std::make_unique<FakeHost>();
  FakeHost* host_view = host.get();
  host_stats_ = std::move(host);
  stats_window_ = absl::Milliseconds(5);
  Open();
  std::vector<std::string> ids;
  for (int i = 0; i < 40; ++i) {
    ids.push_back(Running());
    cgroups::CgroupStats usage;
    usage.memory_usage_bytes = (i + 1) << 20;
    Cgroups().SetStats(ids.back(), usage);
  }
  ContainerStatsRequest request;
  for (auto it = ids.rbegin(); it != ids.rend(); ++it) request.add_ids(*it);
  bool used = false;
  absl::Status status;
  std::vector<ContainerStatsResponse> got = Gather(
      request,
      [&](size_t) {
        if (!used) {  // between the readings each container uses 1 s
          used = true;
          for (size_t i = 0; i < ids.size(); ++i) {
            cgroups::CgroupStats usage;
            usage.memory_usage_bytes = (i + 1) << 20;
            usage.cpu_usage_ns = 1000000000;
            Cgroups().SetStats(ids[i], usage);
          }
        }
        return false;
      },
      &status);
  ASSERT_TRUE(status.ok()) << status;
  ASSERT_EQ(got.size(), 1u);
  ASSERT_EQ(got[0].stats_size(), 40);
  for (int i = 0; i < 40; ++i) {
    const container::v1::ContainerStats& s = got[0].stats(i);
    EXPECT_EQ(s.id(), ids[39 - i]);
    EXPECT_EQ(s.memory().usage(), static_cast<uint64_t>(40 - i) << 20);
    EXPECT_DOUBLE_EQ(s.cpu_percent(), 100.0) << s.id();
  }
  EXPECT_EQ(host_view->readings(), 2u);
}

TEST_F(StatsTest, StreamsUntilTheClientGoes) {
  const std::string id = Running();
  ContainerStatsRequest request;
  request.set_stream(true);
  absl::Status status;
  std::vector<ContainerStatsResponse> got = Collect(request, 3, &status);
  EXPECT_TRUE(absl::IsCancelled(status)) << status;
  ASSERT_EQ(got.size(), 3u);
  for (const ContainerStatsResponse& r : got) {
    ASSERT_EQ(r.stats_size(), 1);
    EXPECT_EQ(r.stats(0).id(), id);
  }
}

TEST_F(StatsTest, OneShotAndStoppedContainerGiveZeroes) {
  const std::string stopped = Create();
  ContainerStatsRequest request;
  request.add_ids(stopped);
  request.set_one_shot(true);
  absl::Status status;
  std::vector<ContainerStatsResponse> got = Collect(request, 100, &status);
  ASSERT_TRUE(status.ok()) << status;
  ASSERT_EQ(got.size(), 1u);
  ASSERT_EQ(got[0].stats_size(), 1);
  EXPECT_EQ(got[0].stats(0).id(), stopped);
  EXPECT_EQ(got[0].stats(0).memory().usage(), 0u);
  EXPECT_EQ(got[0].stats(0).memory().limit(), 0u);
  EXPECT_EQ(got[0].stats(0).pids_current(), 0u);
}

TEST_F(StatsTest, WithoutNamesOnlyActiveContainers) {
  Create();
  const std::string running = Running();
  ContainerStatsRequest request;
  request.set_one_shot(true);
  absl::Status status;
  std::vector<ContainerStatsResponse> got = Collect(request, 100, &status);
  ASSERT_TRUE(status.ok()) << status;
  ASSERT_EQ(got.size(), 1u);
  ASSERT_EQ(got[0].stats_size(), 1);
  EXPECT_EQ(got[0].stats(0).id(), running);
}

TEST_F(StatsTest, UnknownNameIsDockersError) {
  ContainerStatsRequest request;
  request.add_ids("nosuch");
  absl::Status status;
  Collect(request, 100, &status);
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(status.message(), HasSubstr("No such container: nosuch"));
}

TEST_F(StatsTest, ACgroupThatCannotBeReadIsAnError) {
  const std::string id = Running();
  Cgroups().FailNext("Stats", absl::PermissionDeniedError("open x: EACCES"));
  ContainerStatsRequest request;
  request.add_ids(id);
  request.set_one_shot(true);
  absl::Status status;
  Collect(request, 100, &status);
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace berth::containerd
