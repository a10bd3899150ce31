// How containerd stores containers: one "containers" table keyed by id with
// a unique "name" index, an in-memory copy of every record (ContainerRecords),
// id/name generation and lookup by id, unique id prefix or name.
#ifndef BERTH_SERVICES_CONTAINERD_CONTAINER_RECORDS_H_
#define BERTH_SERVICES_CONTAINERD_CONTAINER_RECORDS_H_

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
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

// Every container record, in the table and in memory. Reads (ps, inspect,
// lookups by name or id prefix) scan and parse nothing; every write goes to
// the table first and, once committed, to the copy, under one lock so that
// the two never disagree. Thread-safe.
class ContainerRecords {
 public:
  using Record = std::shared_ptr<const container::v1::Container>;

  // Reads every stored record of `store` (which outlives this).
  static absl::StatusOr<std::unique_ptr<ContainerRecords>> Load(Store& store);

  // NOT_FOUND "No such container: ID".
  absl::StatusOr<container::v1::Container> Get(const std::string& id) const;
  // The container named by `reference`: full id, name (an optional leading
  // "/"), or unique id prefix. NOT_FOUND "No such container: X";
  // INVALID_ARGUMENT for an ambiguous prefix.
  absl::StatusOr<container::v1::Container> Find(
      const std::string& reference) const;
  // The id of the container called `name`, if any.
  std::optional<std::string> NameOwner(const std::string& name) const;
  // Every record as it is now; later writes do not change the snapshot.
  std::vector<Record> Snapshot() const;

  // Inserts or replaces the record. ALREADY_EXISTS when another container
  // has its name (nothing is changed then).
  absl::Status Put(const container::v1::Container& container);
  absl::Status Delete(const std::string& id);
  // Replaces the copy in memory only, for a change whose table write
  // failed but that has another authority on disk (an exit: the shim's
  // exit record). The next Put of the record writes it. An unknown id is
  // ignored.
  void PutInMemory(const container::v1::Container& container);

  // Fault injection for tests: every write (Put, Delete) first asks
  // `fault`, and fails with its status if that is not OK.
  using WriteFault =
      std::function<absl::Status(const container::v1::Container&)>;
  void SetWriteFaultForTesting(WriteFault fault);

 private:
  explicit ContainerRecords(Store& store);
  absl::StatusOr<container::v1::Container> FindLocked(
      const std::string& reference) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  void PutLocked(const container::v1::Container& container)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  Store& store_;
  const Table<container::v1::Container> table_;
  mutable absl::Mutex mu_;
  // Ordered by id, for prefix lookups.
  std::map<std::string, Record> by_id_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, std::string> id_by_name_
      ABSL_GUARDED_BY(mu_);
  WriteFault write_fault_ ABSL_GUARDED_BY(mu_);
};

}  // namespace berth::containerd

#endif  // BERTH_SERVICES_CONTAINERD_CONTAINER_RECORDS_H_
