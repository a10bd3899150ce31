// A daemon's gRPC channel to another Berth service's unix socket
// (containerd to imaged and netd). A split service may start later or
// restart: the channel reconnects quickly and a call first waits a moment
// for it, and UNAVAILABLE says which daemon to start.
#ifndef BERTH_COMMON_SERVICE_CHANNEL_H_
#define BERTH_COMMON_SERVICE_CHANNEL_H_

#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace berth {

class ServiceChannel {
 public:
  // `service` as a user knows it ("imaged"), for errors.
  ServiceChannel(std::string service, std::string socket_path);

  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }

  // Sets `context`'s deadline and gives a channel that is not connected a
  // moment to connect (it may be between reconnect attempts).
  void Prepare(grpc::ClientContext& context, absl::Duration deadline);

  // OK, or the call's error; UNAVAILABLE names the service and its socket.
  absl::Status Check(const grpc::Status& status) const;

 private:
  std::string service_;
  std::string socket_path_;
  std::shared_ptr<grpc::Channel> channel_;
};

}  // namespace berth

#endif  // BERTH_COMMON_SERVICE_CHANNEL_H_
