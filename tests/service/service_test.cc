// Service tests: each service module started in a temporary root, on its own
// socket, and driven through its generated gRPC stub.
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <cstdlib>
#include <memory>
#include <string>

#include "absl/time/clock.h"
#include "berth/container/v1/container.grpc.pb.h"
#include "berth/image/v1/image.grpc.pb.h"
#include "berth/network/v1/network.grpc.pb.h"
#include "berth/volume/v1/volume.grpc.pb.h"
#include "common/logging.h"
#include "common/service_testing.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "services/containerd/containerd.h"
#include "services/imaged/imaged.h"
#include "services/netd/netd.h"
#include "services/volumed/volumed.h"

namespace berth {
namespace {

// netd makes its default bridge where it runs: the whole test moves into a
// network namespace of its own first (while it has one thread), which goes
// with the process.
class OwnNetworkNamespace : public ::testing::Environment {
 public:
  void SetUp() override {
    ASSERT_EQ(unshare(CLONE_NEWNET), 0) << std::strerror(errno);
  }
};
const ::testing::Environment* const kOwnNetns =
    ::testing::AddGlobalTestEnvironment(new OwnNetworkNamespace);

#define BERTH_SERVICE_TRAITS(Traits, ns, pkg, Service, kinds)          \
  struct Traits {                                                      \
    using Contract = pkg::v1::Service;                                 \
    using VersionRequest = pkg::v1::VersionRequest;                    \
    using VersionResponse = pkg::v1::VersionResponse;                  \
    using InfoRequest = pkg::v1::InfoRequest;                          \
    using InfoResponse = pkg::v1::InfoResponse;                        \
    static ServiceDefinition Definition() { return ns::Definition(); } \
    static std::vector<std::string> Kinds() { return kinds; }          \
  }

#define KINDS(...) \
  std::vector<std::string> { __VA_ARGS__ }
BERTH_SERVICE_TRAITS(Imaged, imaged, image, ImageService,
                     KINDS("images", "layers", "snapshots"));
BERTH_SERVICE_TRAITS(Containerd, containerd, container, ContainerService,
                     KINDS("containers", "running", "paused"));
BERTH_SERVICE_TRAITS(Netd, netd, network, NetworkService,
                     KINDS("networks", "endpoints"));
BERTH_SERVICE_TRAITS(Volumed, volumed, volume, VolumeService, KINDS("volumes", "in_use"));
#undef KINDS

template <typename Traits>
class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/bs-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    Start();
  }

  void TearDown() override {
    Stop();
    EXPECT_EQ(std::system(("rm -rf " + dir_).c_str()), 0);
  }

  void Start() {
    ASSERT_TRUE(service_.Start(Traits::Definition(), dir_, "service_test").ok());
    channel_ = service_.channel();
  }

  void Stop() { service_.Stop(); }

  std::string dir_;
  berth::testing::RunningService service_;
  std::shared_ptr<grpc::Channel> channel_;
};

using Services = ::testing::Types<Imaged, Containerd, Netd, Volumed>;
TYPED_TEST_SUITE(ServiceTest, Services);

TYPED_TEST(ServiceTest, AnswersVersion) {
  auto stub = TypeParam::Contract::NewStub(this->channel_);
  grpc::ClientContext context;
  typename TypeParam::VersionResponse response;
  grpc::Status status =
      stub->Version(&context, typename TypeParam::VersionRequest(), &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.version().version(), "0.1.0");
  EXPECT_EQ(response.version().api_version(), "v1");
  EXPECT_EQ(response.version().os(), "linux");
}

TYPED_TEST(ServiceTest, AnswersInfoWithItsRootAndRecordKinds) {
  auto stub = TypeParam::Contract::NewStub(this->channel_);
  grpc::ClientContext context;
  typename TypeParam::InfoResponse response;
  grpc::Status status =
      stub->Info(&context, typename TypeParam::InfoRequest(), &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const auto& info = response.info();
  const std::string name = TypeParam::Definition().name;
  EXPECT_EQ(info.name(), name);
  EXPECT_EQ(info.root(), this->dir_ + "/root/" + name);
  EXPECT_EQ(info.socket(), this->dir_ + "/s.sock");
  EXPECT_EQ(info.pid(), getpid());
  EXPECT_EQ(info.host_process(), "service_test");
  EXPECT_GE(info.uptime_seconds(), 0);
  std::vector<std::string> kinds;
  for (const auto& record : info.records()) {
    kinds.push_back(record.kind());
    // netd's predefined networks (bridge, host, none) exist from the start.
    const int expected =
        name == "netd" && record.kind() == "networks" ? 3 : 0;
    EXPECT_EQ(record.count(), expected) << record.kind();
  }
  EXPECT_EQ(kinds, TypeParam::Kinds());
  // The store lives under the service's own root.
  EXPECT_EQ(access((info.root() + "/db/CURRENT").c_str(), F_OK), 0);
}

TYPED_TEST(ServiceTest, HealthReportsServingUnderContractName) {
  auto health = grpc::health::v1::Health::NewStub(this->channel_);
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(TypeParam::Contract::service_full_name());
  grpc::health::v1::HealthCheckResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(health->Check(&context, request, &response).ok());
  EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);

  request.set_service("berth.nothing.v1.Missing");
  grpc::ClientContext missing_context;
  EXPECT_EQ(health->Check(&missing_context, request, &response).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TYPED_TEST(ServiceTest, RestartOnSameRootReopensStore) {
  this->Stop();
  this->Start();
  auto stub = TypeParam::Contract::NewStub(this->channel_);
  grpc::ClientContext context;
  typename TypeParam::InfoResponse response;
  EXPECT_TRUE(
      stub->Info(&context, typename TypeParam::InfoRequest(), &response).ok());
}

// containerd's pause, update and top through the stub: Docker's checks of
// the request come before the container is looked up, and a container
// that does not exist is NOT_FOUND in Docker's words.
using ContainerdServiceTest = ServiceTest<Containerd>;

TEST_F(ContainerdServiceTest, PauseUpdateAndTopAnswerWithDockersCodes) {
  auto stub = container::v1::ContainerService::NewStub(channel_);
  auto call = [] { return std::make_unique<grpc::ClientContext>(); };
  container::v1::PauseContainerRequest pause;
  pause.set_id("nosuch");
  container::v1::PauseContainerResponse paused;
  grpc::Status status = stub->PauseContainer(call().get(), pause, &paused);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(status.error_message(), "No such container: nosuch");
  container::v1::UnpauseContainerRequest unpause;
  unpause.set_id("nosuch");
  container::v1::UnpauseContainerResponse unpaused;
  EXPECT_EQ(stub->UnpauseContainer(call().get(), unpause, &unpaused).error_code(),
            grpc::StatusCode::NOT_FOUND);

  container::v1::UpdateContainerRequest update;
  update.set_id("nosuch");
  update.mutable_resources()->set_memory(1 << 20);
  container::v1::UpdateContainerResponse updated;
  status = stub->UpdateContainer(call().get(), update, &updated);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "Minimum memory limit allowed is 6MB");
  update.mutable_resources()->set_memory(64 << 20);
  EXPECT_EQ(stub->UpdateContainer(call().get(), update, &updated).error_code(),
            grpc::StatusCode::NOT_FOUND);

  container::v1::TopContainerRequest top;
  top.set_id("nosuch");
  top.set_ps_args("-o user=PID");
  container::v1::TopContainerResponse table;
  status = stub->TopContainer(call().get(), top, &table);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "specifying \"user=PID\" is not allowed");
  top.clear_ps_args();
  EXPECT_EQ(stub->TopContainer(call().get(), top, &table).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace berth
