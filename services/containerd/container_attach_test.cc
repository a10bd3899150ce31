#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "common/fs_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/containerd/attach/scripted_client.h"
#include "services/containerd/shim/framing.h"
#include "services/containerd/shim/spec.h"
#include "services/containerd/testing/supervisor_fixture.h"

namespace berth::containerd {
namespace {

using ::testing::HasSubstr;

class AttachTest : public SupervisorTest {
 protected:
  void SendExit(int fd, int code) {
    ::berth::shim::v1::StreamOutput exit;
    exit.mutable_exit()->set_exit_code(code);
    const std::string frame = shim::EncodeFrame(exit);
    ASSERT_EQ(write(fd, frame.data(), frame.size()),
              static_cast<ssize_t>(frame.size()));
  }
  bool AwaitsAttach(const std::string& id) {
    absl::StatusOr<std::string> bytes =
        ReadFileToString(dir_ + "/containers/" + id + "/shim.pb", 1 << 20);
    EXPECT_TRUE(bytes.ok()) << bytes.status();
    ::berth::shim::v1::Spec spec;
    EXPECT_TRUE(spec.ParseFromString(bytes.value_or("")));
    return spec.await_attach();
  }
  // A client attached to `id` before its start gets Attached at once, has
  // the start hold the output for it, and gets the exit `code`.
  void ExpectAttachedAtNextStart(const std::string& id, int code) {
    absl::Status attached;
    std::thread attach(
        [&] { attached = supervisor_->Attach(Wants(id), client_.Stream()); });
    ASSERT_TRUE(client_.AwaitReceived(1));
    EXPECT_TRUE(client_.received()[0].has_attached());
    EXPECT_TRUE(supervisor_->Start(id).ok());
    EXPECT_TRUE(AwaitsAttach(id));
    const int shim_end = ShimStreamEnd(id);
    if (shim_end >= 0) SendExit(shim_end, code);
    client_.EndInput();
    attach.join();
    EXPECT_TRUE(attached.ok()) << attached;
    ASSERT_EQ(client_.received().size(), 2u);
    EXPECT_EQ(client_.received()[1].exit().exit_code(), code);
  }
  container::v1::AttachStart Wants(const std::string& id) {
    container::v1::AttachStart start;
    start.set_id(id);
    start.set_attach_stdout(true);
    start.set_attach_stderr(true);
    return start;
  }
  testing::ScriptedClient client_;
};

TEST_F(AttachTest, AClientWaitingForTheStartHasTheShimHoldItsOutput) {
  Open();
  ExpectAttachedAtNextStart(Create(), 3);
}

TEST_F(AttachTest, AStartNobodyWaitsForDoesNotHoldTheOutput) {
  Open();
  const std::string id = Create();
  ASSERT_TRUE(supervisor_->Start(id).ok());
  EXPECT_FALSE(AwaitsAttach(id));
}

TEST_F(AttachTest, AStoppedContainerIsAttachedAtItsNextStart) {
  Open();
  const std::string id = Create();
  ASSERT_TRUE(supervisor_->Start(id).ok());
  shims_->Exit(id, 0);
  AwaitStatus(id, container::v1::CONTAINER_STATUS_EXITED);
  ExpectAttachedAtNextStart(id, 5);
}

TEST_F(AttachTest, StdinNeedsOpenStdin) {
  Open();
  const std::string id = Create();
  container::v1::AttachStart start = Wants(id);
  start.set_attach_stdin(true);
  absl::Status refused = supervisor_->Attach(start, client_.Stream());
  EXPECT_TRUE(absl::IsFailedPrecondition(refused)) << refused;
  EXPECT_THAT(refused.message(), HasSubstr("without -i"));
}

TEST_F(AttachTest, BadDetachKeysAreRefused) {
  Open();
  const std::string id = Create();
  container::v1::AttachStart start = Wants(id);
  start.set_detach_keys("ctrl-p,meta-q");
  EXPECT_TRUE(absl::IsInvalidArgument(
      supervisor_->Attach(start, client_.Stream())));
}

TEST_F(AttachTest, AShimKilledUnderTheClientStillGivesItTheExit) {
  Open();
  const std::string id = Create();
  ASSERT_TRUE(supervisor_->Start(id).ok());
  std::thread attach([&] { supervisor_->Attach(Wants(id), client_.Stream()).IgnoreError(); });
  const int shim_end = ShimStreamEnd(id);
  ASSERT_GE(shim_end, 0);
  shims_->Exit(id, 137);
  shutdown(shim_end, SHUT_RDWR);
  client_.EndInput();
  attach.join();
  std::vector<container::v1::AttachContainerResponse> got = client_.received();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_TRUE(got[0].has_attached());
  EXPECT_EQ(got[1].exit().exit_code(), 137);
}

}  // namespace
}  // namespace berth::containerd
