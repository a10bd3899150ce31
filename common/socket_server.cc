#include "common/socket_server.h"

#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "common/grpc_tuning.h"
#include "common/root_lock.h"
#include "common/status_macros.h"
#include "common/unix_socket.h"

namespace berth {
absl::StatusOr<std::unique_ptr<SocketServer>> SocketServer::Start(
    const std::string& socket_path, const std::vector<grpc::Service*>& services,
    const std::vector<std::string>& health_names) {
  RETURN_IF_ERROR(ClaimSocketPath(socket_path));
  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  builder.AddListeningPort("unix:" + socket_path,
                           grpc::InsecureServerCredentials());
  ForEachBulkTransferArgument(TransferSide::kDaemon, [&builder](const char* name,
                                                                int value) {
    builder.AddChannelArgument(name, value);
  });
  for (grpc::Service* service : services) builder.RegisterService(service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on unix socket ", socket_path));
  }
  if (chmod(socket_path.c_str(), 0660) != 0) {
    int err = errno;
    server->Shutdown();
    return ErrnoStatus(err, "chmod", socket_path);
  }
  if (grpc::HealthCheckServiceInterface* health =
          server->GetHealthCheckService()) {
    for (const std::string& name : health_names) {
      health->SetServingStatus(name, true);
    }
  }
  return std::unique_ptr<SocketServer>(
      new SocketServer(socket_path, std::move(server)));
}

void SocketServer::Shutdown(absl::Duration grace) {
  if (stopped_) return;
  stopped_ = true;
  if (grpc::HealthCheckServiceInterface* health =
          server_->GetHealthCheckService()) {
    health->Shutdown();
  }
  server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
  server_->Wait();
  unlink(path_.c_str());
}

SocketServer::~SocketServer() { Shutdown(absl::ZeroDuration()); }

}  // namespace berth
