// Where the CLI finds each service, and how it says so when one is missing.
#ifndef BERTH_CTL_CLI_CONNECTION_H_
#define BERTH_CTL_CLI_CONNECTION_H_

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include <array>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace berth::ctl {

// The services, in the order the CLI reports them.
inline constexpr std::array<const char*, 4> kServiceNames = {
    "imaged", "containerd", "netd", "volumed"};

// Global flags and environment that choose the sockets.
struct Endpoints {
  std::string run_root;
  // Per-service overrides; empty means RUN_ROOT/<service>.sock.
  std::string imaged_socket;
  std::string containerd_socket;
  std::string netd_socket;
  std::string volumed_socket;

  std::string SocketOf(const std::string& service) const;
};

// Dials services lazily, one channel each.
class Connections {
 public:
  explicit Connections(Endpoints endpoints)
      : endpoints_(std::move(endpoints)) {}

  const Endpoints& endpoints() const { return endpoints_; }
  std::shared_ptr<grpc::Channel> Channel(const std::string& service);

  // A context for one call with the CLI's default deadline.
  static std::unique_ptr<grpc::ClientContext> CallContext(
      absl::Duration timeout = absl::Seconds(10));

  // Turns a failed call into the error the user sees: for an unreachable
  // service it names the service, its socket and how to start it.
  absl::Status Explain(const std::string& service,
                       const grpc::Status& status) const;
  // Explain, and a NOT_FOUND about `name` reads as Docker's "No such
  // <noun>: <name>" unless the service's message says so already.
  absl::Status ExplainAbout(const std::string& service,
                            const grpc::Status& status, absl::string_view noun,
                            absl::string_view name) const;

 private:
  Endpoints endpoints_;
  std::array<std::shared_ptr<grpc::Channel>, kServiceNames.size()> channels_;
};

}  // namespace berth::ctl

#endif  // BERTH_CTL_CLI_CONNECTION_H_
