#include "common/service_channel.h"

#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"

namespace berth {
namespace {

constexpr int kConnectGraceMs = 2000;

// gRPC's default reconnect backoff (up to two minutes) would fail calls
// fast long after the service is back (the fault harness saw creates
// refused with imaged up).
grpc::ChannelArguments ReconnectQuickly() {
  grpc::ChannelArguments arguments;
  arguments.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  arguments.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  arguments.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  return arguments;
}

}  // namespace

ServiceChannel::ServiceChannel(std::string service, std::string socket_path)
    : service_(std::move(service)),
      socket_path_(std::move(socket_path)),
      channel_(grpc::CreateCustomChannel(absl::StrCat("unix://", socket_path_),
                                         grpc::InsecureChannelCredentials(),
                                         ReconnectQuickly())) {}

void ServiceChannel::Prepare(grpc::ClientContext& context,
                             absl::Duration deadline) {
  context.set_deadline(absl::ToChronoTime(absl::Now() + deadline));
  if (channel_->GetState(/*try_to_connect=*/true) == GRPC_CHANNEL_READY) return;
  channel_->WaitForConnected(std::chrono::system_clock::now() +
                             std::chrono::milliseconds(kConnectGraceMs));
}

absl::Status ServiceChannel::Check(const grpc::Status& status) const {
  if (status.ok()) return absl::OkStatus();
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE) {
    return absl::UnavailableError(
        absl::StrCat(service_, " is unreachable at ", socket_path_,
                     ": start berthd or berth-", service_, " (",
                     status.error_message(), ")"));
  }
  return FromGrpcStatus(status);
}

}  // namespace berth
