// The network commands end to end against a fake netd on a unix socket in a
// temporary directory: what they ask, what they print, and their exit codes.
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
#include "berth/network/v1/network.grpc.pb.h"
#include "ctl/cli/run.h"
#include "ctl/network/network_group.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace berth::ctl {
namespace {

using ::testing::HasSubstr;
using network::v1::Network;

// Knows networks by name; refuses what Docker's daemon would.
class FakeNetd final : public network::v1::NetworkService::Service {
 public:
  FakeNetd() {
    for (const char* name : {"bridge", "web"}) {
      Network& n = networks_[name];
      n.set_id(std::string(64, name[0] == 'b' ? 'b' : 'f'));
      n.set_name(name);
      n.set_driver("bridge");
      n.set_scope("local");
    }
  }

  grpc::Status CreateNetwork(grpc::ServerContext*,
                             const network::v1::CreateNetworkRequest* request,
                             network::v1::CreateNetworkResponse* response)
      override {
    absl::MutexLock lock(&mu_);
    last_create_ = *request;
    response->set_id(std::string(64, 'c'));
    return grpc::Status::OK;
  }

  grpc::Status RemoveNetwork(grpc::ServerContext*,
                             const network::v1::RemoveNetworkRequest* request,
                             network::v1::RemoveNetworkResponse*) override {
    absl::MutexLock lock(&mu_);
    if (request->network() == "bridge") {
      return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                          "bridge is a pre-defined network and cannot be "
                          "removed");
    }
    if (networks_.erase(request->network()) == 0) return NotFound(*request);
    return grpc::Status::OK;
  }

  grpc::Status ListNetworks(grpc::ServerContext*,
                            const network::v1::ListNetworksRequest*,
                            network::v1::ListNetworksResponse* response)
      override {
    absl::MutexLock lock(&mu_);
    for (const auto& [name, network] : networks_) {
      *response->add_networks() = network;
    }
    return grpc::Status::OK;
  }

  grpc::Status InspectNetwork(grpc::ServerContext*,
                              const network::v1::InspectNetworkRequest* request,
                              network::v1::InspectNetworkResponse* response)
      override {
    absl::MutexLock lock(&mu_);
    auto it = networks_.find(request->network());
    if (it == networks_.end()) return NotFound(*request);
    *response->mutable_network() = it->second;
    return grpc::Status::OK;
  }

  grpc::Status PruneNetworks(grpc::ServerContext*,
                             const network::v1::PruneNetworksRequest*,
                             network::v1::PruneNetworksResponse* response)
      override {
    response->add_deleted("web");
    return grpc::Status::OK;
  }

  network::v1::CreateNetworkRequest last_create() {
    absl::MutexLock lock(&mu_);
    return last_create_;
  }

 private:
  template <typename Request>
  static grpc::Status NotFound(const Request& request) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND,
                        "network " + request.network() + " not found");
  }

  absl::Mutex mu_;
  std::map<std::string, Network> networks_ ABSL_GUARDED_BY(mu_);
  network::v1::CreateNetworkRequest last_create_ ABSL_GUARDED_BY(mu_);
};

struct Result {
  int code;
  std::string out;
  std::string err;
};

class NetworkCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/netcli.XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
    grpc::ServerBuilder builder;
    builder.AddListeningPort("unix:" + dir_ + "/netd.sock",
                             grpc::InsecureServerCredentials());
    builder.RegisterService(&netd_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    ASSERT_TRUE(registry_.RegisterAll(NetworkCommands()).ok());
  }

  void TearDown() override {
    server_->Shutdown();
    std::remove((dir_ + "/netd.sock").c_str());
    rmdir(dir_.c_str());
  }

  Result Run(std::vector<std::string> args) {
    args.insert(args.begin(), {"berth", "--run-root", dir_, "network"});
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
  FakeNetd netd_;
  std::unique_ptr<grpc::Server> server_;
  CommandRegistry registry_;
};

TEST_F(NetworkCommandsTest, CreatePrintsTheIdAndSendsThePools) {
  const Result r = Run({"create", "--subnet", "10.9.0.0/16", "--gateway",
                        "10.9.0.254", "--label", "env=prod", "-o", "k=v",
                        "--internal", "n1"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, std::string(64, 'c') + "\n");
  const network::v1::CreateNetworkRequest sent = netd_.last_create();
  EXPECT_EQ(sent.name(), "n1");
  EXPECT_EQ(sent.driver(), "bridge");
  ASSERT_EQ(sent.ipam().pools_size(), 1);
  EXPECT_EQ(sent.ipam().pools(0).gateway(), "10.9.0.254");
  EXPECT_TRUE(sent.internal());
  EXPECT_EQ(sent.labels().at("env"), "prod");
  EXPECT_EQ(sent.options().at("k"), "v");
}

TEST_F(NetworkCommandsTest, ListShowsDockersColumns) {
  Result r = Run({"ls"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "NETWORK ID     NAME      DRIVER    SCOPE\n"
            "bbbbbbbbbbbb   bridge    bridge    local\n"
            "ffffffffffff   web       bridge    local\n");
  r = Run({"list", "-q", "--filter", "scope=swarm"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  r = Run({"ls", "--filter", "foo=bar"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "Error: invalid filter 'foo'\n");
}

TEST_F(NetworkCommandsTest, InspectPrintsWhatItFoundThenTheMissing) {
  Result r = Run({"inspect", "web", "nope"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.out, HasSubstr("\"Name\": \"web\""));
  EXPECT_EQ(r.out.front(), '[');
  EXPECT_EQ(r.err, "Error: network nope not found\n");
  r = Run({"inspect", "-f", "{{.Name}} {{.Driver}}", "web", "bridge"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "web bridge\nbridge bridge\n");
}

TEST_F(NetworkCommandsTest, RemovePrintsEachNameAndFailsForTheOthers) {
  Result r = Run({"rm", "web", "nope", "bridge"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "web\n");
  EXPECT_EQ(r.err,
            "Error: network nope not found\nError: bridge is a pre-defined "
            "network and cannot be removed\n");
  // -f: a missing network is no error.
  r = Run({"remove", "-f", "nope"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "");
}

TEST_F(NetworkCommandsTest, PruneReportsTheDeleted) {
  const Result r = Run({"prune", "-f", "--filter", "label=x"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "Deleted Networks:\nweb\n\n");
}

TEST_F(NetworkCommandsTest, AloneItPrintsItsHelp) {
  const Result r = Run({});
  EXPECT_EQ(r.code, 0);
  EXPECT_THAT(r.out, HasSubstr("Usage: berth network COMMAND"));
  for (const char* command :
       {"connect", "create", "disconnect", "inspect", "ls", "prune", "rm"}) {
    EXPECT_THAT(r.out, HasSubstr(command));
  }
}

}  // namespace
}  // namespace berth::ctl
