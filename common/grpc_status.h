// The one place where absl::Status meets grpc::Status. Abseil's codes are
// gRPC's, so the mapping is 1:1 in both directions; only the adapters at the
// gRPC edge call these.
#ifndef BERTH_COMMON_GRPC_STATUS_H_
#define BERTH_COMMON_GRPC_STATUS_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace berth {

grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace berth

#endif  // BERTH_COMMON_GRPC_STATUS_H_
