#include "ctl/cli/cli.h"

#include <cstdio>

namespace berth::ctl {

Connections& CommandContext::connections() {
  if (connections_ == nullptr) {
    connections_ = std::make_unique<Connections>(options.endpoints);
  }
  return *connections_;
}

void CommandContext::Fail(const absl::Status& status, int code) {
  std::fprintf(stderr, "Error: %s\n", std::string(status.message()).c_str());
  exit_code = code;
}

}  // namespace berth::ctl
