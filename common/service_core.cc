#include "common/service_core.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/root_lock.h"
#include "common/status_macros.h"

namespace berth {

absl::StatusOr<std::unique_ptr<ServiceCore>> ServiceCore::Open(
    const ServiceContext& context, const StoreSchema& schema) {
  auto core = std::unique_ptr<ServiceCore>(new ServiceCore());
  core->identity_ = context.identity;
  core->logger_ = context.logger;
  core->config_ = context.config;
  for (const TableSchema& table : schema.tables) {
    core->tables_.push_back(table.name);
  }
  RETURN_IF_ERROR(MakeDirs(context.identity.root));
  ASSIGN_OR_RETURN(
      core->store_,
      Store::Open(absl::StrCat(context.identity.root, "/db"), schema,
                  StoreOptions{/*sync_writes=*/false, context.logger}));
  return core;
}

absl::StatusOr<types::v1::ServiceInfo> ServiceCore::Info() const {
  std::vector<types::v1::RecordCount> records;
  for (const std::string& table : tables_) {
    ASSIGN_OR_RETURN(int64_t count, store_->Count(table));
    types::v1::RecordCount record;
    record.set_kind(table);
    record.set_count(count);
    records.push_back(std::move(record));
  }
  return identity_.Info(std::move(records));
}

}  // namespace berth
