#include "services/imaged/test_core.h"

#include "absl/time/clock.h"
#include "common/logging.h"
#include "common/status_macros.h"

namespace berth::imaged::testing {

absl::StatusOr<std::unique_ptr<ServiceCore>> OpenTestCore(
    const std::string& root, const StoreSchema& schema) {
  ServiceContext context;
  context.identity.name = "imaged";
  context.identity.root = root;
  context.identity.started_at = absl::Now();
  ASSIGN_OR_RETURN(context.logger, MakeLogger("imaged", "warn", ""));
  return ServiceCore::Open(context, schema);
}

}  // namespace berth::imaged::testing
