// Table<R>: typed access to one record kind of a Store, with its secondary
// indexes kept in step with the records.
//
//   Table<ContainerRecord> containers(
//       "containers", [](const ContainerRecord& c) { return c.id(); },
//       {{"name", /*unique=*/true,
//         [](const ContainerRecord& c) { return Keys{c.name()}; }}});
//   store->Update([&](Transaction& txn) { return containers.Put(txn, rec); });
//   auto rec = containers.GetBy(*store, "name", "web");
//
// A unique index refuses (ALREADY_EXISTS) a record whose index key already
// belongs to another record; Put() of an existing primary key replaces the
// record and moves its index entries.
#ifndef BERTH_COMMON_TABLE_H_
#define BERTH_COMMON_TABLE_H_

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/status_macros.h"
#include "common/store.h"

namespace berth {

using Keys = std::vector<std::string>;

template <typename R>
class Table {
 public:
  struct Index {
    std::string name;
    bool unique = false;
    // The index keys of a record; empty keys are not indexed.
    std::function<Keys(const R&)> keys;
  };

  Table(std::string name, std::function<std::string(const R&)> key,
        std::vector<Index> indexes = {})
      : name_(std::move(name)),
        key_(std::move(key)),
        indexes_(std::move(indexes)) {}

  const std::string& name() const { return name_; }

  TableSchema schema() const {
    TableSchema schema{name_, {}};
    for (const Index& index : indexes_) {
      schema.indexes.push_back({index.name, index.unique});
    }
    return schema;
  }

  absl::StatusOr<R> Get(const Store& store, absl::string_view key) const {
    ASSIGN_OR_RETURN(std::string bytes, store.Get(name_, key));
    return Parse(bytes, key);
  }

  // The record whose unique index `index` has key `index_key`.
  absl::StatusOr<R> GetBy(const Store& store, absl::string_view index,
                          absl::string_view index_key) const {
    absl::StatusOr<std::string> primary =
        store.Get(IndexColumn(index), index_key);
    if (absl::IsNotFound(primary.status())) {
      return absl::NotFoundError(
          absl::StrCat("no ", name_, " record with ", index, " ", index_key));
    }
    RETURN_IF_ERROR(primary.status());
    return Get(store, *primary);
  }

  // Primary keys of the records with `index_key` in a non-unique index.
  absl::StatusOr<Keys> FindAll(const Store& store, absl::string_view index,
                               absl::string_view index_key) const {
    Keys primaries;
    std::string prefix = absl::StrCat(index_key, absl::string_view("\0", 1));
    RETURN_IF_ERROR(store.Scan(IndexColumn(index), prefix,
                               [&](absl::string_view key, absl::string_view) {
                                 primaries.emplace_back(
                                     key.substr(prefix.size()));
                                 return true;
                               }));
    return primaries;
  }

  // Calls `fn` for each record in primary-key order until it returns false.
  absl::Status ForEach(const Store& store,
                       absl::FunctionRef<bool(const R&)> fn) const {
    absl::Status parse_status;
    RETURN_IF_ERROR(store.Scan(
        name_, "", [&](absl::string_view key, absl::string_view bytes) {
          absl::StatusOr<R> record = Parse(bytes, key);
          if (!record.ok()) {
            parse_status = record.status();
            return false;
          }
          return fn(*record);
        }));
    return parse_status;
  }

  absl::StatusOr<int64_t> Count(const Store& store) const {
    return store.Count(name_);
  }

  absl::StatusOr<R> Get(Transaction& txn, absl::string_view key) const {
    ASSIGN_OR_RETURN(std::string bytes, txn.Get(name_, key));
    return Parse(bytes, key);
  }

  absl::Status Put(Transaction& txn, const R& record) const {
    const std::string key = key_(record);
    if (key.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("a ", name_, " record needs a non-empty key"));
    }
    RETURN_IF_ERROR(DeleteIndexEntries(txn, key));
    for (const Index& index : indexes_) {
      for (const std::string& index_key : index.keys(record)) {
        if (index_key.empty()) continue;
        RETURN_IF_ERROR(PutIndexEntry(txn, index, index_key, key));
      }
    }
    return txn.Put(name_, key, record.SerializeAsString());
  }

  // NotFound if there is no record with `key`.
  absl::Status Delete(Transaction& txn, absl::string_view key) const {
    RETURN_IF_ERROR(txn.Get(name_, key).status());
    RETURN_IF_ERROR(DeleteIndexEntries(txn, key));
    return txn.Delete(name_, key);
  }

 private:
  std::string IndexColumn(absl::string_view index) const {
    return absl::StrCat(name_, "/", index);
  }

  static std::string NonUniqueKey(absl::string_view index_key,
                                  absl::string_view primary) {
    return absl::StrCat(index_key, absl::string_view("\0", 1), primary);
  }

  absl::StatusOr<R> Parse(absl::string_view bytes,
                          absl::string_view key) const {
    R record;
    if (!record.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      return absl::DataLossError(
          absl::StrCat("stored ", name_, " record ", key, " is corrupt"));
    }
    return record;
  }

  absl::Status PutIndexEntry(Transaction& txn, const Index& index,
                             const std::string& index_key,
                             const std::string& primary) const {
    const std::string column = IndexColumn(index.name);
    if (!index.unique) {
      return txn.Put(column, NonUniqueKey(index_key, primary), "");
    }
    absl::StatusOr<std::string> owner = txn.Get(column, index_key);
    if (owner.ok() && *owner != primary) {
      return absl::AlreadyExistsError(absl::StrCat(index.name, " \"", index_key,
                                                   "\" is already in use by ",
                                                   name_, " record ", *owner));
    }
    if (!owner.ok() && !absl::IsNotFound(owner.status())) return owner.status();
    return txn.Put(column, index_key, primary);
  }

  // Removes the index entries of the stored record `key`, if there is one.
  absl::Status DeleteIndexEntries(Transaction& txn,
                                  absl::string_view key) const {
    absl::StatusOr<R> old = Get(txn, key);
    if (absl::IsNotFound(old.status())) return absl::OkStatus();
    RETURN_IF_ERROR(old.status());
    for (const Index& index : indexes_) {
      for (const std::string& index_key : index.keys(*old)) {
        if (index_key.empty()) continue;
        RETURN_IF_ERROR(txn.Delete(
            IndexColumn(index.name),
            index.unique ? index_key : NonUniqueKey(index_key, key)));
      }
    }
    return absl::OkStatus();
  }

  std::string name_;
  std::function<std::string(const R&)> key_;
  std::vector<Index> indexes_;
};

}  // namespace berth

#endif  // BERTH_COMMON_TABLE_H_
