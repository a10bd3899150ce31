// volumed started in a temporary root, on its own socket, and driven
// through its generated gRPC stub (as tests/service does for every
// service): the codes and words a client sees.
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <memory>
#include <string>

#include "absl/time/clock.h"
#include "berth/volume/v1/volume.grpc.pb.h"
#include "common/logging.h"
#include "common/service_testing.h"
#include "gtest/gtest.h"
#include "services/volumed/volumed.h"

namespace berth::volumed {
namespace {

using volume::v1::VolumeService;

class VolumedServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/vs-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    Start();
  }
  void TearDown() override {
    Stop();
    std::system(("rm -rf " + dir_).c_str());
  }
  void Start() {
    ASSERT_TRUE(service_.Start(Definition(), dir_, "volumed_service_test").ok());
    stub_ = VolumeService::NewStub(service_.channel());
  }
  void Stop() { service_.Stop(); }
  std::map<std::string, int64_t> Counts() {
    grpc::ClientContext context;
    volume::v1::InfoResponse response;
    EXPECT_TRUE(stub_->Info(&context, {}, &response).ok());
    std::map<std::string, int64_t> counts;
    for (const auto& record : response.info().records()) {
      counts[record.kind()] = record.count();
    }
    return counts;
  }

  std::string dir_;
  testing::RunningService service_;
  std::unique_ptr<VolumeService::Stub> stub_;
};

TEST_F(VolumedServiceTest, VolumeLifecycleThroughTheStub) {
  const std::string container(64, 'c');
  volume::v1::CreateVolumeRequest create;
  create.set_name("data");
  volume::v1::CreateVolumeResponse created;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(stub_->CreateVolume(&context, create, &created).ok());
  }
  EXPECT_EQ(created.volume().mountpoint(), dir_ + "/root/volumed/volumes/data/_data");
  EXPECT_EQ(access(created.volume().mountpoint().c_str(), F_OK), 0);

  volume::v1::AcquireVolumeRequest acquire;
  acquire.set_name("data");
  acquire.set_container_id(container);
  volume::v1::AcquireVolumeResponse acquired;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(stub_->AcquireVolume(&context, acquire, &acquired).ok());
  }
  EXPECT_EQ(acquired.host_path(), created.volume().mountpoint());
  EXPECT_EQ((Counts()), (std::map<std::string, int64_t>{{"volumes", 1}, {"in_use", 1}}));

  volume::v1::RemoveVolumeRequest remove;
  remove.set_name("data");
  remove.set_force(true);
  volume::v1::RemoveVolumeResponse removed;
  {
    grpc::ClientContext context;
    grpc::Status status = stub_->RemoveVolume(&context, remove, &removed);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
    EXPECT_EQ(status.error_message(),
              "remove data: volume is in use - [" + container + "]");
  }
  // containerd's crash recovery: who holds what, from the list.
  {
    grpc::ClientContext context;
    volume::v1::ListVolumesResponse listed;
    ASSERT_TRUE(stub_->ListVolumes(&context, {}, &listed).ok());
    ASSERT_EQ(listed.volumes_size(), 1);
    ASSERT_EQ(listed.volumes(0).used_by_size(), 1);
    EXPECT_EQ(listed.volumes(0).used_by(0), container);
  }
  volume::v1::ReleaseVolumeRequest release;
  release.set_container_id(container);
  volume::v1::ReleaseVolumeResponse released;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(stub_->ReleaseVolume(&context, release, &released).ok());
  }
  ASSERT_EQ(released.released_size(), 1);
  {
    grpc::ClientContext context;
    ASSERT_TRUE(stub_->RemoveVolume(&context, remove, &removed).ok());
  }
  volume::v1::InspectVolumeRequest inspect;
  inspect.set_name("data");
  volume::v1::InspectVolumeResponse inspected;
  grpc::ClientContext context;
  grpc::Status status = stub_->InspectVolume(&context, inspect, &inspected);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(status.error_message(), "no such volume: data");
}

TEST_F(VolumedServiceTest, BadRequestsAreInvalidArgument) {
  volume::v1::CreateVolumeRequest create;
  create.set_name("host/dir");
  volume::v1::CreateVolumeResponse created;
  grpc::ClientContext context;
  grpc::Status status = stub_->CreateVolume(&context, create, &created);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("\"host/dir\""), std::string::npos);
}

TEST_F(VolumedServiceTest, EventsStreamCreateAndRecordsSurviveRestart) {
  grpc::ClientContext events_context;
  volume::v1::EventsRequest request;
  auto reader = stub_->Events(&events_context, request);
  reader->WaitForInitialMetadata();
  volume::v1::CreateVolumeRequest create;
  create.set_name("logged");
  volume::v1::CreateVolumeResponse created;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(stub_->CreateVolume(&context, create, &created).ok());
  }
  volume::v1::EventsResponse event;
  ASSERT_TRUE(reader->Read(&event));
  EXPECT_EQ(event.event().type(), types::v1::OBJECT_TYPE_VOLUME);
  EXPECT_EQ(event.event().action(), "create");
  EXPECT_EQ(event.event().actor().id(), "logged");
  events_context.TryCancel();
  reader->Finish();

  Stop();
  Start();
  grpc::ClientContext context;
  volume::v1::InspectVolumeRequest inspect;
  inspect.set_name("logged");
  volume::v1::InspectVolumeResponse inspected;
  ASSERT_TRUE(stub_->InspectVolume(&context, inspect, &inspected).ok());
  EXPECT_EQ(inspected.volume().driver(), "local");
}

}  // namespace
}  // namespace berth::volumed
