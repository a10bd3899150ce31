// Store: a service's metadata database, one RocksDB per service.
//
// Key layout (ROOT/<service>/db):
//
//   column family "default"
//     "berth.schema_version"        -> decimal schema version of the records
//   column family "<table>"          one per record kind
//     <primary key>                 -> serialized protobuf record
//   column family "<table>/<index>"  one per secondary index of a table
//     unique index:     <index key>                  -> <primary key>
//     non-unique index: <index key> "\0" <primary key> -> ""
//
// Records and their index entries change together: every write goes through
// Update(), whose changes are applied in one WriteBatch or not at all. Writes
// are serialized by a mutex, so an index uniqueness check and the write it
// guards cannot interleave with another writer. Reads take no lock.
//
// Durability: each commit reaches RocksDB's write-ahead log before Update()
// returns, so a killed process loses nothing it acknowledged. (Surviving a
// power cut as well needs `sync_writes`.)
//
// Typed access (protobuf records, index maintenance) is in common/table.h.
#ifndef BERTH_COMMON_STORE_H_
#define BERTH_COMMON_STORE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "spdlog/logger.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
class WriteBatchWithIndex;
}  // namespace rocksdb

namespace berth {

struct IndexSchema {
  std::string name;
  bool unique = false;
};

struct TableSchema {
  std::string name;
  std::vector<IndexSchema> indexes;
};

struct StoreSchema {
  // Bumped when the stored records change incompatibly; Open() refuses a
  // database written with another version rather than misreading it.
  int version = 1;
  std::vector<TableSchema> tables;
};

struct StoreOptions {
  bool sync_writes = false;
  // Where RocksDB's warnings and errors go; none when null.
  std::shared_ptr<spdlog::logger> log;
};

class Store;

// The changes of one Update() call. Reads see the transaction's own writes.
// Not thread-safe; lives only inside Update().
class Transaction {
 public:
  // NotFound when the key is absent.
  absl::StatusOr<std::string> Get(absl::string_view column,
                                  absl::string_view key);
  absl::Status Put(absl::string_view column, absl::string_view key,
                   absl::string_view value);
  absl::Status Delete(absl::string_view column, absl::string_view key);

 private:
  friend class Store;
  Transaction(Store* store, rocksdb::WriteBatchWithIndex* batch)
      : store_(store), batch_(batch) {}
  Store* store_;
  rocksdb::WriteBatchWithIndex* batch_;
};

class Store {
 public:
  // Opens (creating if needed) the database in `dir` with the column families
  // the schema needs. FailedPrecondition if another process holds it or it
  // was written with another schema version.
  static absl::StatusOr<std::unique_ptr<Store>> Open(
      const std::string& dir, const StoreSchema& schema,
      const StoreOptions& options = {});
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const std::string& dir() const { return dir_; }

  // NotFound when the key is absent.
  absl::StatusOr<std::string> Get(absl::string_view column,
                                  absl::string_view key) const;

  // Calls `fn` for each key (in byte order) that starts with `prefix`, until
  // it returns false.
  absl::Status Scan(
      absl::string_view column, absl::string_view prefix,
      absl::FunctionRef<bool(absl::string_view key, absl::string_view value)>
          fn) const;

  absl::StatusOr<int64_t> Count(absl::string_view column) const;

  // Runs `fn` and, if it returns OK, commits everything it wrote atomically.
  // If it fails, nothing it wrote is applied and its status is returned.
  absl::Status Update(absl::FunctionRef<absl::Status(Transaction&)> fn);

 private:
  friend class Transaction;
  Store() = default;
  absl::StatusOr<rocksdb::ColumnFamilyHandle*> Column(
      absl::string_view name) const;
  absl::Status CheckSchemaVersion(int version);

  // Writes the reserve file beside the store unless it exists.
  absl::Status MakeReserve();
  // Deletes the reserve (the disk is full); false when there was none.
  bool ReleaseReserve();

  std::string dir_;
  std::string reserve_path_;  // DIR.reserve
  StoreOptions options_;
  std::unique_ptr<rocksdb::DB> db_;
  std::map<std::string, rocksdb::ColumnFamilyHandle*, std::less<>> columns_;
  absl::Mutex write_mu_;
};

}  // namespace berth

#endif  // BERTH_COMMON_STORE_H_
