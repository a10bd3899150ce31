// SocketServer: a gRPC server on one unix socket.
//
// The socket is created mode 0660. A stale socket file (nothing listening)
// is replaced; a live one is refused, so two daemons never fight over it.
// Every server also answers the standard grpc.health.v1 service.
#ifndef BERTH_COMMON_SOCKET_SERVER_H_
#define BERTH_COMMON_SOCKET_SERVER_H_

#include <grpcpp/server.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace berth {

class SocketServer {
 public:
  static absl::StatusOr<std::unique_ptr<SocketServer>> Start(
      const std::string& socket_path,
      const std::vector<grpc::Service*>& services,
      const std::vector<std::string>& health_names);
  ~SocketServer();

  // Stops accepting calls, lets in-flight ones finish for up to `grace`
  // (then cancels them) and removes the socket file.
  void Shutdown(absl::Duration grace);

 private:
  SocketServer(std::string path, std::unique_ptr<grpc::Server> server)
      : path_(std::move(path)), server_(std::move(server)) {}
  std::string path_;
  std::unique_ptr<grpc::Server> server_;
  bool stopped_ = false;
};

}  // namespace berth

#endif  // BERTH_COMMON_SOCKET_SERVER_H_
