#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "absl/strings/match.h"
#include "common/proto_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/containerd/attach/scripted_client.h"
#include "services/containerd/shim/framing.h"
#include "services/containerd/testing/supervisor_fixture.h"

namespace berth::containerd {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class ExecTest : public SupervisorTest {
 protected:
  void Send(int fd, const ::berth::shim::v1::StreamOutput& message) {
    const std::string frame = shim::EncodeFrame(message);
    ASSERT_EQ(write(fd, frame.data(), frame.size()),
              static_cast<ssize_t>(frame.size()));
  }
  container::v1::ExecStart Starting(const std::string& id,
                                    std::vector<std::string> cmd) {
    container::v1::ExecStart start;
    start.set_id(id);
    for (const std::string& arg : cmd) start.mutable_config()->add_cmd(arg);
    start.mutable_config()->set_attach_stdout(true);
    start.mutable_config()->set_attach_stderr(true);
    return start;
  }
  std::string Running() {
    const std::string id = Create();
    EXPECT_TRUE(supervisor_->Start(id).ok());
    return id;
  }
  testing::ScriptedClient client_;
  std::vector<container::v1::ExecCreated> created_;
  std::function<bool(const container::v1::ExecCreated&)> Created() {
    return [this](const container::v1::ExecCreated& created) {
      created_.push_back(created);
      return true;
    };
  }
};

TEST_F(ExecTest, AProcessRunsWithTheContainersSettingsAndItsExitIsKept) {
  Open();
  const std::string id = Running();
  container::v1::ExecStart start = Starting(id, {"sh", "-c", "exit 4"});
  start.mutable_config()->add_env("EXTRA=1");
  absl::Status done;
  std::thread exec([&] { done = supervisor_->Exec(start, client_.Stream(), Created()); });
  struct Joiner {
    std::thread& thread;
    testing::ScriptedClient& client;
    ~Joiner() {
      client.EndInput();
      if (thread.joinable()) thread.join();
    }
  } joiner{exec, client_};
  const int shim_end = ShimStreamEnd(id);
  ASSERT_GE(shim_end, 0) << done;
  ::berth::shim::v1::StreamOutput output;
  output.mutable_output()->set_stream(1);
  output.mutable_output()->set_data("hello");
  Send(shim_end, output);
  ASSERT_TRUE(client_.AwaitReceived(1)) << done;
  // Running: the container lists it.
  const container::v1::Container during = Inspect(id);
  const std::vector<std::string> ids = {during.exec_ids().begin(),
                                        during.exec_ids().end()};
  ::berth::shim::v1::StreamOutput exit;
  exit.mutable_exit()->set_exit_code(4);
  Send(shim_end, exit);
  client_.EndInput();
  exec.join();
  EXPECT_TRUE(done.ok()) << done;
  ASSERT_EQ(created_.size(), 1u);
  EXPECT_THAT(ids, ElementsAre(created_[0].exec_id()));
  std::vector<container::v1::AttachContainerResponse> got = client_.received();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].output().data(), "hello");
  EXPECT_EQ(got[1].exit().exit_code(), 4);
  {
    absl::MutexLock lock(&world_.mu);
    ASSERT_EQ(world_.execs[id].size(), 1u);
    const auto& request = world_.execs[id][0];
    EXPECT_THAT(request.args(), ElementsAre("sh", "-c", "exit 4"));
    EXPECT_THAT(request.env(), ::testing::Contains("EXTRA=1"));
    EXPECT_EQ(request.exec_id(), created_[0].exec_id());
  }
  absl::StatusOr<container::v1::ExecInfo> info =
      supervisor_->InspectExec(created_[0].exec_id());
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_FALSE(info->running());
  EXPECT_EQ(info->exit_code(), 4);
  EXPECT_EQ(info->container_id(), id);
  EXPECT_TRUE(Inspect(id).exec_ids().empty());
}

TEST_F(ExecTest, ACommandThatCannotStartIsAnExitOf126WithTheReason) {
  Open();
  const std::string id = Running();
  {
    absl::MutexLock lock(&world_.mu);
    world_.exec_failure = absl::NotFoundError(
        "exec: \"nope\": executable file not found in $PATH");
  }
  absl::Status done =
      supervisor_->Exec(Starting(id, {"nope"}), client_.Stream(), Created());
  EXPECT_TRUE(done.ok()) << done;
  EXPECT_TRUE(created_.empty());
  std::vector<container::v1::AttachContainerResponse> got = client_.received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].exit().exit_code(), 126);
  EXPECT_THAT(got[0].exit().error(), HasSubstr("executable file not found"));
}

TEST_F(ExecTest, OnlyARunningContainerTakesAnExec) {
  Open();
  const std::string created = Create();
  absl::Status refused =
      supervisor_->Exec(Starting(created, {"true"}), client_.Stream(), Created());
  EXPECT_TRUE(absl::IsFailedPrecondition(refused)) << refused;
  EXPECT_THAT(refused.message(), HasSubstr("Container " + created + " is not running"));
  const std::string running = Running();
  EXPECT_TRUE(absl::IsInvalidArgument(
      supervisor_->Exec(Starting(running, {}), client_.Stream(), Created())));
  EXPECT_TRUE(absl::IsNotFound(supervisor_->InspectExec("nope").status()));
}

TEST_F(ExecTest, ADetachedExecReturnsOnceItRuns) {
  Open();
  const std::string id = Running();
  container::v1::ExecStart start = Starting(id, {"sleep", "9"});
  start.mutable_config()->set_detach(true);
  EXPECT_TRUE(supervisor_->Exec(start, client_.Stream(), Created()).ok());
  ASSERT_EQ(created_.size(), 1u);
  EXPECT_TRUE(client_.received().empty());
  EXPECT_THAT(Inspect(id).exec_ids(), ElementsAre(created_[0].exec_id()));
  // Its exit still reaches InspectExec.
  const int shim_end = ShimStreamEnd(id);
  ASSERT_GE(shim_end, 0);
  ::berth::shim::v1::StreamOutput exit;
  exit.mutable_exit()->set_exit_code(7);
  Send(shim_end, exit);
  absl::StatusOr<container::v1::ExecInfo> info;
  for (int i = 0; i < 500; ++i) {
    info = supervisor_->InspectExec(created_[0].exec_id());
    if (info.ok() && info->has_exit_code()) break;
    absl::SleepFor(absl::Milliseconds(2));
  }
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->exit_code(), 7);
  EXPECT_TRUE(Inspect(id).exec_ids().empty());
}

TEST_F(ExecTest, AnExecWhoseClientLeftIsNotRunningOnceItsProcessIsGone) {
  Open();
  const std::string id = Running();
  absl::Status done;
  std::thread exec([&] {
    done = supervisor_->Exec(Starting(id, {"sleep", "9"}), client_.Stream(), Created());
  });
  ASSERT_GE(ShimStreamEnd(id), 0);
  client_.EndInput();
  client_.Cancel();
  exec.join();
  ASSERT_EQ(created_.size(), 1u);
  EXPECT_THAT(Inspect(id).exec_ids(), ElementsAre(created_[0].exec_id()));
  {
    absl::MutexLock lock(&world_.mu);
    world_.gone_pids.insert(created_[0].pid());
  }
  EXPECT_TRUE(Inspect(id).exec_ids().empty());
}

TEST_F(ExecTest, DetachingByTheKeysIsAnExecDetachEvent) {
  Open();
  const std::string id = Running();
  container::v1::ExecStart start = Starting(id, {"sh"});
  start.mutable_config()->set_attach_stdin(true);
  container::v1::AttachContainerRequest keys;
  keys.set_input("\x10\x11");  // ctrl-p,ctrl-q: the default
  client_.Push(keys);
  ASSERT_TRUE(supervisor_->Exec(start, client_.Stream(), Created()).ok());
  ASSERT_EQ(created_.size(), 1u);
  ASSERT_FALSE(client_.received().empty());
  EXPECT_TRUE(client_.received().back().has_detached());
  types::v1::EventFilter filter;
  filter.mutable_since()->set_seconds(1);
  *filter.mutable_until() = ToTimestamp(absl::Now() + absl::Seconds(1));
  std::vector<std::string> seen;
  ASSERT_TRUE(supervisor_->events()
                  .Stream(filter,
                          [&](const types::v1::Event& event) {
                            if (absl::StartsWith(event.action(), "exec_")) {
                              seen.push_back(event.action() + " " +
                                             event.actor().attributes().at("execID"));
                            }
                            return true;
                          },
                          [] { return true; })
                  .ok());
  const std::string exec_id = created_[0].exec_id();
  EXPECT_THAT(seen, ElementsAre("exec_create: sh " + exec_id,
                                "exec_start: sh " + exec_id,
                                "exec_detach " + exec_id));
}

}  // namespace
}  // namespace berth::containerd
