#include "common/store.h"

#include <cstdlib>
#include <memory>
#include <string>

#include "berth/types/v1/types.pb.h"
#include "common/table.h"
#include "gtest/gtest.h"

namespace berth {
namespace {

using types::v1::ServiceInfo;

// ServiceInfo stands in for a record: key = name, a unique index on socket
// and a non-unique one on host_process.
Table<ServiceInfo> MakeTable() {
  return Table<ServiceInfo>(
      "services", [](const ServiceInfo& s) { return s.name(); },
      {{"socket", true, [](const ServiceInfo& s) { return Keys{s.socket()}; }},
       {"host", false,
        [](const ServiceInfo& s) { return Keys{s.host_process()}; }}});
}

ServiceInfo Record(const std::string& name, const std::string& socket,
                   const std::string& host) {
  ServiceInfo info;
  info.set_name(name);
  info.set_socket(socket);
  info.set_host_process(host);
  return info;
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-store-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    Reopen();
  }
  void TearDown() override {
    store_.reset();
    EXPECT_EQ(std::system(("rm -rf " + dir_).c_str()), 0);
  }
  void Reopen() {
    store_.reset();
    auto store = Store::Open(dir_ + "/db", {1, {table_.schema()}});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }
  absl::Status Put(const ServiceInfo& record) {
    return store_->Update(
        [&](Transaction& txn) { return table_.Put(txn, record); });
  }

  Table<ServiceInfo> table_ = MakeTable();
  std::string dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreTest, PutGetDelete) {
  ASSERT_TRUE(Put(Record("a", "/s/a", "berthd")).ok());
  auto got = table_.Get(*store_, "a");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->socket(), "/s/a");

  ASSERT_TRUE(
      store_->Update([&](Transaction& txn) { return table_.Delete(txn, "a"); })
          .ok());
  EXPECT_TRUE(absl::IsNotFound(table_.Get(*store_, "a").status()));
  EXPECT_TRUE(
      absl::IsNotFound(table_.GetBy(*store_, "socket", "/s/a").status()));
  auto hosts = table_.FindAll(*store_, "host", "berthd");
  ASSERT_TRUE(hosts.ok());
  EXPECT_TRUE(hosts->empty());
}

TEST_F(StoreTest, DeleteOfMissingRecordIsNotFound) {
  absl::Status status = store_->Update(
      [&](Transaction& txn) { return table_.Delete(txn, "missing"); });
  EXPECT_TRUE(absl::IsNotFound(status)) << status;
}

TEST_F(StoreTest, IndexesFollowUpdates) {
  ASSERT_TRUE(Put(Record("a", "/s/a", "berthd")).ok());
  ASSERT_TRUE(Put(Record("b", "/s/b", "berthd")).ok());
  // Moving a's socket frees the old index key and takes the new one.
  ASSERT_TRUE(Put(Record("a", "/s/a2", "berth-netd")).ok());

  EXPECT_TRUE(
      absl::IsNotFound(table_.GetBy(*store_, "socket", "/s/a").status()));
  auto by_socket = table_.GetBy(*store_, "socket", "/s/a2");
  ASSERT_TRUE(by_socket.ok()) << by_socket.status();
  EXPECT_EQ(by_socket->name(), "a");

  auto berthd = table_.FindAll(*store_, "host", "berthd");
  ASSERT_TRUE(berthd.ok());
  EXPECT_EQ(*berthd, Keys{"b"});
  auto netd = table_.FindAll(*store_, "host", "berth-netd");
  ASSERT_TRUE(netd.ok());
  EXPECT_EQ(*netd, Keys{"a"});
}

TEST_F(StoreTest, UniqueIndexRefusesSecondOwner) {
  ASSERT_TRUE(Put(Record("a", "/s/x", "berthd")).ok());
  absl::Status status = Put(Record("b", "/s/x", "berthd"));
  EXPECT_TRUE(absl::IsAlreadyExists(status)) << status;
  EXPECT_TRUE(absl::IsNotFound(table_.Get(*store_, "b").status()));
  auto owner = table_.GetBy(*store_, "socket", "/s/x");
  ASSERT_TRUE(owner.ok());
  EXPECT_EQ(owner->name(), "a");
}

TEST_F(StoreTest, FailedBatchChangesNothing) {
  ASSERT_TRUE(Put(Record("a", "/s/a", "berthd")).ok());
  absl::Status status = store_->Update([&](Transaction& txn) {
    // The first two writes succeed inside the batch; the third fails, so
    // none of them may reach the database.
    RETURN_IF_ERROR(table_.Put(txn, Record("c", "/s/c", "berthd")));
    RETURN_IF_ERROR(table_.Delete(txn, "a"));
    return table_.Put(txn, Record("d", "/s/c", "berthd"));
  });
  EXPECT_TRUE(absl::IsAlreadyExists(status)) << status;
  EXPECT_TRUE(table_.Get(*store_, "a").ok());
  EXPECT_TRUE(absl::IsNotFound(table_.Get(*store_, "c").status()));
  EXPECT_TRUE(
      absl::IsNotFound(table_.GetBy(*store_, "socket", "/s/c").status()));
  EXPECT_EQ(*table_.Count(*store_), 1);
}

TEST_F(StoreTest, TransactionReadsItsOwnWrites) {
  absl::Status status = store_->Update([&](Transaction& txn) {
    RETURN_IF_ERROR(table_.Put(txn, Record("a", "/s/a", "berthd")));
    auto seen = table_.Get(txn, "a");
    if (!seen.ok()) return seen.status();
    EXPECT_EQ(seen->socket(), "/s/a");
    return absl::OkStatus();
  });
  EXPECT_TRUE(status.ok()) << status;
}

TEST_F(StoreTest, ReopenKeepsRecordsAndIndexes) {
  ASSERT_TRUE(Put(Record("a", "/s/a", "berthd")).ok());
  ASSERT_TRUE(Put(Record("b", "/s/b", "berth-imaged")).ok());
  Reopen();
  EXPECT_EQ(*table_.Count(*store_), 2);
  auto by_socket = table_.GetBy(*store_, "socket", "/s/b");
  ASSERT_TRUE(by_socket.ok()) << by_socket.status();
  EXPECT_EQ(by_socket->host_process(), "berth-imaged");
  std::vector<std::string> names;
  ASSERT_TRUE(table_
                  .ForEach(*store_,
                           [&](const ServiceInfo& s) {
                             names.push_back(s.name());
                             return true;
                           })
                  .ok());
  EXPECT_EQ(names, (std::vector<std::string>{"a", "b"}));
}

TEST_F(StoreTest, SecondOpenOfSameDirectoryFails) {
  auto second = Store::Open(dir_ + "/db", {1, {table_.schema()}});
  EXPECT_TRUE(absl::IsFailedPrecondition(second.status())) << second.status();
}

TEST_F(StoreTest, OtherSchemaVersionIsRefused) {
  store_.reset();
  auto newer = Store::Open(dir_ + "/db", {2, {table_.schema()}});
  ASSERT_TRUE(absl::IsFailedPrecondition(newer.status())) << newer.status();
  EXPECT_NE(newer.status().message().find("schema version 1"),
            std::string::npos);
}

TEST_F(StoreTest, CorruptRecordIsDataLoss) {
  ASSERT_TRUE(store_
                  ->Update([&](Transaction& txn) {
                    return txn.Put("services", "bad", "\xff\xff\xff");
                  })
                  .ok());
  EXPECT_TRUE(absl::IsDataLoss(table_.Get(*store_, "bad").status()));
}

TEST_F(StoreTest, EmptyKeyIsInvalid) {
  absl::Status status = Put(Record("", "/s/a", "berthd"));
  EXPECT_TRUE(absl::IsInvalidArgument(status)) << status;
}

}  // namespace
}  // namespace berth
