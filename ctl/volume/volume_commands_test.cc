// The volume commands end to end against a fake volumed on a unix socket in
// a temporary directory: what they ask, what they print, and their exit
// codes.
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "berth/volume/v1/volume.grpc.pb.h"
#include "ctl/cli/run.h"
#include "ctl/volume/volume_group.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace berth::ctl {
namespace {

using ::testing::HasSubstr;
using volume::v1::Volume;

// Knows volumes by name; "busy" is in use, as volumed would say.
class FakeVolumed final : public volume::v1::VolumeService::Service {
 public:
  FakeVolumed() {
    for (const char* name : {"v10", "v2", "busy"}) {
      Volume& v = volumes_[name];
      v.set_name(name);
      v.set_driver("local");
      v.set_scope("local");
      v.set_mountpoint(std::string("/vols/") + name + "/_data");
    }
  }

  grpc::Status CreateVolume(grpc::ServerContext*,
                            const volume::v1::CreateVolumeRequest* request,
                            volume::v1::CreateVolumeResponse* response)
      override {
    absl::MutexLock lock(&mu_);
    last_create_ = *request;
    response->mutable_volume()->set_name(
        request->name().empty() ? std::string(64, 'a') : request->name());
    return grpc::Status::OK;
  }

  grpc::Status RemoveVolume(grpc::ServerContext*,
                            const volume::v1::RemoveVolumeRequest* request,
                            volume::v1::RemoveVolumeResponse*) override {
    absl::MutexLock lock(&mu_);
    if (request->name() == "busy") {
      return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                          "remove busy: volume is in use - [c0ffee]");
    }
    if (volumes_.erase(request->name()) == 0 && !request->force()) {
      return NotFound(request->name());
    }
    return grpc::Status::OK;
  }

  grpc::Status ListVolumes(grpc::ServerContext*,
                           const volume::v1::ListVolumesRequest* request,
                           volume::v1::ListVolumesResponse* response) override {
    absl::MutexLock lock(&mu_);
    last_list_ = *request;
    for (const auto& [name, volume] : volumes_) {
      *response->add_volumes() = volume;
    }
    return grpc::Status::OK;
  }

  grpc::Status InspectVolume(grpc::ServerContext*,
                             const volume::v1::InspectVolumeRequest* request,
                             volume::v1::InspectVolumeResponse* response)
      override {
    absl::MutexLock lock(&mu_);
    auto it = volumes_.find(request->name());
    if (it == volumes_.end()) return NotFound(request->name());
    *response->mutable_volume() = it->second;
    return grpc::Status::OK;
  }

  grpc::Status PruneVolumes(grpc::ServerContext*,
                            const volume::v1::PruneVolumesRequest* request,
                            volume::v1::PruneVolumesResponse* response)
      override {
    absl::MutexLock lock(&mu_);
    last_prune_ = *request;
    response->add_deleted("v2");
    response->set_space_reclaimed(1200);
    return grpc::Status::OK;
  }

  volume::v1::CreateVolumeRequest last_create() {
    absl::MutexLock lock(&mu_);
    return last_create_;
  }
  volume::v1::ListVolumesRequest last_list() {
    absl::MutexLock lock(&mu_);
    return last_list_;
  }
  volume::v1::PruneVolumesRequest last_prune() {
    absl::MutexLock lock(&mu_);
    return last_prune_;
  }

 private:
  static grpc::Status NotFound(const std::string& name) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND, "no such volume: " + name);
  }

  absl::Mutex mu_;
  std::map<std::string, Volume> volumes_ ABSL_GUARDED_BY(mu_);
  volume::v1::CreateVolumeRequest last_create_ ABSL_GUARDED_BY(mu_);
  volume::v1::ListVolumesRequest last_list_ ABSL_GUARDED_BY(mu_);
  volume::v1::PruneVolumesRequest last_prune_ ABSL_GUARDED_BY(mu_);
};

struct Result {
  int code;
  std::string out;
  std::string err;
};

class VolumeCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/volcli.XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
    grpc::ServerBuilder builder;
    builder.AddListeningPort("unix:" + dir_ + "/volumed.sock",
                             grpc::InsecureServerCredentials());
    builder.RegisterService(&volumed_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    ASSERT_TRUE(registry_.RegisterAll(VolumeCommands()).ok());
  }

  void TearDown() override {
    server_->Shutdown();
    std::remove((dir_ + "/volumed.sock").c_str());
    rmdir(dir_.c_str());
  }

  Result Run(std::vector<std::string> args) {
    args.insert(args.begin(), {"berth", "--run-root", dir_, "volume"});
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    ::testing::internal::CaptureStdout();
    ::testing::internal::CaptureStderr();
    const int code = RunCli(registry_, static_cast<int>(argv.size()),
                            argv.data());
    std::string out = ::testing::internal::GetCapturedStdout();
    return {code, std::move(out), ::testing::internal::GetCapturedStderr()};
  }

  std::string dir_;
  FakeVolumed volumed_;
  std::unique_ptr<grpc::Server> server_;
  CommandRegistry registry_;
};

TEST_F(VolumeCommandsTest, CreatePrintsTheNameAndSendsTheFlags) {
  Result r = Run({"create", "-d", "local", "--label", "env=prod", "-o",
                  "type=tmpfs", "--opt", "o=size=1m", "data"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "data\n");
  const volume::v1::CreateVolumeRequest sent = volumed_.last_create();
  EXPECT_EQ(sent.name(), "data");
  EXPECT_EQ(sent.driver(), "local");
  EXPECT_EQ(sent.labels().at("env"), "prod");
  EXPECT_EQ(sent.driver_options().at("o"), "size=1m");
  // No name: volumed's.
  r = Run({"create"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, std::string(64, 'a') + "\n");
  r = Run({"create", "--name", "n1"});
  EXPECT_EQ(r.out, "n1\n");
  r = Run({"create", "--name", "n1", "n2"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err,
            "Error: conflicting options: cannot specify a volume-name through "
            "both --name and as a positional arg\n");
}

TEST_F(VolumeCommandsTest, ListShowsDockersColumnsInNaturalOrder) {
  Result r = Run({"ls"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "DRIVER    VOLUME NAME\n"
            "local     busy\n"
            "local     v2\n"
            "local     v10\n");
  r = Run({"list", "-q", "--filter", "dangling=true", "-f", "name=v"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "busy\nv2\nv10\n");
  const volume::v1::ListVolumesRequest sent = volumed_.last_list();
  EXPECT_TRUE(sent.filter().dangling());
  EXPECT_EQ(sent.filter().names(0), "v");
  r = Run({"ls", "--filter", "foo=bar"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "Error: invalid filter 'foo'\n");
  r = Run({"ls", "--format", "{{.Name}}={{.Mountpoint}}"});
  EXPECT_EQ(r.out, "busy=/vols/busy/_data\nv2=/vols/v2/_data\nv10=/vols/v10/_data\n");
}

TEST_F(VolumeCommandsTest, InspectPrintsWhatItFoundThenTheMissing) {
  Result r = Run({"inspect", "v2", "nope"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out,
            "[\n    {\n        \"Driver\": \"local\",\n"
            "        \"Labels\": {},\n"
            "        \"Mountpoint\": \"/vols/v2/_data\",\n"
            "        \"Name\": \"v2\",\n        \"Options\": {},\n"
            "        \"Scope\": \"local\"\n    }\n]\n");
  EXPECT_EQ(r.err, "Error: No such volume: nope\n");
  r = Run({"inspect", "-f", "{{.Name}} {{.Driver}}", "v2", "v10"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "v2 local\nv10 local\n");
  r = Run({"inspect", "nope"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "[]\n");
}

TEST_F(VolumeCommandsTest, RemovePrintsEachNameAndFailsForTheOthers) {
  Result r = Run({"rm", "v2", "nope", "busy"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "v2\n");
  EXPECT_EQ(r.err,
            "Error: No such volume: nope\n"
            "Error: remove busy: volume is in use - [c0ffee]\n");
  // -f: a missing volume is no error.
  r = Run({"remove", "-f", "nope"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "nope\n");
}

TEST_F(VolumeCommandsTest, PruneReportsTheDeletedAndTheSpace) {
  Result r = Run({"prune", "-f", "--filter", "label=x"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "Deleted Volumes:\nv2\n\nTotal reclaimed space: 1.2kB\n");
  EXPECT_FALSE(volumed_.last_prune().all());
  EXPECT_EQ(volumed_.last_prune().filter().labels(0).key(), "x");
  r = Run({"prune", "-a", "-f"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(volumed_.last_prune().all());
  r = Run({"prune", "-a", "-f", "--filter", "all=1"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err,
            "Error: conflicting options: cannot specify both --all and "
            "--filter all=1\n");
  r = Run({"prune", "-f", "--filter", "name=x"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "Error: invalid filter 'name'\n");
}

TEST_F(VolumeCommandsTest, AloneItPrintsItsHelp) {
  const Result r = Run({});
  EXPECT_EQ(r.code, 0);
  EXPECT_THAT(r.out, HasSubstr("Usage: berth volume COMMAND"));
  for (const char* command : {"create", "inspect", "ls", "prune", "rm"}) {
    EXPECT_THAT(r.out, HasSubstr(command));
  }
}

TEST_F(VolumeCommandsTest, UnreachableVolumedIsExplained) {
  server_->Shutdown();
  std::remove((dir_ + "/volumed.sock").c_str());
  const Result r = Run({"ls"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("cannot connect to volumed at unix://"));
}

}  // namespace
}  // namespace berth::ctl
