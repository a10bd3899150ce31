#include "ctl/cli/connection.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"
#include "common/grpc_tuning.h"

namespace berth::ctl {

std::string Endpoints::SocketOf(const std::string& service) const {
  const std::string* override_socket = nullptr;
  if (service == "imaged") override_socket = &imaged_socket;
  if (service == "containerd") override_socket = &containerd_socket;
  if (service == "netd") override_socket = &netd_socket;
  if (service == "volumed") override_socket = &volumed_socket;
  if (override_socket != nullptr && !override_socket->empty()) {
    return *override_socket;
  }
  return absl::StrCat(run_root, "/", service, ".sock");
}

namespace {

grpc::ChannelArguments BulkTransferArguments() {
  grpc::ChannelArguments args;
  ForEachBulkTransferArgument(TransferSide::kCli, [&args](const char* name,
                                                           int value) {
    args.SetInt(name, value);
  });
  return args;
}

}  // namespace

std::shared_ptr<grpc::Channel> Connections::Channel(
    const std::string& service) {
  for (size_t i = 0; i < kServiceNames.size(); ++i) {
    if (service != kServiceNames[i]) continue;
    if (channels_[i] == nullptr) {
      channels_[i] = grpc::CreateCustomChannel(
          "unix:" + endpoints_.SocketOf(service),
          grpc::InsecureChannelCredentials(), BulkTransferArguments());
    }
    return channels_[i];
  }
  return nullptr;
}

std::unique_ptr<grpc::ClientContext> Connections::CallContext(
    absl::Duration timeout) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  return context;
}

namespace {

// UNAVAILABLE comes from gRPC itself when the socket cannot be reached or
// the connection broke, and from a service that answered (containerd saying
// imaged is unreachable): only the first means "is it running?".
bool IsTransportFailure(const grpc::Status& status) {
  const std::string& message = status.error_message();
  for (const char* transport :
       {"failed to connect", "connections to all backends failing",
        "Socket closed", "Connection reset", "Connection refused",
        "Broken pipe", "GOAWAY", "Cancelling all calls", "No such file",
        "Connection closed", "recvmsg", "sendmsg", "End of TCP stream",
        "Stream removed"}) {
    // gRPC's own words open the message; a service quoting one (containerd:
    // "imaged is unreachable at ... (failed to connect ...)") does not.
    if (absl::StartsWith(message, transport)) return true;
  }
  return message.empty();
}

}  // namespace

absl::Status Connections::Explain(const std::string& service,
                                  const grpc::Status& status) const {
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE &&
      IsTransportFailure(status)) {
    return absl::UnavailableError(absl::StrCat(
        "cannot connect to ", service, " at unix://",
        endpoints_.SocketOf(service),
        ": is it running? Start all services with `berthd` or this one with "
        "`berth-",
        service,
        "` (use --run-root or BERTH_RUN_ROOT if it listens "
        "elsewhere)"));
  }
  if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    return absl::DeadlineExceededError(
        absl::StrCat(service, " at unix://", endpoints_.SocketOf(service),
                     " did not answer in time: ", status.error_message()));
  }
  return FromGrpcStatus(status);
}

absl::Status Connections::ExplainAbout(const std::string& service,
                                       const grpc::Status& status,
                                       absl::string_view noun,
                                       absl::string_view name) const {
  absl::Status error = Explain(service, status);
  const std::string docker = absl::StrCat("No such ", noun);
  if (error.code() == absl::StatusCode::kNotFound && !name.empty() &&
      !absl::StrContains(error.message(), docker)) {
    return absl::NotFoundError(absl::StrCat(docker, ": ", name));
  }
  return error;
}

}  // namespace berth::ctl
