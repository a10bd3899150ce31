#include "ctl/cli/connection.h"

#include <grpcpp/support/status.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace berth::ctl {
namespace {

using ::testing::HasSubstr;

// "cannot connect" only when gRPC could not reach the socket: a service that
// answered UNAVAILABLE itself (containerd: imaged is unreachable) is quoted,
// or the user is sent to start the daemon that is running.
TEST(ConnectionsTest, UnavailableSaysWhoWasUnreachable) {
  Connections connections(Endpoints{"/r", "", "", "", ""});
  absl::Status transport = connections.Explain(
      "containerd",
      grpc::Status(grpc::StatusCode::UNAVAILABLE,
                   "failed to connect to all addresses; last error: UNKNOWN: "
                   "unix:/r/containerd.sock: Connection refused"));
  EXPECT_TRUE(absl::IsUnavailable(transport));
  EXPECT_THAT(transport.message(),
              HasSubstr("cannot connect to containerd at unix:///r/containerd.sock"));

  absl::Status answered = connections.Explain(
      "containerd", grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                 "imaged is unreachable at /r/imaged.sock: "
                                 "start berthd or berth-imaged (failed to "
                                 "connect to all addresses)"));
  EXPECT_TRUE(absl::IsUnavailable(answered));
  EXPECT_EQ(answered.message(),
            "imaged is unreachable at /r/imaged.sock: start berthd or "
            "berth-imaged (failed to connect to all addresses)");
}

}  // namespace
}  // namespace berth::ctl
