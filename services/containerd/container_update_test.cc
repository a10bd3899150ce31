// `update` in the supervisor over fake shims and cgroups, and Docker's
// checks and merge (resource_update.h) on their own.
#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "common/fs_util.h"
#include "services/containerd/shim/spec.h"
#include "services/containerd/resource_update.h"
#include "services/containerd/testing/supervisor_fixture.h"

namespace berth::containerd {
namespace {

using container::v1::HostConfig;
using container::v1::RestartPolicy;
using container::v1::UpdateContainerRequest;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr int64_t kMiB = 1024 * 1024;

HostCpus TwoCpus() { return HostCpus{2, "0-1", "0"}; }

std::string Invalid(const UpdateContainerRequest& request) {
  absl::Status status = ValidateUpdate(request, TwoCpus());
  EXPECT_TRUE(status.ok() || absl::IsInvalidArgument(status)) << status;
  return std::string(status.message());
}

TEST(ValidateUpdateTest, DockersMessages) {
  UpdateContainerRequest r;
  r.mutable_resources()->set_memory(kMiB);
  EXPECT_EQ(Invalid(r), "Minimum memory limit allowed is 6MB");
  r.mutable_resources()->set_memory(64 * kMiB);
  r.mutable_resources()->set_memory_swap(32 * kMiB);
  EXPECT_EQ(Invalid(r),
            "Minimum memoryswap limit should be larger than memory limit, see "
            "usage");
  r.Clear();
  // Unlike create, a swap total alone is fine for an update.
  r.mutable_resources()->set_memory_swap(128 * kMiB);
  EXPECT_EQ(Invalid(r), "");
  r.Clear();
  r.mutable_resources()->set_nano_cpus(3000000000);
  EXPECT_EQ(Invalid(r),
            "range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs "
            "available");
  r.mutable_resources()->set_cpu_period(100000);
  EXPECT_EQ(Invalid(r),
            "Conflicting options: Nano CPUs and CPU Period cannot both be set");
  r.Clear();
  r.mutable_resources()->set_cpuset_cpus("7");
  EXPECT_EQ(Invalid(r),
            "Requested CPUs are not available - requested 7, available: 0-1");
  r.mutable_resources()->set_cpuset_cpus("1-0");
  EXPECT_EQ(Invalid(r), "Invalid value 1-0 for cpuset cpus: invalid format: 1-0");
  r.Clear();
  r.mutable_resources()->set_cpuset_mems("0-9223372036854775807");
  EXPECT_THAT(Invalid(r), HasSubstr("for cpuset mems"));
  r.Clear();
  r.mutable_resources()->set_blkio_weight(2000);
  EXPECT_EQ(Invalid(r), "Range of blkio weight is from 10 to 1000");
  r.Clear();
  r.mutable_restart_policy()->set_name(RestartPolicy::NAME_ALWAYS);
  r.mutable_restart_policy()->set_maximum_retry_count(3);
  EXPECT_EQ(Invalid(r),
            "invalid restart policy: maximum retry count can only be used with "
            "'on-failure'");
}

TEST(MergeUpdateTest, KeepsWhatIsNotGivenAndRefusesDockersConflicts) {
  HostConfig host;
  host.mutable_resources()->set_memory(64 * kMiB);
  host.mutable_resources()->set_pids_limit(10);
  UpdateContainerRequest r;
  r.mutable_resources()->set_memory(100 * kMiB);
  ASSERT_TRUE(MergeUpdate(r, &host).ok());
  EXPECT_EQ(host.resources().memory(), 100 * kMiB);
  // The swap total run -m implied is written down and kept.
  EXPECT_EQ(host.resources().memory_swap(), 128 * kMiB);
  EXPECT_EQ(host.resources().pids_limit(), 10);

  r.mutable_resources()->set_memory(200 * kMiB);
  absl::Status refused = MergeUpdate(r, &host);
  EXPECT_EQ(refused.message(),
            "Memory limit should be smaller than already set memoryswap limit, "
            "update the memoryswap at the same time");
  EXPECT_EQ(host.resources().memory(), 100 * kMiB);  // unchanged

  HostConfig cpus;
  cpus.mutable_resources()->set_nano_cpus(500000000);
  UpdateContainerRequest period;
  period.mutable_resources()->set_cpu_period(50000);
  EXPECT_EQ(MergeUpdate(period, &cpus).message(),
            "Conflicting options: CPU Period cannot be updated as NanoCPUs has "
            "already been set");

  HostConfig removed;
  removed.set_auto_remove(true);
  UpdateContainerRequest policy;
  policy.mutable_restart_policy()->set_name(RestartPolicy::NAME_ALWAYS);
  EXPECT_EQ(MergeUpdate(policy, &removed).message(),
            "Restart policy cannot be updated because AutoRemove is enabled "
            "for the container");
}

class UpdateTest : public SupervisorTest {
 protected:
  cgroups::FakeCgroupDriver& Cgroups() { return cgroups_["berth"]; }
  cgroups::Limits LimitsOf(const std::string& id) {
    cgroups::FakeCgroupDriver::Cgroup cgroup;
    EXPECT_TRUE(Cgroups().Get(id, &cgroup));
    return cgroup.limits;
  }
  std::string StartedWithMemory(int64_t memory) {
    container::v1::CreateContainerRequest request;
    request.mutable_config()->set_image("busybox");
    request.mutable_host_config()->mutable_resources()->set_memory(memory);
    auto created = supervisor_->Create(request);
    EXPECT_TRUE(created.ok()) << created.status();
    const std::string id = created->id();
    EXPECT_TRUE(Cgroups().Create(id, cgroups::Limits()).ok());
    EXPECT_TRUE(supervisor_->Start(id).ok());
    return id;
  }
};

TEST_F(UpdateTest, ARunningContainersCgroupAndRecordChange) {
  Open();
  const std::string id = StartedWithMemory(64 * kMiB);
  UpdateContainerRequest request;
  request.set_id(id);
  request.mutable_resources()->set_memory(96 * kMiB);
  request.mutable_resources()->set_cpu_shares(512);
  request.mutable_resources()->set_pids_limit(50);
  request.mutable_resources()->set_memory_reservation(32 * kMiB);
  request.mutable_restart_policy()->set_name(RestartPolicy::NAME_UNLESS_STOPPED);
  auto updated = supervisor_->Update(request);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_THAT(updated->warnings(), IsEmpty());
  const cgroups::Limits live = LimitsOf(id);
  EXPECT_EQ(live.memory_bytes, 96 * kMiB);
  EXPECT_EQ(live.memory_swap_bytes, 128 * kMiB);
  EXPECT_EQ(live.cpu_shares, 512);
  EXPECT_EQ(live.pids_limit, 50);
  EXPECT_EQ(live.memory_reservation_bytes, 32 * kMiB);
  const container::v1::HostConfig stored = Stored(id).host_config();
  EXPECT_EQ(stored.resources().memory(), 96 * kMiB);
  EXPECT_EQ(stored.resources().pids_limit(), 50);
  EXPECT_EQ(stored.restart_policy().name(), RestartPolicy::NAME_UNLESS_STOPPED);
}

TEST_F(UpdateTest, ARefusedCgroupWritePutsTheRecordBack) {
  Open();
  const std::string id = StartedWithMemory(64 * kMiB);
  Cgroups().FailNext("Update", absl::InvalidArgumentError("write 7: EBUSY"));
  UpdateContainerRequest request;
  request.set_id(id);
  request.mutable_resources()->set_pids_limit(5);
  absl::Status refused = supervisor_->Update(request).status();
  EXPECT_EQ(refused.message(), "Cannot update container " + id + ": write 7: EBUSY");
  EXPECT_EQ(Stored(id).host_config().resources().pids_limit(), 0);
  // Docker's merge conflict carries the same prefix.
  request.mutable_resources()->set_memory(512 * kMiB);
  EXPECT_THAT(supervisor_->Update(request).status().message(),
              HasSubstr("Cannot update container " + id +
                        ": Memory limit should be smaller"));
}

TEST_F(UpdateTest, AStoppedContainerTakesItsLimitsAtTheNextStart) {
  Open();
  const std::string id = Create();
  UpdateContainerRequest request;
  request.set_id(id);
  request.mutable_resources()->set_cpu_period(50000);
  request.mutable_resources()->set_cpu_quota(25000);
  ASSERT_TRUE(supervisor_->Update(request).ok());
  EXPECT_FALSE(Cgroups().Exists(id).value_or(true));  // nothing touched
  ASSERT_TRUE(supervisor_->Start(id).ok());
  // The shim sets them with the others, before the init runs.
  absl::StatusOr<std::string> bytes =
      ReadFileToString(dir_ + "/containers/" + id + "/shim.pb", 1 << 20);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  ::berth::shim::v1::Spec spec;
  ASSERT_TRUE(spec.ParseFromString(*bytes));
  EXPECT_EQ(spec.cpu_period_us(), 50000);
  EXPECT_EQ(spec.cpu_quota_us(), 25000);
}

TEST_F(UpdateTest, AnIoWeightTheHostLacksIsDroppedWithAWarning) {
  Open();
  Cgroups().SetWithoutBlkioWeight(true);
  const std::string id = Create();
  UpdateContainerRequest request;
  request.set_id(id);
  request.mutable_resources()->set_blkio_weight(300);
  auto updated = supervisor_->Update(request);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_THAT(updated->warnings(), ElementsAre(HasSubstr("Weight discarded")));
  EXPECT_EQ(Stored(id).host_config().resources().blkio_weight(), 0u);
}

}  // namespace
}  // namespace berth::containerd
