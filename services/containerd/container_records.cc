#include "services/containerd/container_records.h"


#include <random>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/random_id.h"
#include "common/status_macros.h"

namespace berth::containerd {

using container::v1::Container;

Table<Container> ContainersTable() {
  return Table<Container>(
      "containers", [](const Container& c) { return c.id(); },
      {{"name", /*unique=*/true,
        [](const Container& c) { return Keys{c.name()}; }}});
}

StoreSchema ContainerdSchema() {
  return StoreSchema{/*version=*/1, {ContainersTable().schema()}};
}

std::string NewContainerId() { return NewObjectId(); }

std::string RandomContainerName(int attempt) {
  static const char* const kAdjectives[] = {
      "agile",   "bold",    "brave",   "calm",    "clever",  "eager",
      "fervent", "gentle",  "happy",   "jolly",   "keen",    "lucid",
      "merry",   "nimble",  "peaceful", "quiet",  "relaxed", "serene",
      "sharp",   "steady",  "swift",   "tender",  "vivid",   "zealous"};
  static const char* const kNames[] = {
      "babbage",  "bell",     "curie",    "darwin",  "einstein", "euler",
      "faraday",  "fermi",    "gauss",    "hopper",  "kepler",   "knuth",
      "lamarr",   "lovelace", "maxwell",  "meitner", "newton",   "noether",
      "pascal",   "ritchie",  "shannon",  "tesla",   "turing",   "wozniak"};
  std::random_device device;
  std::string name =
      absl::StrCat(kAdjectives[device() % (sizeof(kAdjectives) / sizeof(char*))],
                   "_", kNames[device() % (sizeof(kNames) / sizeof(char*))]);
  if (attempt > 0) absl::StrAppend(&name, device() % 10);
  return name;
}

absl::StatusOr<std::string> ValidateContainerName(const std::string& given) {
  std::string name = absl::StartsWith(given, "/") ? given.substr(1) : given;
  bool valid = name.size() >= 2 && absl::ascii_isalnum(name[0]);
  for (char c : name) {
    if (!absl::ascii_isalnum(c) && c != '_' && c != '.' && c != '-') {
      valid = false;
    }
  }
  if (!valid) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Invalid container name (", given,
        "), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"));
  }
  return name;
}

ContainerRecords::ContainerRecords(Store& store)
    : store_(store), table_(ContainersTable()) {}

absl::StatusOr<std::unique_ptr<ContainerRecords>> ContainerRecords::Load(
    Store& store) {
  std::unique_ptr<ContainerRecords> records(new ContainerRecords(store));
  absl::MutexLock lock(&records->mu_);
  RETURN_IF_ERROR(records->table_.ForEach(store, [&](const Container& c) {
    records->by_id_[c.id()] = std::make_shared<const Container>(c);
    if (!c.name().empty()) records->id_by_name_[c.name()] = c.id();
    return true;
  }));
  return records;
}

absl::StatusOr<Container> ContainerRecords::Get(const std::string& id) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = by_id_.find(id);
  if (it == by_id_.end()) {
    return absl::NotFoundError(absl::StrCat("No such container: ", id));
  }
  return *it->second;
}

absl::StatusOr<Container> ContainerRecords::Find(
    const std::string& reference) const {
  absl::ReaderMutexLock lock(&mu_);
  return FindLocked(reference);
}

absl::StatusOr<Container> ContainerRecords::FindLocked(
    const std::string& reference) const {
  if (reference.empty()) {
    return absl::InvalidArgumentError("no container named (empty id)");
  }
  auto exact = by_id_.find(reference);
  if (exact != by_id_.end()) return *exact->second;
  auto named = id_by_name_.find(
      absl::StartsWith(reference, "/") ? reference.substr(1) : reference);
  if (named != id_by_name_.end()) return *by_id_.at(named->second);
  std::vector<std::string> matches;
  if (reference.find_first_not_of("0123456789abcdef") == std::string::npos) {
    for (auto it = by_id_.lower_bound(reference);
         it != by_id_.end() && absl::StartsWith(it->first, reference) &&
         matches.size() < 10;
         ++it) {
      matches.push_back(it->first);
    }
  }
  if (matches.size() == 1) return *by_id_.at(matches[0]);
  if (matches.size() > 1) {
    for (std::string& match : matches) match = match.substr(0, 12);
    return absl::InvalidArgumentError(
        absl::StrCat("multiple IDs found with provided prefix: ", reference,
                     " (", absl::StrJoin(matches, ", "), ")"));
  }
  return absl::NotFoundError(absl::StrCat("No such container: ", reference));
}

std::optional<std::string> ContainerRecords::NameOwner(
    const std::string& name) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = id_by_name_.find(name);
  if (it == id_by_name_.end()) return std::nullopt;
  return it->second;
}

std::vector<ContainerRecords::Record> ContainerRecords::Snapshot() const {
  absl::ReaderMutexLock lock(&mu_);
  std::vector<Record> all;
  all.reserve(by_id_.size());
  for (const auto& [id, record] : by_id_) all.push_back(record);
  return all;
}

absl::Status ContainerRecords::Put(const Container& container) {
  absl::MutexLock lock(&mu_);
  if (write_fault_) RETURN_IF_ERROR(write_fault_(container));
  RETURN_IF_ERROR(store_.Update(
      [&](Transaction& txn) { return table_.Put(txn, container); }));
  PutLocked(container);
  return absl::OkStatus();
}

void ContainerRecords::PutInMemory(const Container& container) {
  absl::MutexLock lock(&mu_);
  if (by_id_.count(container.id()) == 0) return;
  PutLocked(container);
}

void ContainerRecords::SetWriteFaultForTesting(WriteFault fault) {
  absl::MutexLock lock(&mu_);
  write_fault_ = std::move(fault);
}

void ContainerRecords::PutLocked(const Container& container) {
  auto [it, inserted] = by_id_.try_emplace(container.id());
  if (!inserted && it->second->name() != container.name()) {
    id_by_name_.erase(it->second->name());
  }
  it->second = std::make_shared<const Container>(container);
  if (!container.name().empty()) id_by_name_[container.name()] = container.id();
}

absl::Status ContainerRecords::Delete(const std::string& id) {
  absl::MutexLock lock(&mu_);
  if (write_fault_) {
    absl::StatusOr<Container> current = FindLocked(id);
    if (current.ok()) RETURN_IF_ERROR(write_fault_(*current));
  }
  RETURN_IF_ERROR(
      store_.Update([&](Transaction& txn) { return table_.Delete(txn, id); }));
  auto it = by_id_.find(id);
  if (it != by_id_.end()) {
    id_by_name_.erase(it->second->name());
    by_id_.erase(it);
  }
  return absl::OkStatus();
}

}  // namespace berth::containerd
