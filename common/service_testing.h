// One service module started in a temporary directory on its own unix
// socket, for tests that drive it through its gRPC stub (tests/service and
// each service's own service test). Test-only.
#ifndef BERTH_COMMON_SERVICE_TESTING_H_
#define BERTH_COMMON_SERVICE_TESTING_H_

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <stdlib.h>
#include <unistd.h>

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/logging.h"
#include "common/service_module.h"
#include "common/socket_server.h"
#include "common/status_macros.h"

namespace berth::testing {

class RunningService {
 public:
  ~RunningService() { Stop(); }

  // Starts `definition` with its root and run root under `dir` (which the
  // caller made and removes), its socket at DIR/s.sock; `process` names the
  // host process in Info.
  absl::Status Start(const ServiceDefinition& definition, const std::string& dir,
                     const std::string& process) {
    ServiceContext context;
    context.identity.name = definition.name;
    context.identity.root = absl::StrCat(dir, "/root/", definition.name);
    context.identity.socket = dir + "/s.sock";
    context.identity.host_process = process;
    context.identity.pid = getpid();
    context.identity.started_at = absl::Now();
    context.logger = *MakeLogger(definition.name, "warn", "");
    // Runtime files (containerd's shim sockets) stay in the test's directory.
    config_.set_root(dir + "/root");
    config_.set_run_root(dir + "/run");
    context.config = &config_;
    ASSIGN_OR_RETURN(module_, definition.create(context));
    ASSIGN_OR_RETURN(server_, SocketServer::Start(context.identity.socket,
                                                  module_->GrpcServices(),
                                                  module_->HealthNames()));
    channel_ = grpc::CreateChannel("unix:" + context.identity.socket,
                                   grpc::InsecureChannelCredentials());
    return absl::OkStatus();
  }

  void Stop() {
    if (module_) module_->BeginShutdown();
    if (server_) server_->Shutdown(absl::Seconds(1));
    server_.reset();
    module_.reset();
  }

  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }

 private:
  config::v1::Config config_;
  std::unique_ptr<ServiceModule> module_;
  std::unique_ptr<SocketServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

}  // namespace berth::testing

#endif  // BERTH_COMMON_SERVICE_TESTING_H_
