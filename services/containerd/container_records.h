// How containerd stores containers: one "containers" table keyed by id with
// a unique "name" index, plus id/name generation and lookup by id, unique id
// prefix or name.
#ifndef BERTH_SERVICES_CONTAINERD_CONTAINER_RECORDS_H_
#define BERTH_SERVICES_CONTAINERD_CONTAINER_RECORDS_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "berth/container/v1/container_types.pb.h"
#include "common/store.h"
#include "common/table.h"

namespace berth::containerd {

Table<container::v1::Container> ContainersTable();
StoreSchema ContainerdSchema();

// 64 random lower-case hex characters.
std::string NewContainerId();
// Docker-style "adjective_surname" name; `attempt` > 0 appends a number.
std::string RandomContainerName(int attempt);
// Docker's rule: [a-zA-Z0-9][a-zA-Z0-9_.-]+ (a leading "/" is dropped).
absl::StatusOr<std::string> ValidateContainerName(const std::string& name);

// The container named by `reference`: full id, name, or unique id prefix.
// NOT_FOUND "No such container: X"; INVALID_ARGUMENT for an ambiguous prefix.
absl::StatusOr<container::v1::Container> FindContainer(
    const Store& store, const std::string& reference);

}  // namespace berth::containerd

#endif  // BERTH_SERVICES_CONTAINERD_CONTAINER_RECORDS_H_
