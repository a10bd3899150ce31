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
namespace {

// True if a process accepts connections on the unix socket `path`.
bool SocketIsLive(const std::string& path) {
  absl::StatusOr<sockaddr_un> addr = UnixSocketAddress(path);
  if (!addr.ok()) return false;
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  bool live = connect(fd, reinterpret_cast<const sockaddr*>(&*addr),
                      sizeof(*addr)) == 0;
  close(fd);
  return live;
}

}  // namespace

absl::Status ClaimSocketPath(const std::string& path) {
  const absl::Status fits = UnixSocketAddress(path).status();
  if (!fits.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(fits.message(), " (choose a shorter --run-root)"));
  }
  const size_t slash = path.rfind('/');
  if (slash != std::string::npos && slash > 0) {
    RETURN_IF_ERROR(MakeDirs(path.substr(0, slash), 0711));
  }
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return absl::OkStatus();
    return ErrnoStatus(errno, "stat", path);
  }
  if (!S_ISSOCK(st.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, " exists and is not a socket; remove it first"));
  }
  if (SocketIsLive(path)) {
    return absl::FailedPreconditionError(
        absl::StrCat("another process is already serving on ", path,
                     "; stop it first or use another --run-root"));
  }
  if (unlink(path.c_str()) != 0) return ErrnoStatus(errno, "unlink", path);
  return absl::OkStatus();
}

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
