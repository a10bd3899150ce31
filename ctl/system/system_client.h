// Calls every service answers: health, Version and Info. Each service has
// its own stub type, so these dispatch on the service name.
#ifndef BERTH_CTL_SYSTEM_SYSTEM_CLIENT_H_
#define BERTH_CTL_SYSTEM_SYSTEM_CLIENT_H_

#include <string>

#include "absl/status/statusor.h"
#include "berth/types/v1/types.pb.h"
#include "ctl/cli/connection.h"

namespace berth::ctl {

// What one service said (or why it said nothing).
struct ServiceReport {
  std::string service;
  std::string socket;
  absl::Status status;  // OK when the service answered
  bool healthy = false;
  types::v1::VersionInfo version;
  types::v1::ServiceInfo info;
};

// Asks `service` for its health and Version (and Info when `with_info`).
ServiceReport QueryService(Connections& connections, const std::string& service,
                           bool with_info);

}  // namespace berth::ctl

#endif  // BERTH_CTL_SYSTEM_SYSTEM_CLIENT_H_
