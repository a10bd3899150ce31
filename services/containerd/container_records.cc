#include "services/containerd/container_records.h"

#include <fcntl.h>
#include <unistd.h>

#include <random>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
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

std::string NewContainerId() {
  unsigned char bytes[32];
  size_t filled = 0;
  int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    while (filled < sizeof(bytes)) {
      ssize_t n = read(fd, bytes + filled, sizeof(bytes) - filled);
      if (n <= 0) break;
      filled += static_cast<size_t>(n);
    }
    close(fd);
  }
  if (filled < sizeof(bytes)) {
    // /dev/urandom is always there on Linux; this only keeps ids unique.
    std::random_device device;
    for (unsigned char& byte : bytes) byte = static_cast<unsigned char>(device());
  }
  static const char kHex[] = "0123456789abcdef";
  std::string id;
  for (unsigned char byte : bytes) {
    id.push_back(kHex[byte >> 4]);
    id.push_back(kHex[byte & 15]);
  }
  // Docker avoids all-digit short ids: they read like numbers.
  if (id.find_first_not_of("0123456789", 0) >= 12) id[0] = 'a';
  return id;
}

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

absl::StatusOr<Container> FindContainer(const Store& store,
                                        const std::string& reference) {
  const Table<Container> table = ContainersTable();
  if (reference.empty()) {
    return absl::InvalidArgumentError("no container named (empty id)");
  }
  absl::StatusOr<Container> by_id = table.Get(store, reference);
  if (by_id.ok() || !absl::IsNotFound(by_id.status())) return by_id;
  const std::string name =
      absl::StartsWith(reference, "/") ? reference.substr(1) : reference;
  absl::StatusOr<Container> by_name = table.GetBy(store, "name", name);
  if (by_name.ok() || !absl::IsNotFound(by_name.status())) return by_name;
  std::vector<std::string> matches;
  if (reference.find_first_not_of("0123456789abcdef") == std::string::npos) {
    RETURN_IF_ERROR(store.Scan("containers", reference,
                               [&](absl::string_view key, absl::string_view) {
                                 matches.emplace_back(key);
                                 return matches.size() < 10;
                               }));
  }
  if (matches.size() == 1) return table.Get(store, matches[0]);
  if (matches.size() > 1) {
    for (std::string& match : matches) match = match.substr(0, 12);
    return absl::InvalidArgumentError(
        absl::StrCat("multiple IDs found with provided prefix: ", reference,
                     " (", absl::StrJoin(matches, ", "), ")"));
  }
  return absl::NotFoundError(
      absl::StrCat("No such container: ", reference));
}

}  // namespace berth::containerd
