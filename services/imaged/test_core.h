// imaged's unit tests open their parts over a real ServiceCore (RocksDB and
// a logger) rooted in a temp dir; this is that one setup.
#ifndef BERTH_SERVICES_IMAGED_TEST_CORE_H_
#define BERTH_SERVICES_IMAGED_TEST_CORE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/service_core.h"

namespace berth::imaged::testing {

// A core named "imaged" with its root at `root`, holding `schema`'s record
// kinds, logging warnings only.
absl::StatusOr<std::unique_ptr<ServiceCore>> OpenTestCore(
    const std::string& root, const StoreSchema& schema);

}  // namespace berth::imaged::testing

#endif  // BERTH_SERVICES_IMAGED_TEST_CORE_H_
