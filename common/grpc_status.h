// The one place where absl::Status meets grpc::Status. Abseil's codes are
// gRPC's, so the mapping is 1:1 in both directions; only the adapters at the
// gRPC edge call these.
#ifndef BERTH_COMMON_GRPC_STATUS_H_
#define BERTH_COMMON_GRPC_STATUS_H_

#include <grpcpp/support/status.h>

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace berth {

grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status FromGrpcStatus(const grpc::Status& status);

// Copies a StatusOr's value into *response, or returns its error.
template <typename T, typename Response>
grpc::Status Answer(absl::StatusOr<T> result, Response* response) {
  if (!result.ok()) return ToGrpcStatus(result.status());
  *response = *std::move(result);
  return grpc::Status::OK;
}

}  // namespace berth

#endif  // BERTH_COMMON_GRPC_STATUS_H_
