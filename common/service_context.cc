#include "common/service_context.h"

#include "absl/time/clock.h"
#include "common/host_facts.h"
#include "common/version.h"

namespace berth {

types::v1::ServiceInfo ServiceIdentity::Info(
    std::vector<types::v1::RecordCount> records) const {
  types::v1::ServiceInfo info;
  info.set_name(name);
  *info.mutable_version() = BuildVersionInfo();
  info.set_root(root);
  info.set_socket(socket);
  info.set_pid(pid);
  info.set_host_process(host_process);
  const int64_t started = absl::ToUnixMicros(started_at);
  info.mutable_started_at()->set_seconds(started / 1000000);
  info.mutable_started_at()->set_nanos((started % 1000000) * 1000);
  info.set_uptime_seconds(absl::ToInt64Seconds(absl::Now() - started_at));
  for (auto& record : records) *info.add_records() = std::move(record);
  *info.mutable_host() = ReadHostFacts();
  return info;
}

}  // namespace berth
