#include "common/store.h"

#include <fcntl.h>
#include <unistd.h>

#include <set>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/status_macros.h"
#include "rocksdb/db.h"
#include "rocksdb/env.h"
#include "rocksdb/options.h"
#include "rocksdb/utilities/write_batch_with_index.h"

namespace berth {
namespace {

constexpr char kSchemaVersionKey[] = "berth.schema_version";

rocksdb::Slice ToSlice(absl::string_view s) {
  return rocksdb::Slice(s.data(), s.size());
}

absl::Status FromRocks(const rocksdb::Status& s, absl::string_view context) {
  if (s.ok()) return absl::OkStatus();
  std::string message = absl::StrCat(context, ": ", s.ToString());
  if (s.IsNotFound()) return absl::NotFoundError(message);
  if (s.IsCorruption()) return absl::DataLossError(message);
  if (s.IsIOError() && s.ToString().find("lock") != std::string::npos) {
    return absl::FailedPreconditionError(
        absl::StrCat(message, " (is another Berth daemon using this --root?)"));
  }
  if (s.IsBusy() || s.IsTryAgain()) return absl::UnavailableError(message);
  return absl::InternalError(message);
}

}  // namespace

absl::StatusOr<std::string> Transaction::Get(absl::string_view column,
                                             absl::string_view key) {
  ASSIGN_OR_RETURN(rocksdb::ColumnFamilyHandle * cf, store_->Column(column));
  std::string value;
  rocksdb::Status s = batch_->GetFromBatchAndDB(
      store_->db_.get(), rocksdb::ReadOptions(), cf, ToSlice(key), &value);
  if (s.IsNotFound()) {
    return absl::NotFoundError(absl::StrCat("no key ", key, " in ", column));
  }
  RETURN_IF_ERROR(FromRocks(s, absl::StrCat("read ", column)));
  return value;
}

absl::Status Transaction::Put(absl::string_view column, absl::string_view key,
                              absl::string_view value) {
  ASSIGN_OR_RETURN(rocksdb::ColumnFamilyHandle * cf, store_->Column(column));
  return FromRocks(batch_->Put(cf, ToSlice(key), ToSlice(value)),
                   absl::StrCat("stage write to ", column));
}

absl::Status Transaction::Delete(absl::string_view column,
                                 absl::string_view key) {
  ASSIGN_OR_RETURN(rocksdb::ColumnFamilyHandle * cf, store_->Column(column));
  return FromRocks(batch_->Delete(cf, ToSlice(key)),
                   absl::StrCat("stage delete in ", column));
}

namespace {

// RocksDB's own diagnostics go to the service's log, never to a LOG file in
// the store: on a full disk a failed write to that file made the next one
// abort the daemon (Debian builds RocksDB with its assertions), even when
// opening the store to read it.
class ServiceLogSink final : public rocksdb::Logger {
 public:
  explicit ServiceLogSink(std::shared_ptr<spdlog::logger> log)
      : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL), log_(std::move(log)) {}

  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    Logv(rocksdb::InfoLogLevel::INFO_LEVEL, format, ap);
  }
  void Logv(const rocksdb::InfoLogLevel level, const char* format,
            va_list ap) override {
    if (level < GetInfoLogLevel() || log_ == nullptr) return;
    char buffer[1024];
    vsnprintf(buffer, sizeof(buffer), format, ap);
    if (level >= rocksdb::InfoLogLevel::ERROR_LEVEL) {
      log_->error("rocksdb: {}", buffer);
    } else {
      log_->warn("rocksdb: {}", buffer);
    }
  }

 private:
  std::shared_ptr<spdlog::logger> log_;
};

// Space held back beside every store for its own records when the disk
// fills up (a container writing until ENOSPC shares the disk): released at
// the first write that finds the disk full, so that write (a removal, say)
// and a restart still succeed; made again when the store opens with room.
constexpr size_t kReserveBytes = 2 << 20;

// RocksDB marks ENOSPC with a subcode, but the error a store keeps
// returning after one (its background error) carries only the message.
bool IsNoSpace(const rocksdb::Status& s) {
  return s.IsNoSpace() || s.ToString().find("No space left") != std::string::npos;
}

}  // namespace

absl::Status Store::MakeReserve() {
  if (access(reserve_path_.c_str(), F_OK) == 0) return absl::OkStatus();
  const std::string temp = reserve_path_ + ".new";
  const int fd = open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
                      0600);
  if (fd < 0) return ErrnoStatus(errno, "create", temp);
  const std::string block(64 << 10, '\0');
  absl::Status status;
  for (size_t written = 0; written < kReserveBytes && status.ok();) {
    const ssize_t n = write(fd, block.data(), block.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) status = ErrnoStatus(errno, "write", temp);
    else written += static_cast<size_t>(n);
  }
  if (status.ok() && fsync(fd) != 0) status = ErrnoStatus(errno, "fsync", temp);
  close(fd);
  if (status.ok() && rename(temp.c_str(), reserve_path_.c_str()) != 0) {
    status = ErrnoStatus(errno, "rename to " + reserve_path_, temp);
  }
  if (!status.ok()) unlink(temp.c_str());
  return status;
}

bool Store::ReleaseReserve() {
  if (unlink(reserve_path_.c_str()) != 0) return false;
  if (options_.log != nullptr) {
    options_.log->warn("the disk of {} is full: released its reserve of {} "
                       "bytes so records can still be written; free space",
                       dir_, kReserveBytes);
  }
  return true;
}

absl::StatusOr<std::unique_ptr<Store>> Store::Open(
    const std::string& dir, const StoreSchema& schema,
    const StoreOptions& options) {
  std::set<std::string> wanted = {rocksdb::kDefaultColumnFamilyName};
  for (const TableSchema& table : schema.tables) {
    wanted.insert(table.name);
    for (const IndexSchema& index : table.indexes) {
      wanted.insert(absl::StrCat(table.name, "/", index.name));
    }
  }
  // RocksDB must open every column family that exists, including ones a
  // newer schema may have added, so merge the on-disk list in.
  std::vector<std::string> existing;
  if (rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &existing)
          .ok()) {
    wanted.insert(existing.begin(), existing.end());
  }
  // Small memtables: the records are small, and after a write failed for
  // lack of space RocksDB resumes only once that much is free again (64 MiB
  // by default, more than a small disk ever frees).
  rocksdb::ColumnFamilyOptions column_options;
  column_options.write_buffer_size = 1 << 20;
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : wanted) {
    descriptors.emplace_back(name, column_options);
  }

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.info_log = std::make_shared<ServiceLogSink>(options.log);
  db_options.stats_dump_period_sec = 0;
  // Recovery replays the write-ahead log into memory without writing a new
  // table first, so a store whose disk is full still opens.
  db_options.avoid_flush_during_recovery = true;

  // WAL preallocation would take tens of MiB of a small disk up front.
  db_options.allow_fallocate = false;

  auto store = std::unique_ptr<Store>(new Store());
  store->dir_ = dir;
  store->options_ = options;
  store->reserve_path_ = dir + ".reserve";
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw_db = nullptr;
  rocksdb::Status opened =
      rocksdb::DB::Open(db_options, dir, descriptors, &handles, &raw_db);
  bool released = false;
  if (IsNoSpace(opened) && store->ReleaseReserve()) {
    released = true;
    handles.clear();
    opened = rocksdb::DB::Open(db_options, dir, descriptors, &handles, &raw_db);
  }
  RETURN_IF_ERROR(FromRocks(opened, absl::StrCat("open store ", dir)));
  store->db_.reset(raw_db);
  for (rocksdb::ColumnFamilyHandle* handle : handles) {
    store->columns_[handle->GetName()] = handle;
  }
  RETURN_IF_ERROR(store->CheckSchemaVersion(schema.version));
  // Not again from the space just released; without room for it the store
  // still opens (the disk is full now) and makes it at a later start.
  const absl::Status reserved =
      released ? absl::OkStatus() : store->MakeReserve();
  if (!reserved.ok() && options.log != nullptr) {
    options.log->warn("no space for the reserve of {}: {}", dir,
                      std::string(reserved.message()));
  }
  return store;
}

Store::~Store() {
  for (auto& [name, handle] : columns_) {
    db_->DestroyColumnFamilyHandle(handle);
  }
  if (db_ != nullptr) db_->Close().PermitUncheckedError();
}

absl::Status Store::CheckSchemaVersion(int version) {
  absl::StatusOr<std::string> stored =
      Get(rocksdb::kDefaultColumnFamilyName, kSchemaVersionKey);
  if (absl::IsNotFound(stored.status())) {
    return Update([&](Transaction& txn) {
      return txn.Put(rocksdb::kDefaultColumnFamilyName, kSchemaVersionKey,
                     absl::StrCat(version));
    });
  }
  RETURN_IF_ERROR(stored.status());
  int on_disk = 0;
  if (!absl::SimpleAtoi(*stored, &on_disk) || on_disk != version) {
    return absl::FailedPreconditionError(
        absl::StrCat("store ", dir_, " has schema version ", *stored,
                     " but this build of Berth reads version ", version,
                     "; use the matching Berth release or another --root"));
  }
  return absl::OkStatus();
}

absl::StatusOr<rocksdb::ColumnFamilyHandle*> Store::Column(
    absl::string_view name) const {
  auto it = columns_.find(name);
  if (it == columns_.end()) {
    return absl::InternalError(
        absl::StrCat("store ", dir_, " has no column family ", name));
  }
  return it->second;
}

absl::StatusOr<std::string> Store::Get(absl::string_view column,
                                       absl::string_view key) const {
  ASSIGN_OR_RETURN(rocksdb::ColumnFamilyHandle * cf, Column(column));
  std::string value;
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), cf, ToSlice(key), &value);
  if (s.IsNotFound()) {
    return absl::NotFoundError(absl::StrCat("no key ", key, " in ", column));
  }
  RETURN_IF_ERROR(FromRocks(s, absl::StrCat("read ", column)));
  return value;
}

absl::Status Store::Scan(
    absl::string_view column, absl::string_view prefix,
    absl::FunctionRef<bool(absl::string_view, absl::string_view)> fn) const {
  ASSIGN_OR_RETURN(rocksdb::ColumnFamilyHandle * cf, Column(column));
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), cf));
  for (it->Seek(ToSlice(prefix)); it->Valid(); it->Next()) {
    absl::string_view key(it->key().data(), it->key().size());
    if (key.substr(0, prefix.size()) != prefix) break;
    if (!fn(key, absl::string_view(it->value().data(), it->value().size()))) {
      break;
    }
  }
  return FromRocks(it->status(), absl::StrCat("scan ", column));
}

absl::StatusOr<int64_t> Store::Count(absl::string_view column) const {
  int64_t n = 0;
  RETURN_IF_ERROR(Scan(column, "", [&](absl::string_view, absl::string_view) {
    ++n;
    return true;
  }));
  return n;
}

absl::Status Store::Update(absl::FunctionRef<absl::Status(Transaction&)> fn) {
  absl::MutexLock lock(&write_mu_);
  rocksdb::WriteBatchWithIndex batch;
  Transaction txn(this, &batch);
  RETURN_IF_ERROR(fn(txn));
  rocksdb::WriteOptions write_options;
  write_options.sync = options_.sync_writes;
  rocksdb::Status written = db_->Write(write_options, batch.GetWriteBatch());
  if (IsNoSpace(written)) {
    // A failed write leaves RocksDB refusing writes until it resumes, which
    // it does once space is free (the reserve, or what a removal freed);
    // its own recovery may be under way meanwhile (Busy). Bounded: a disk
    // that stays full is the caller's error.
    ReleaseReserve();
    for (int attempt = 0; attempt < 40 && IsNoSpace(written); ++attempt) {
      const rocksdb::Status resumed = db_->Resume();
      if (resumed.ok() || resumed.IsBusy()) {
        written = db_->Write(write_options, batch.GetWriteBatch());
      }
      if (IsNoSpace(written)) absl::SleepFor(absl::Milliseconds(50));
    }
  }
  if (IsNoSpace(written)) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "the disk holding ", dir_, " is full: ", written.ToString(),
        "; free space (remove containers or images)"));
  }
  return FromRocks(written, absl::StrCat("commit to ", dir_));
}

}  // namespace berth
